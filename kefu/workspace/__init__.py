"""The agents' workspace: a web app inside the Rasa server where human agents take over conversations
(``channel``), with its sessions (``auth``), JSON API (``api``, ``checks``, ``views``) and page (``static/``);
docs/workspace.md tells the whole."""
