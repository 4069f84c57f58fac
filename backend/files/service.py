"""Uploading, reading and attaching files.

Who may read a file: its uploader; once it is attached to an order, everyone who may see that
order (the same rule as the order itself); and once it is the receipt or a milestone photo of a
micro-venture project on public disclosure (三务公开), everyone, signed in or not, since the
disclosure page that lists it is public (`public_file`). Anyone else gets 404. A file is
attached by the person who uploaded it, to one order only.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import Invalid, NotFound
from backend.files.images import clean_image
from backend.files.models import FilePublic, StoredFile, present_file
from backend.files.storage import Storage

# An order's photos, as every order answer (and so every transition's) reads them: built once,
# plain rows of the columns shown (present_file), no ORM objects.
_FILE = StoredFile.__table__  # type: ignore[attr-defined]
_SHOWN = ("id", "content_type", "size", "width", "height", "order_id", "created_at")
_OF_ORDER = (
    select(*(_FILE.c[n] for n in _SHOWN))
    .where(_FILE.c.order_id == bindparam("order_id"))
    .order_by(_FILE.c.id)
)


async def upload(
    session: AsyncSession, *, storage: Storage, caller: Caller, data: bytes
) -> FilePublic:
    image = await asyncio.to_thread(clean_image, data)
    key, thumb_key = secrets.token_hex(16), secrets.token_hex(16)
    await storage.put(key, image.content, image.content_type)
    await storage.put(thumb_key, image.thumbnail, "image/jpeg")
    row = StoredFile(
        owner_id=caller.id,
        content_type=image.content_type,
        size=len(image.content),
        width=image.width,
        height=image.height,
        key=key,
        thumb_key=thumb_key,
        sha256=hashlib.sha256(image.content).hexdigest(),
    )
    session.add(row)
    await session.commit()
    return present_file(row)


async def readable(session: AsyncSession, *, caller: Caller, file_id: int) -> StoredFile:
    from backend.orders.service import can_see  # orders attach files; avoid an import cycle
    from backend.ventures.disclosure import discloses_file  # likewise ventures

    row = await session.get(StoredFile, file_id)
    if row is not None and (
        row.owner_id == caller.id
        or (
            row.order_id is not None
            and await can_see(session, caller=caller, order_id=row.order_id)
        )
        or (row.order_id is None and await discloses_file(session, file_id))
    ):
        return row
    raise NotFound("file.not_found", "no such file among those you may see")


async def public_file(session: AsyncSession, *, file_id: int) -> StoredFile:
    """A file anyone may read without signing in: a disclosed project's receipt or photo.

    Never a photo attached to an order, even if someone who may see that order (a worker) has
    named it as a receipt: that would publish a resident's photo through the back door."""
    from backend.ventures.disclosure import discloses_file

    row = await session.get(StoredFile, file_id)
    if row is not None and row.order_id is None and await discloses_file(session, file_id):
        return row
    raise NotFound("file.not_found", "no such file among those you may see")


async def attach(
    session: AsyncSession, *, caller: Caller, photo_ids: list[int], order_id: int
) -> None:
    """In the caller's transaction: each photo must be the caller's and free (or this order's)."""
    if not photo_ids:
        return
    wanted = list(dict.fromkeys(photo_ids))
    rows = (await session.scalars(select(StoredFile).where(StoredFile.id.in_(wanted)))).all()
    usable = {r.id for r in rows if r.owner_id == caller.id and r.order_id in (None, order_id)}
    for photo_id in wanted:
        if photo_id not in usable:
            raise Invalid("photo_ids", f"no such file of yours: {photo_id}", "file.not_found")
    await session.execute(
        update(StoredFile)
        .where(StoredFile.id.in_(wanted))
        .values(order_id=order_id)
        .execution_options(synchronize_session=False)
    )


async def check_usable(session: AsyncSession, *, caller: Caller, photo_ids: list[int]) -> None:
    """Before an order exists: every photo is the caller's and not attached elsewhere."""
    if not photo_ids:
        return
    wanted = list(dict.fromkeys(photo_ids))
    rows = (await session.scalars(select(StoredFile).where(StoredFile.id.in_(wanted)))).all()
    usable = {r.id for r in rows if r.owner_id == caller.id and r.order_id is None}
    for photo_id in wanted:
        if photo_id not in usable:
            raise Invalid("photo_ids", f"no such file of yours: {photo_id}", "file.not_found")


async def of_order(session: AsyncSession, order_id: int) -> list[FilePublic]:
    rows = await session.execute(_OF_ORDER, {"order_id": order_id})
    return [present_file(r) for r in rows]  # type: ignore[arg-type]
