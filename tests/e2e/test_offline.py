"""Offline-first: the app opens with no network and says so; an order placed offline waits in the
outbox and reaches the server exactly once when the connection returns, however often it returns."""

from __future__ import annotations

import json
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Server

RESIDENT = "13800000001"
ZH = json.loads((Path(__file__).parents[2] / "pwa/src/locales/zh-CN.json").read_text())


def orders_with(server: Server, description: str) -> int:
    page = server.request("GET", "/api/v1/orders?view=mine&limit=100", phone=RESIDENT)
    return sum(1 for order in page["items"] if order["description"] == description)


def test_order_placed_offline_is_sent_exactly_once(phone_as, server: Server) -> None:
    page = phone_as(RESIDENT)
    context = page.context
    wish = f"离线下单：请帮忙代缴燃气费 {time.time_ns()}"

    page.goto("/home")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker controls the page
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.locator("button.tile[data-code='errand']").click()
    page.locator("textarea[name='description']").wait_for()

    context.set_offline(True)
    expect(page.get_by_text(ZH["offline"]["banner"])).to_be_visible()
    page.locator("textarea[name='description']").fill(wish)
    page.get_by_role("button", name=ZH["orderForm"]["submit"]).click()
    queued = page.locator("[data-testid='queued-order']", has_text=wish)
    expect(queued).to_contain_text(ZH["outbox"]["waiting"])

    # The precached shell opens with no network at all, and still shows what waits to be sent.
    page.reload()
    expect(page.get_by_text(ZH["offline"]["banner"])).to_be_visible()
    expect(queued).to_be_visible()
    assert orders_with(server, wish) == 0

    context.set_offline(False)
    expect(queued).to_have_count(0)
    assert orders_with(server, wish) == 1

    # The connection flapping again, and a fresh start, send nothing more.
    context.set_offline(True)
    context.set_offline(False)
    page.reload()
    expect(page.locator("article.card", has_text=wish)).to_be_visible()
    assert orders_with(server, wish) == 1
