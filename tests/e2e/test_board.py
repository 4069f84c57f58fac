"""The dispatch board's filters: status, service and grid each narrow the list the worker sees,
through the phone's own picker, to what the API lists for the same filters."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import expect

from backend.orders.models import OPEN_STATUSES
from tests.e2e.conftest import Server

WORKER = "13800000002"


def _board(server: Server, **filters: object) -> list[dict]:
    """What the board asks for: an open status as the server's queue by deadline, else the
    newest page."""
    query = {"view": "community", "limit": 20, **filters}
    if filters.get("status") in OPEN_STATUSES:
        query["sort"] = "deadline"
    return server.request("GET", f"/api/v1/orders?{urlencode(query)}", phone=WORKER)["items"]


def test_the_board_filters_by_status_service_and_grid(phone_as, server: Server) -> None:
    community = server.request("GET", "/api/v1/me", phone=WORKER)["memberships"][0]["community_id"]
    grids = server.request("GET", f"/api/v1/communities/{community}/grids", phone=WORKER)
    page = phone_as(WORKER)
    page.goto("/board")
    cards = page.locator("article.card")
    waiting = _board(server, status="submitted")
    assert waiting, "the demo data has orders waiting for dispatch"
    expect(cards).to_have_count(len(waiting))

    # Every order, whatever its status: the newest page, open ones first.
    page.get_by_label("按状态筛选").select_option(label="全部状态")
    expect(page.get_by_test_id("filter-status")).to_contain_text("全部状态")
    expect(cards).to_have_count(len(_board(server)))
    expect(cards.last).not_to_contain_text("待派单")

    # One grid: the one holding the first waiting order's building.
    building = waiting[0]["building"]["id"]
    grid = next(g for g in grids if building in {b["id"] for b in g["buildings"]})
    page.get_by_label("按网格筛选").select_option(label=grid["name"])
    expect(page.get_by_test_id("filter-grid")).to_contain_text(grid["name"])
    in_grid = _board(server, grid_id=grid["id"])
    expect(cards).to_have_count(len(in_grid))
    for order in in_grid:
        expect(cards.filter(has_text=order["number"])).to_have_count(1)

    # A service with nothing open in that grid: the list says so in words.
    used = {o["category"]["id"] for o in in_grid}
    categories = server.request("GET", f"/api/v1/communities/{community}/categories", phone=WORKER)
    idle = next(c for c in categories if c["id"] not in used)
    page.get_by_label("按服务筛选").select_option(label=idle["name"])
    expect(cards).to_have_count(0)
    expect(page.get_by_text("暂无订单")).to_be_visible()
