"""Log redaction: no full mobile number, bearer token or refresh token reaches a log line.

The filter sits on the log *handlers* (root, uvicorn's), so it sees every record, whichever
logger made it, and rewrites the finished message before it is queued or written. One-time codes
never reach a log outside development: the console SMS backend leaves them out (notify/sms.py).
"""

from __future__ import annotations

import logging
import re

from backend.validation import mask_phone

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")
_SECRET_FIELD = re.compile(
    r"""(?i)(["']?(?:access_token|refresh_token|password|code|authorization)["']?\s*[:=]\s*)"""
    r"""(["']?)[^"',}\s]+"""
)


def redact(text: str) -> str:
    text = _JWT.sub("[token]", text)
    text = _SECRET_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(1)), text)


class RedactFilter(logging.Filter):
    # In development the console SMS backend shows the code on purpose (it is how a developer
    # signs in); its phone number is still masked.
    reveal_sms_codes = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.reveal_sms_codes and record.name == "linli.sms":
            cleaned = _PHONE.sub(lambda m: mask_phone(m.group(1)), message)
        else:
            cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactFilter()


LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error")


def install(*, development: bool) -> None:
    """Put the filter on every handler of the root and uvicorn loggers (idempotent)."""
    _FILTER.reveal_sms_codes = development
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
