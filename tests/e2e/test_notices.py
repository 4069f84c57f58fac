"""The inbox and notification settings under 我的: a resident whose order was taken sees the
unread count on the tab bar and in 我的, reads the notice in 消息 (it leads to the order), marks
everything read; then sets SMS and quiet hours, which the server keeps. In normal and 长辈模式,
with axe finding nothing serious. With LINLI_SCREENSHOTS=<dir> the screens are saved there."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, axe_violations

RESIDENT, WORKER, VOLUNTEER = "13800000001", "13800000002", "13800000004"
ZH = json.loads((Path(__file__).parents[2] / "pwa/src/locales/zh-CN.json").read_text())
SHOTS = os.environ.get("LINLI_SCREENSHOTS")


def settled(page: Page, name: str) -> None:
    """Let Vant's transitions finish (a button fading in, a popup leaving) before axe looks;
    with LINLI_SCREENSHOTS, save the screen as it is then."""
    page.wait_for_timeout(300)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def taken_order(server: Server) -> dict:
    """A fresh errand of the resident, published and claimed: the resident is told 已接单."""
    me = server.request("GET", "/api/v1/me", phone=RESIDENT)
    community = me["memberships"][0]["community_id"]
    path = f"/api/v1/communities/{community}/categories"
    categories = server.request("GET", path, phone=RESIDENT)
    errand = next(c for c in categories if c["code"] == "errand")
    body = {"community_id": community, "category_id": errand["id"], "description": "帮忙换灯泡"}
    order = server.request("POST", "/api/v1/orders", body, phone=RESIDENT)
    server.request("POST", f"/api/v1/orders/{order['id']}/dispatch", {"mode": "pool"}, phone=WORKER)
    server.request("POST", f"/api/v1/orders/{order['id']}/accept", {}, phone=VOLUNTEER)
    return order


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_inbox_badge_read_and_read_all(phone_as, server: Server, elder: bool) -> None:
    taken_order(server)  # two notices: one read by opening it, one left for 全部已读
    order = taken_order(server)
    unread = server.request("GET", "/api/v1/inbox/unread-count", phone=RESIDENT)["unread"]
    assert unread >= 1
    page = phone_as(RESIDENT, elder=elder)
    suffix = "-elder" if elder else ""

    page.goto("/me")
    tab = page.locator(".van-tabbar-item", has_text=ZH["tabs"]["me"])
    expect(tab.locator(".van-badge")).to_have_text(str(unread))
    link = page.get_by_test_id("inbox-link")
    expect(link).to_contain_text(ZH["inbox"]["unreadCount"].replace("{n}", str(unread)))
    settled(page, f"me{suffix}")
    assert axe_violations(page) == []

    link.click()
    page.wait_for_url(re.compile(r"/me/inbox$"))
    accepted = ZH["inbox"]["kinds"]["order"]["accept"].replace("{number}", order["number"])
    notice = page.locator(".van-cell.unread", has_text=accepted)
    expect(notice).to_be_visible()
    settled(page, f"inbox{suffix}")
    assert axe_violations(page) == []

    notice.click()  # read, and taken to the order
    page.wait_for_url(re.compile(rf"/orders/{order['id']}$"))
    page.go_back()
    expect(page.locator(".van-cell", has_text=accepted)).not_to_have_class(re.compile("unread"))
    page.get_by_role("button", name=ZH["inbox"]["readAll"]).click()
    expect(page.locator(".van-cell.unread")).to_have_count(0)
    expect(page.locator(".van-badge")).to_have_count(0)
    assert server.request("GET", "/api/v1/inbox/unread-count", phone=RESIDENT)["unread"] == 0


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_notification_settings_are_kept(phone_as, server: Server, elder: bool) -> None:
    page = phone_as(RESIDENT, elder=elder)
    page.goto("/me")
    page.locator(".van-cell", has_text=ZH["me"]["notifications"]).click()
    page.wait_for_url(re.compile(r"/me/notifications$"))
    prefs = ZH["notifyPrefs"]
    page.get_by_role("radio", name=re.compile(prefs["sms"]["off"])).click()
    page.get_by_role("switch", name=prefs["quiet"]).click()
    page.locator("[data-pick='start']").click()
    expect(page.locator(".van-picker")).to_be_visible()
    settled(page, f"notification-time{'-elder' if elder else ''}")
    page.locator(".van-picker__confirm").click()
    expect(page.locator(".van-picker")).to_have_count(0)
    settled(page, f"notification-prefs{'-elder' if elder else ''}")
    assert axe_violations(page) == []
    page.get_by_role("button", name=prefs["save"]).click()
    expect(page.get_by_text(prefs["saved"])).to_be_visible()
    kept = server.request("GET", "/api/v1/notifications/preferences", phone=RESIDENT)
    assert kept == {"push": True, "sms": False, "quiet_start": "22:00", "quiet_end": "07:00"}
    # Back to the defaults for the other tests.
    body = {"push": True, "sms": None, "quiet_start": None, "quiet_end": None}
    server.request("PUT", "/api/v1/notifications/preferences", body, phone=RESIDENT)
