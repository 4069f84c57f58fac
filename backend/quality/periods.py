"""Months and quarters as street offices count them: calendar periods in Asia/Shanghai.

Periods are named `2026-11` and `2026Q4`; each maps to a half-open UTC interval [start, end).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from backend.errors import Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def _utc(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=SHANGHAI).astimezone(UTC)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_of(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    return f"{local.year:04d}-{local.month:02d}"


def previous_month(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    return f"{year:04d}-{month:02d}"


def month_range(month: str, field: str = "month") -> tuple[datetime, datetime]:
    found = MONTH.match(month)
    if not found:
        raise Invalid(field, "a month like 2026-11")
    year, number = int(found[1]), int(found[2])
    return _utc(year, number), _utc(*_next(year, number))


def quarter_of(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    return f"{local.year:04d}Q{(local.month - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[5])
    return f"{year - 1:04d}Q4" if number == 1 else f"{year:04d}Q{number - 1}"


def quarter_range(quarter: str, field: str = "quarter") -> tuple[datetime, datetime]:
    found = QUARTER.match(quarter)
    if not found:
        raise Invalid(field, "a quarter like 2026Q4")
    year, number = int(found[1]), int(found[2])
    first = 3 * (number - 1) + 1
    end_year, end_month = (year + 1, 1) if number == 4 else (year, first + 3)
    return _utc(year, first), _utc(end_year, end_month)
