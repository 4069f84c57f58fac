"""Screens follow the live event stream: a volunteer's order hall shows an order the moment a
worker publishes it to the pool — no reload, and sooner than the 10 s fallback poll could."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

RESIDENT, WORKER, VOLUNTEER = "13800000001", "13800000002", "13800000004"


def test_the_hall_shows_a_new_pooled_order_within_seconds(phone_as, server) -> None:
    volunteer: Page = phone_as(VOLUNTEER)
    with volunteer.expect_response(lambda r: r.url.endswith("/api/v1/events")) as stream:
        volunteer.goto("/hall")
    assert stream.value.status == 200
    volunteer.locator("article.card, .empty-note").first.wait_for()  # the list has loaded
    volunteer.wait_for_timeout(300)  # the server subscribes the stream as it starts its body

    me = server.request("GET", "/api/v1/me", phone=RESIDENT)
    community = me["memberships"][0]["community_id"]
    categories = server.request(
        "GET", f"/api/v1/communities/{community}/categories", phone=RESIDENT
    )
    errand = next(c for c in categories if c["code"] == "errand")
    wish = f"帮忙取个快递 {time.time_ns()}"
    order = server.request(
        "POST",
        "/api/v1/orders",
        {"community_id": community, "category_id": errand["id"], "description": wish},
        phone=RESIDENT,
    )
    published = time.monotonic()
    server.request("POST", f"/api/v1/orders/{order['id']}/dispatch", {"mode": "pool"}, phone=WORKER)

    card = volunteer.locator("article.card", has_text=wish)
    expect(card).to_be_visible(timeout=3_000)  # the fallback poll would take up to 10 s
    assert time.monotonic() - published < 3
    expect(card.locator("[data-action='accept']")).to_be_visible()
