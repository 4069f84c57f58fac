"""Whom a worker may dispatch to: serving organisations, then volunteers and party members."""

from __future__ import annotations

from tests.factories import RESIDENT, RESIDENT2, WORKER, Api


async def test_worker_sees_organisations_then_people_with_their_roles(api: Api) -> None:
    answer = await api.get(WORKER, f"/api/v1/communities/{api.world['demo']}/takers")
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert items[0] == {
        "kind": "provider",
        "id": api.world["provider"],
        "name": "银发餐桌",
        "roles": [],
    }
    people = {i["name"]: sorted(i["roles"]) for i in items if i["kind"] == "user"}
    assert people == {"王红梅": ["party_member", "volunteer"], "刘洋": ["volunteer"]}


async def test_a_category_narrows_the_list_to_who_may_take_it(api: Api) -> None:
    url = f"/api/v1/communities/{api.world['demo']}/takers"
    mediation = await api.get(WORKER, url, category_id=await api.category("mediation"))
    assert [i["name"] for i in mediation.json()["items"]] == ["王红梅"]
    bath = await api.get(WORKER, url, category_id=await api.category("bath"))
    assert [i["kind"] for i in bath.json()["items"]] == ["provider"]
    foreign = await api.get(WORKER, url, category_id=await api.category("bath", "second"))
    assert foreign.status_code == 422 and foreign.json()["field"] == "category_id"


async def test_pages_cover_everyone_once(api: Api) -> None:
    url = f"/api/v1/communities/{api.world['demo']}/takers"
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(WORKER, url, **params)).json()
        seen += [(i["kind"], i["id"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 3


async def test_residents_may_not_and_strangers_do_not_see(api: Api) -> None:
    url = f"/api/v1/communities/{api.world['demo']}/takers"
    assert (await api.get(RESIDENT, url)).status_code == 403
    assert (await api.get(RESIDENT2, url)).status_code == 404
