"""Logging helpers that `settings.LOGGING` names."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class ForbiddenInOneLine(logging.Filter):
    """A refused request (403) is logged as its one line, "Forbidden (Permission denied):
    /compliance/audit/": the traceback of a PermissionDenied shows the permission check
    working, not a fault, and was 28 lines of every log for each refusal."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
