"""JSON log lines, one object per line, each carrying the request id of the request it belongs to.

Log shippers (Loki, Fluent Bit, the cloud's collector) read one JSON object per line without
parsing rules. The request id is attached where the record is made (a log-record factory reads
the context variable), because Litestar formats records later on its queue-listener thread, where
the request's context is gone. `LINLI_LOG_FORMAT=text` gives readable lines for development.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from litestar.logging import LoggingConfig

from backend.observability.requestid import current_request_id

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
_installed = False


def install_record_factory() -> None:
    """Stamp every record with the current request id (once per process)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def logging_config(log_format: str, level: str) -> LoggingConfig:
    formatter: dict[str, Any] = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return LoggingConfig(
        formatters={"standard": formatter},
        root={"level": level, "handlers": ["queue_listener"]},
        loggers={"linli": {"level": level, "propagate": True}},
        log_exceptions="debug",
    )
