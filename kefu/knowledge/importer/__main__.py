"""``python -m kefu.knowledge.importer``: see ``cli.py``."""

from __future__ import annotations

import sys

from kefu.knowledge.importer.cli import main

sys.exit(main())
