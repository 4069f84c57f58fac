"""Who may use the community's quality tools: its workers (and, to read, the street's admins).

A caller with no role in the community gets 404 (its existence is not theirs to learn); one who
belongs to it without the needed role gets 403.
"""

from __future__ import annotations

from backend.auth.caller import Caller
from backend.errors import Forbidden, NotFound


def require(caller: Caller, community_id: int, *roles: str) -> None:
    held = caller.roles_in(community_id)
    if not held:
        raise NotFound("community.not_found", "no such community among yours")
    if not held & set(roles):
        raise Forbidden("quality.role_required", f"needs one of the roles: {', '.join(roles)}")


def require_worker(caller: Caller, community_id: int) -> None:
    require(caller, community_id, "worker")


def require_reader(caller: Caller, community_id: int) -> None:
    require(caller, community_id, "worker", "admin")
