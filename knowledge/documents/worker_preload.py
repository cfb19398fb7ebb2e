"""Imported only by the parse workers' forkserver (see worker.py): what every child needs, made once.

Each upload's child is a fork of the forkserver, so building the preparing Library and
loading underthesea's model here (about a second) spares every upload that second.
Nothing else imports this module, so no other process holds this state.
"""

from __future__ import annotations

import knowledge.documents.prepare  # noqa: F401  (worker.py imports it lazily; children inherit it loaded)
from knowledge.documents.worker import build_preparer

PREPARER = build_preparer()
