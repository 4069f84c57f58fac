"""Files that venture records point at — expense receipts (发票), milestone evidence photos,
proposal attachments — must be uploaded files the caller may see (`backend/files`). Anything
else is a 422 naming the field, with one answer for a file that does not exist and one the
caller may not see, so that an id reveals nothing about other people's files."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import Invalid, NotFound
from backend.files.service import readable


async def require_visible(
    session: AsyncSession, *, caller: Caller, field: str, file_ids: Iterable[int | None]
) -> None:
    for file_id in dict.fromkeys(f for f in file_ids if f is not None):
        try:
            await readable(session, caller=caller, file_id=file_id)
        except NotFound as exc:
            raise Invalid(
                field, f"no such file among those you may see: {file_id}", "file.not_found"
            ) from exc
