"""Structured logging: one line per event, JSON in production, readable in a terminal.

Fields added with ``extra={"fields": {...}}`` become keys of the JSON object. Personal data must be
masked before it is logged (see ``sanyi.kernel.masking``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_CONFIGURED = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            event.update(fields)
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = f"{record.levelname:<7} {record.name}: {record.getMessage()}"
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields:
            base += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            base += "\n" + self.formatException(record.exc_info)
        return base


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Configure the root ``sanyi`` logger once per process."""
    global _CONFIGURED  # noqa: PLW0603 - logging is process-wide by nature
    logger = logging.getLogger("sanyi")
    logger.setLevel(level.upper())
    if _CONFIGURED:
        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter() if json_lines else ConsoleFormatter())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else ConsoleFormatter())
    logger.addHandler(handler)
    logger.propagate = False
    _CONFIGURED = True


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("sanyi") else f"sanyi.{name}")
