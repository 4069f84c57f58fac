"""A cold start of the dispatch board asks for its orders from the tiny module in index.html,
before the app's own code has run, and the board draws that answer: the list is requested once,
not again by the board (pwa/src/api/first-request.ts)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

WORKER = "13800000002"


def test_the_board_draws_the_list_requested_before_the_app_ran(phone_as) -> None:
    page: Page = phone_as(WORKER)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent: list[tuple[str, str]] = []  # (URL, the script that asked)

    def record(event: dict) -> None:
        url = event["request"]["url"]
        if "/api/v1/orders" in url:
            frames = event["initiator"].get("stack", {}).get("callFrames", [])
            sent.append((url, frames[0]["url"] if frames else event["initiator"].get("url", "")))

    cdp.on("Network.requestWillBeSent", record)
    page.goto("/board")
    expect(page.locator("article.card").first).to_be_visible()
    page.wait_for_timeout(1_000)  # long enough for a second request, were one made

    assert len(sent) == 1, sent
    url, initiator = sent[0]
    assert "view=community" in url and "status=submitted" in url
    assert "/assets/route-preload-" in initiator
