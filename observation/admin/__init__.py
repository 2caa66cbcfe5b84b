"""The Django admin: how administrators manage a whole mission.

Lifecycle moves (verify, dismiss, submit, approve, publish, return to draft,
lock, unlock) are admin actions that call the model methods, so the rules and
their messages are the same here as everywhere else. A locked mission's
records are read-only, and so is a published statement.
"""

# Importing the modules registers their admins.
from observation.admin import checklists, missions, reports, statements

__all__ = ["checklists", "missions", "reports", "statements"]
