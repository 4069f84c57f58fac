"""Writing, reading and verifying the audit chain.

Each entry's `hash` is SHA-256 over its own fields and the previous entry's hash, and `seq`
counts up by one. Editing a row breaks its hash; deleting one breaks the next row's link and
the count. Appending must see the true last entry, so writers queue for it: on PostgreSQL with a
transaction-scoped advisory lock (released at commit), on SQLite by the write lock every writing
request already takes up front (BEGIN IMMEDIATE). `record` is therefore called last, just
before the caller commits, to hold that lock as briefly as possible.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.context import client_ip
from backend.audit.models import AuditActor, AuditEntry, AuditEntryPublic, AuditPage, VerifyResult
from backend.auth.caller import Caller
from backend.auth.models import User
from backend.db import flush_pending, utcnow
from backend.errors import Forbidden, Invalid, NotFound
from backend.validation import mask_phone

GENESIS = "0" * 64
_LOCK_KEY = 7_110_220  # any constant: one advisory lock guards the chain's tail
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ROLE_ORDER = ("admin", "worker", "party_member", "volunteer", "provider", "resident", "reviewer")


def _scrub(value: Any) -> Any:
    """JSON-normal form with every full mobile number masked (the log keeps no phone numbers)."""
    value = json.loads(json.dumps(value, default=str, ensure_ascii=False))

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return _PHONE.sub(lambda m: mask_phone(m.group(0)), v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)


_HASHED = ("seq", "actor_id", "actor_role", "action", "target_type", "target_id")
_HASHED += ("community_id", "before", "after", "ip", "prev_hash")
# The appending statements, built once (Core: no ORM object or flush on every write's path).
_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_TAIL = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_APPEND = insert(_TABLE)


def entry_hash(entry: AuditEntry) -> str:
    return _hash({k: getattr(entry, k) for k in (*_HASHED, "at")})


def _hash(entry: dict[str, Any]) -> str:
    fields = {k: entry[k] for k in _HASHED}
    fields["at"] = entry["at"].astimezone(UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _role(actor: Caller | None, community_id: int | None) -> str | None:
    if actor is None:
        return None
    held = actor.roles_in(community_id) if community_id is not None else frozenset()
    if not held:
        held = frozenset().union(*actor.roles.values()) if actor.roles else frozenset()
    return next((r for r in _ROLE_ORDER if r in held), None)


async def record(
    session: AsyncSession,
    *,
    actor: Caller | None,
    action: str,
    target: tuple[str, int | str | None],
    community_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Append one entry to the chain in the caller's transaction (call it just before commit).

    Returns the entry's columns (`seq`, `hash`, … as written)."""
    await flush_pending(session)  # the caller's pending rows first, before the lock is taken
    if session.bind.dialect.name == "postgresql":
        await session.execute(_LOCK, {"key": _LOCK_KEY})
    last = (await session.execute(_TAIL)).first()
    entry = {
        "seq": (last.seq + 1) if last else 1,
        "at": at or utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_role": _role(actor, community_id),
        "action": action,
        "target_type": target[0],
        "target_id": None if target[1] is None else str(target[1]),
        "community_id": community_id,
        "before": _scrub(before) if before is not None else None,
        "after": _scrub(after) if after is not None else None,
        "ip": ip if ip is not None else client_ip.get(),
        "prev_hash": last.hash if last else GENESIS,
    }
    entry["hash"] = _hash(entry)
    await session.execute(_APPEND, entry)
    return entry


async def list_entries(
    session: AsyncSession, *, caller: Caller, community_id: int, cursor: str | None, limit: int
) -> AuditPage:
    """A community's trail, newest first: for its workers and the street's admins."""
    roles = caller.roles_in(community_id)
    if not roles:
        raise NotFound("community.not_found", "no such community among yours")
    if not roles & {"worker", "admin"}:
        raise Forbidden("audit.role_required", "only workers and admins read the audit trail")
    query = (
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.community_id == community_id)
    )
    if cursor is not None:
        if not cursor.isdigit() or int(cursor) <= 0:
            raise Invalid("cursor", "not a cursor this API handed out")
        query = query.where(AuditEntry.seq < int(cursor))
    rows = (await session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit + 1))).all()
    items = [
        AuditEntryPublic(
            seq=e.seq,
            at=e.at,
            actor=AuditActor(id=e.actor_id, name=name or "", role=e.actor_role),
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            community_id=e.community_id,
            before=e.before,
            after=e.after,
            ip=e.ip,
        )
        for e, name in rows[:limit]
    ]
    next_cursor = str(rows[limit - 1][0].seq) if len(rows) > limit else None
    return AuditPage(items=items, next_cursor=next_cursor)


async def verify(session: AsyncSession, *, batch: int = 1000) -> VerifyResult:
    """Walk the whole chain: every hash recomputed, every link and every step of `seq` checked."""
    problems: list[str] = []
    prev_hash, expected_seq, count, after_seq = GENESIS, 1, 0, 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            break
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                problems.append(f"seq {expected_seq}: missing (next is {entry.seq})")
            if entry.prev_hash != prev_hash:
                problems.append(f"seq {entry.seq}: does not follow the entry before it")
            if entry_hash(entry) != entry.hash:
                problems.append(f"seq {entry.seq}: contents changed after it was written")
            prev_hash, expected_seq, after_seq = entry.hash, entry.seq + 1, entry.seq
    return VerifyResult(ok=not problems, entries=count, head=prev_hash, problems=problems)
