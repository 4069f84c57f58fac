"""Keyset pagination cursors: opaque to clients, the sort key of a page's last row underneath.

One codec for every list: `encode_key`/`decode_key` carry a key of several parts (a deadline and
an id, a kind and an id); `encode_cursor`/`decode_cursor` are the common case of a positive id.
"""

from __future__ import annotations

import base64
import binascii

from backend.errors import Invalid

_SEPARATOR = "|"


def _refuse() -> Invalid:
    return Invalid("cursor", "not a cursor this API handed out")


def encode_key(*parts: object) -> str:
    raw = _SEPARATOR.join(str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_key(cursor: str, size: int) -> list[str]:
    """The cursor's parts as text; a cursor of another shape is a 422 naming `cursor`."""
    try:
        parts = (
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(_SEPARATOR)
        )
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _refuse() from exc
    if len(parts) != size:
        raise _refuse()
    return parts


def encode_cursor(row_id: int) -> str:
    return encode_key(row_id)


def decode_cursor(cursor: str) -> int:
    try:
        value = int(decode_key(cursor, 1)[0])
    except ValueError as exc:
        raise _refuse() from exc
    if value <= 0:
        raise _refuse()
    return value
