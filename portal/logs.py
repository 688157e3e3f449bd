"""The portal's logging: one format for every process, with request and user context.

Each line carries a UTC timestamp, the level, the logger's name, the request id (a Streamlit
session, or a CLI command) and the signed-in user's id. Text by default; one JSON object per
line with PORTAL_LOG_FORMAT=json. PORTAL_LOG_LEVEL sets the level (INFO by default).

Never pass a password, token, cookie or key to a logger: log who and what, not secrets.

    from portal.logs import log_context, logger

    log = logger(__name__)
    with log_context(request_id=session_id, user_id=user.id):
        log.info("certificate issued", extra={"certificate": number})
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_CONTEXT_FIELDS = ("request_id", "user_id")


_context: ContextVar[Mapping[str, Any]] = ContextVar(
    "portal_log_context", default=MappingProxyType({})
)
# Attributes every LogRecord has; anything else came in through `extra=` and is printed too.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_HANDLER_NAME = "portal"


def logger(name: str) -> logging.Logger:
    """The logger for a module of the portal (`logger(__name__)`)."""
    return logging.getLogger(name if name.startswith("portal") else f"portal.{name}")


def request_id_new() -> str:
    """A short random id naming one request, command run or error."""
    return uuid.uuid4().hex[:12]


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields (request_id, user_id, ...) to every line logged inside the block."""
    token = _context.set(MappingProxyType({**_context.get(), **fields}))
    try:
        yield
    finally:
        _context.reset(token)


def log_context_fields() -> dict[str, Any]:
    """The fields of the current log context."""
    return dict(_context.get())


class _ContextFilter(logging.Filter):
    """Copy the current log context onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for field in _CONTEXT_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field, "-"))
        for field, value in context.items():
            if not hasattr(record, field):
                setattr(record, field, value)
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD_FIELDS and key not in _CONTEXT_FIELDS and not key.startswith("_")
    }


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """`2026-05-18T16:00:00.123Z INFO portal.accounts request=ab12 user=7 message key=value`."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        line = (
            f"{_timestamp(record)} {record.levelname} {record.name} "
            f"request={getattr(record, 'request_id', '-')} user={getattr(record, 'user_id', '-')} "
            f"{record.getMessage()}"
        )
        if extras:
            line = f"{line} {extras}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the same fields as the text format."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", "-"),
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def log_settings_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """What is wrong with PORTAL_LOG_FORMAT or PORTAL_LOG_LEVEL, or None."""
    environ = os.environ if environ is None else environ
    fmt = environ.get("PORTAL_LOG_FORMAT", "text").lower()
    level = environ.get("PORTAL_LOG_LEVEL", "INFO").upper()
    if fmt not in LOG_FORMATS:
        return f"PORTAL_LOG_FORMAT is {fmt!r}: set it to one of {', '.join(LOG_FORMATS)}."
    if level not in LOG_LEVELS:
        return f"PORTAL_LOG_LEVEL is {level!r}: set it to one of {', '.join(LOG_LEVELS)}."
    return None


def logging_configure(environ: Mapping[str, str] | None = None, stream: Any = None) -> None:
    """Send the portal's log lines to standard error in the configured format (idempotent)."""
    environ = os.environ if environ is None else environ
    fmt = environ.get("PORTAL_LOG_FORMAT", "text").lower()
    level = environ.get("PORTAL_LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        level = "INFO"
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("portal")
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
