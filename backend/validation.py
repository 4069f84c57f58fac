"""Validators for values that arrive from outside: mainland mobile numbers, USCC codes."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9]\d{9}")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_mainland_mobile(value: str) -> str:
    """11 digits starting with 1 and a carrier digit 3–9 (what Chinese carriers issue)."""
    if not isinstance(value, str) or not _MOBILE.fullmatch(value):
        raise ValueError("must be a mainland China mobile number: 11 digits starting with 1")
    return value


def is_valid_uscc(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a weighted mod-31 checksum."""
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(
        _USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True)
    )
    check = (31 - total % 31) % 31
    return _USCC_ALPHABET[check] == code[17]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[7:] if len(phone) == 11 else "****"
