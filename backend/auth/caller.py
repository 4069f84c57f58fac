"""The signed-in caller as the access token describes them: roles per community, provider orgs.

Roles travel in the short-lived access token (10 minutes by default) so that authorising a request
costs no query; a change of roles takes effect at the next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VOLUNTEER_ROLES = frozenset({"volunteer", "party_member"})


@dataclass(frozen=True)
class Caller:
    id: int
    name: str
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    provider_ids: frozenset[int] = frozenset()

    def roles_in(self, community_id: int) -> frozenset[str]:
        return self.roles.get(community_id, frozenset())

    def has(self, role: str, community_id: int) -> bool:
        return role in self.roles_in(community_id)

    def communities_with(self, *roles: str) -> list[int]:
        wanted = set(roles)
        return sorted(cid for cid, held in self.roles.items() if held & wanted)

    def has_any(self, *roles: str) -> bool:
        return bool(self.communities_with(*roles))

    def to_claims(self) -> dict:
        return {
            "name": self.name,
            "m": {str(cid): sorted(held) for cid, held in self.roles.items()},
            "p": sorted(self.provider_ids),
        }

    @classmethod
    def from_claims(cls, claims: dict) -> Caller:
        return cls(
            id=int(claims["sub"]),
            name=str(claims.get("name", "")),
            roles={int(cid): frozenset(held) for cid, held in claims.get("m", {}).items()},
            provider_ids=frozenset(int(p) for p in claims.get("p", [])),
        )
