"""Lists of rounds and proposals page by keyset cursors (`{items, next_cursor}`, `limit` ≤ 100),
every row exactly once and in order; a round says what the caller may do in it now."""

from __future__ import annotations

from sqlalchemy import update

from backend.ventures.models import Proposal
from tests.factories import ADMIN, RESIDENT, RESIDENT2, REVIEWER, WORKER, Api
from tests.venture_factories import advance, draft, open_round, scores, submitted

ROUNDS = "/api/v1/ventures/rounds"


async def walk(api: Api, phone: str | None, url: str, **params: object) -> list[dict]:
    """Every item, two a page, following `next_cursor` (signed out when `phone` is None)."""
    items: list[dict] = []
    cursor = None
    while True:
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        if phone is None:
            answer = await api.client.get(url, params=query)
        else:
            answer = await api.get(phone, url, **query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= 2
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_rounds_page_own_area_first_then_newest_first(api: Api) -> None:
    demo = [(await open_round(api, title=f"demo {n}"))["id"] for n in range(2)]
    other = {"community_id": api.world["second"]}
    second = [(await open_round(api, title=f"second {n}", **other))["id"] for n in range(2)]
    street_id = (await api.get(ADMIN, f"{ROUNDS}/{demo[0]}")).json()["street_id"]
    street = (await open_round(api, community_id=None, street_id=street_id))["id"]

    # The demo resident: demo rounds and the street's round first (newest first), then second's.
    mine = [r["id"] for r in await walk(api, RESIDENT, ROUNDS)]
    assert mine == [street, demo[1], demo[0], second[1], second[0]]
    theirs = [r["id"] for r in await walk(api, RESIDENT2, ROUNDS)]
    assert theirs == [street, second[1], second[0], demo[1], demo[0]]
    await advance(api, demo[0], "supporting")
    supporting = await walk(api, RESIDENT, ROUNDS, phase="supporting")
    assert [r["id"] for r in supporting] == [demo[0]]
    public = [r["id"] for r in await walk(api, None, "/api/v1/ventures/public/rounds")]
    assert public == sorted(demo + second + [street], reverse=True)

    bad = await api.get(RESIDENT, ROUNDS, cursor="not-a-cursor")
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"
    too_many = await api.get(RESIDENT, ROUNDS, limit=101)
    assert too_many.status_code == 422


async def test_proposals_page_ranked_first_then_unranked(api: Api) -> None:
    rnd = await open_round(api)
    rid = rnd["id"]
    ids = [(await submitted(api, rid, title=f"P{n}"))["id"] for n in range(5)]
    mine = await draft(api, rid, title="草稿")
    # A published ranking over three of them, out of id order.
    async with api.sessions() as session:
        for pid, rank in ((ids[3], 1), (ids[0], 2), (ids[4], 3)):
            await session.execute(update(Proposal).where(Proposal.id == pid).values(rank=rank))
        await session.commit()
    url = f"{ROUNDS}/{rid}/proposals"
    pages = await walk(api, WORKER, url)
    listed = [p["id"] for p in pages]
    assert listed == [ids[3], ids[0], ids[4], ids[1], ids[2]]
    # A page is presented in one batch; each item equals the proposal read on its own.
    for item in pages:
        alone = await api.get(WORKER, f"/api/v1/ventures/proposals/{item['id']}")
        assert alone.json() == item
    own = [p["id"] for p in await walk(api, RESIDENT, url, view="mine")]
    assert own == [ids[3], ids[0], ids[4], ids[1], ids[2], mine["id"]]
    bad = await api.get(WORKER, url, cursor="eHw1")  # "x|5": a rank that is not a number
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


async def test_a_round_lists_what_the_caller_may_do_now(api: Api) -> None:
    rnd = await open_round(api)
    rid = rnd["id"]
    url = f"{ROUNDS}/{rid}"
    allowed = {
        phone: set((await api.get(phone, url)).json()["allowed_actions"])
        for phone in (ADMIN, RESIDENT, WORKER, REVIEWER, RESIDENT2)
    }
    assert allowed[ADMIN] == {"advance", "derive_needs", "screen_needs"}
    assert allowed[RESIDENT] == {"post_need", "propose"}
    # The demo worker lives in the community too.
    assert allowed[WORKER] == {"derive_needs", "screen_needs", "post_need", "propose"}
    assert allowed[REVIEWER] == {"screen_needs"}
    assert allowed[RESIDENT2] == set()  # another community's resident
    for phase in ("supporting", "reviewing", "announcing"):
        await advance(api, rid, phase)
    assert (await api.get(ADMIN, url)).json()["allowed_actions"] == ["advance", "answer_objections"]
    assert (await api.get(RESIDENT, url)).json()["allowed_actions"] == []
    listed = (await api.get(ADMIN, ROUNDS)).json()["items"]
    assert next(r for r in listed if r["id"] == rid)["allowed_actions"] == [
        "advance",
        "answer_objections",
    ]
    public = (await api.client.get(f"/api/v1/ventures/public/rounds/{rid}")).json()
    assert public["round"]["allowed_actions"] == []


async def test_a_proposal_lists_what_the_caller_may_do_now(api: Api) -> None:
    rnd = await open_round(api, support_threshold=1)
    rid = rnd["id"]
    mine = await draft(api, rid)
    url = f"/api/v1/ventures/proposals/{mine['id']}"
    assert mine["allowed_actions"] == ["edit", "submit"]
    submitted_now = (await api.post(RESIDENT, f"{url}/submit")).json()
    assert submitted_now["allowed_actions"] == []
    assert (await api.get(WORKER, url)).json()["allowed_actions"] == ["judge_eligibility"]
    await api.post(WORKER, f"{url}/eligibility", {"eligible": True})
    await advance(api, rid, "supporting")

    def actions(answer) -> list[str]:
        return answer.json()["allowed_actions"]

    assert actions(await api.get(RESIDENT2, url)) == []  # another community
    assert "support" in actions(await api.get(WORKER, url))  # also a resident of demo
    assert "support" not in actions(await api.get(RESIDENT, url))  # the author
    assert "support" not in actions(await api.post(WORKER, f"{url}/support"))  # done once
    await advance(api, rid, "reviewing")
    assert actions(await api.get(REVIEWER, url)) == ["review", "recuse"]
    scored = await api.post(REVIEWER, f"{url}/review", scores(16))
    assert actions(scored) == ["review"]  # may score again, no longer recuse
    await advance(api, rid, "announcing")
    assert actions(await api.get(RESIDENT, url)) == ["object"]
    assert actions(await api.get(REVIEWER, url)) == []
