"""WeChat channels (docs/channels/wechat.md): an Official Account / Mini Program (``official``) and WeChat
Customer Service of WeCom (``kf``), on what they share: callback security (``crypto``, ``messages``), the
APIs with a shared access_token (``api``, ``store``), the bot's answers as WeChat texts (``render``),
binding a WeChat user to a shop customer (``binding``) and the conversation itself (``connector``)."""
