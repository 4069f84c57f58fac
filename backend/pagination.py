"""Keyset pagination cursors: opaque to clients, the last id of a page underneath."""

from __future__ import annotations

import base64
import binascii

from backend.errors import Invalid


def encode_cursor(order_id: int) -> str:
    return base64.urlsafe_b64encode(str(order_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid("cursor", "not a cursor this API handed out") from exc
    if value <= 0:
        raise Invalid("cursor", "not a cursor this API handed out")
    return value
