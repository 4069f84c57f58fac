"""Grids: a community's grids and buildings, and the order lists filtered by grid."""

from __future__ import annotations

from tests.factories import RESIDENT, RESIDENT2, WORKER, Api


async def _grids(api: Api, phone: str = WORKER, community: str = "demo") -> list[dict]:
    answer = await api.get(phone, f"/api/v1/communities/{api.world[community]}/grids")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_member_sees_the_grids_with_their_buildings(api: Api) -> None:
    grids = await _grids(api, RESIDENT)
    assert [g["name"] for g in grids] == ["第一网格", "第二网格", "第三网格"]
    assert [b["name"] for b in grids[0]["buildings"]] == ["1号楼", "2号楼"]
    assert [b["name"] for b in grids[2]["buildings"]] == ["5号楼", "6号楼"]


async def test_a_stranger_is_told_there_is_no_such_community(api: Api) -> None:
    answer = await api.get(RESIDENT2, f"/api/v1/communities/{api.world['demo']}/grids")
    assert answer.status_code == 404
    assert answer.json()["code"] == "community.not_found"


async def test_the_board_keeps_the_orders_of_one_grid(api: Api) -> None:
    first, second, third = await _grids(api)
    in_first = await api.order(building_id=first["buildings"][1]["id"], description="一网格")
    in_second = await api.order(building_id=second["buildings"][0]["id"], description="二网格")
    in_third = await api.order(building_id=third["buildings"][0]["id"], description="三网格")

    def ids(answer) -> list[int]:
        assert answer.status_code == 200, answer.text
        return [o["id"] for o in answer.json()["items"]]

    board = {"view": "community", "status": "submitted"}
    assert ids(await api.get(WORKER, "/api/v1/orders", **board, grid_id=first["id"])) == [
        in_first["id"]
    ]
    by_deadline = await api.get(
        WORKER, "/api/v1/orders", **board, grid_id=second["id"], sort="deadline"
    )
    assert ids(by_deadline) == [in_second["id"]]
    everything = ids(await api.get(WORKER, "/api/v1/orders", **board))
    assert {in_first["id"], in_second["id"], in_third["id"]} <= set(everything)


async def test_a_bad_grid_id_is_named_and_another_community_grid_lists_nothing(api: Api) -> None:
    answer = await api.get(WORKER, "/api/v1/orders", view="community", grid_id="north")
    assert answer.status_code == 422
    assert answer.json()["field"] == "grid_id"
    await api.order()
    elsewhere = (await _grids(api, RESIDENT2, "second"))[0]["id"]
    foreign = await api.get(WORKER, "/api/v1/orders", view="community", grid_id=elsewhere)
    assert foreign.json() == {"items": [], "next_cursor": None}
