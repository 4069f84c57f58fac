"""Every main screen, in normal and in 长辈模式: axe-core finds no serious or critical violation,
elder mode really enlarges the text, and a photo's delete button is a whole tap target. With
LINLI_SCREENSHOTS=<dir> the normal-mode screens are also saved there as 390×844 PNGs (how
docs/screenshots/ is made: `make screenshots`, which also runs the notices and ventures tours)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, axe_violations

RESIDENT, WORKER, VOLUNTEER = "13800000001", "13800000002", "13800000004"
SHOTS = os.environ.get("LINLI_SCREENSHOTS")


def _detail_path(server: Server) -> str:
    """The resident's demo order with the longest timeline: the richest detail screen."""
    orders = server.request("GET", "/api/v1/orders?view=mine&limit=100", phone=RESIDENT)["items"]
    rich = ["completed", "in_progress", "accepted"]
    ranked = sorted(orders, key=lambda o: rich.index(o["status"]) if o["status"] in rich else 9)
    return f"/orders/{ranked[0]['id']}"


def _open_sheet(page: Page) -> None:
    page.locator("[data-action='dispatch']").first.click()
    expect(page.locator(".van-popup .van-radio").first).to_be_visible()


def _open_form(page: Page) -> None:
    page.locator("button.tile").first.click()
    page.locator("textarea[name='description']").wait_for()


# name, account (None: signed out), path, ready selector, extra step
SCREENS = [
    ("signin", None, "/signin", "input[name='phone']", None),
    ("home", RESIDENT, "/home", "button.tile", None),
    ("order-form", RESIDENT, "/home", "button.tile", _open_form),
    ("orders", RESIDENT, "/orders", "article.card", None),
    ("order-detail", RESIDENT, "detail", ".ev__what", None),
    ("board", WORKER, "/board", "article.card", None),
    ("dispatch", WORKER, "/board", "article.card [data-action='dispatch']", _open_sheet),
    ("hall", VOLUNTEER, "/hall", "article.card", None),
    ("tasks", VOLUNTEER, "/tasks", "article.card", None),
    ("me", RESIDENT, "/me", ".van-cell", None),
    ("inbox", RESIDENT, "/me/inbox", ".van-cell, .empty-note", None),
    ("notification-prefs", RESIDENT, "/me/notifications", ".van-switch", None),
    ("quality", WORKER, "/quality", ".chart, .van-tabs", None),
    ("callbacks", WORKER, "/quality/callbacks", ".van-cell-group", None),
    ("points", VOLUNTEER, "/me/points", ".van-cell-group", None),
]


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_every_screen_passes_axe(phone_as, server: Server, elder: bool) -> None:
    found: dict[str, list] = {}
    pages: dict[str | None, Page] = {}
    for name, phone, path, ready, step in SCREENS:
        if phone not in pages:
            pages[phone] = phone_as(phone, elder=elder)
        page = pages[phone]
        page.goto(_detail_path(server) if path == "detail" else path)
        page.locator(ready).first.wait_for()
        if step:
            step(page)
        page.wait_for_timeout(300)  # transitions settle (Vant popups animate in)
        if SHOTS and not elder:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))
        if SHOTS and elder and name == "home":
            page.screenshot(path=str(Path(SHOTS) / "home-elder.png"))
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_elder_mode_enlarges_text(phone_as) -> None:
    page = phone_as(RESIDENT)
    page.goto("/home")
    tile = page.locator(".tile__name").first
    cell = page.locator(".van-cell__title").first
    tile.wait_for()

    def measure() -> dict[str, float]:
        return page.evaluate(
            """([tile, cell]) => {
                const px = (el, p) => parseFloat(getComputedStyle(el)[p]);
                return {tile: px(tile, 'fontSize'), cell: px(cell, 'fontSize'),
                        cellLine: px(cell, 'lineHeight') / px(cell, 'fontSize')};
            }""",
            [tile.element_handle(), cell.element_handle()],
        )

    normal = measure()
    page.get_by_role("switch", name="长辈版").click()
    expect(page.locator("html.elder")).to_have_count(1)
    elder = measure()
    assert elder["tile"] >= 1.3 * normal["tile"]
    assert elder["cell"] >= 1.3 * normal["cell"]
    assert elder["cellLine"] >= 1.3
    # The simplified home: at most six services and a big 我的订单 button.
    assert page.locator("button.tile").count() <= 6
    big = page.locator(".form-actions").get_by_text("我的订单")
    expect(big).to_be_visible()


@pytest.mark.parametrize("phone", [VOLUNTEER, WORKER], ids=["volunteer", "worker"])
def test_elder_tab_names_do_not_run_into_each_other(phone_as, phone: str) -> None:
    """A volunteer or a worker has six tabs; at the elder font their names must still stand
    apart and keep the full name for screen readers."""
    page = phone_as(phone, elder=True)
    page.goto("/me")
    items = page.locator(".van-tabbar-item")
    expect(items).to_have_count(6)
    # Where each visible name starts and ends (the sr-only unread note left out).
    spans = page.evaluate(
        """() => [...document.querySelectorAll('.van-tabbar-item__text')].map((text) => {
            const range = document.createRange();
            const name = [...text.childNodes].find((n) => n.nodeType === 3 && n.textContent.trim());
            range.selectNodeContents(name);
            const r = range.getBoundingClientRect();
            return [r.left, r.right];
        })"""
    )
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert min(gaps) >= 8, gaps  # a clear space between neighbours, not a run-on line
    expect(page.get_by_label("抢单大厅" if phone == VOLUNTEER else "派单台")).to_be_visible()


@pytest.mark.parametrize(("elder", "least"), [(False, 44), (True, 48)], ids=["normal", "elder"])
def test_a_photos_delete_button_is_a_full_tap_target(
    phone_as, tmp_path: Path, elder: bool, least: int
) -> None:
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 64), (40, 90, 200)).save(photo)
    page = phone_as(RESIDENT, elder=elder)
    page.goto("/home")
    _open_form(page)
    page.locator("input[type='file']").set_input_files(str(photo))
    delete = page.locator(".van-uploader__preview-delete")
    expect(delete).to_have_count(1)
    box = delete.bounding_box()
    assert box and box["width"] >= least and box["height"] >= least, box
    if SHOTS and not elder:  # the README's picture of the form with a photo
        page.locator("textarea[name='description']").fill("楼道灯坏了，晚上很黑，请尽快来修")
        page.screenshot(path=str(Path(SHOTS) / "order-form-photos.png"))
    delete.click()
    expect(page.locator(".van-uploader__preview")).to_have_count(0)
