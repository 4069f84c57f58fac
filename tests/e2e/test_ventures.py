"""A funded idea carried out in the phone app: the admin signs the contract, releases a tranche
and moves money between budget lines, the resident team records an expense, the admin answers an
objection of 公示, a worker screens a need and checks eligibility, reviewers score and evaluate;
every screen passes axe in normal and elder mode. With LINLI_SCREENSHOTS=<dir> each screen is
also saved there (390×844, full page).

The round is set up behind the UI, through the API as the demo accounts, up to the step the
screens under test take over."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, Server, axe_violations
from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, WORKER

ZH = json.loads((ROOT / "pwa" / "src" / "locales" / "zh-CN.json").read_text())
SHOTS = os.environ.get("LINLI_SCREENSHOTS")
PHASES = ("collecting", "supporting", "reviewing", "announcing", "implementing", "evaluating")


def t(key: str) -> str:
    value: Any = ZH
    for part in key.split("."):
        value = value[part]
    return value


def _submitted(server: Server, title: str) -> tuple[int, int]:
    """A demo-community round whose every phase date has passed, still collecting, with a need
    and the demo resident's submitted proposal; answers (round id, proposal id)."""
    me = server.request("GET", "/api/v1/me", phone=RESIDENT)
    demo = me["memberships"][0]["community_id"]
    now = datetime.now(UTC)
    schedule = {
        f"{phase}_from": (now - timedelta(days=40 - 5 * i)).isoformat()
        for i, phase in enumerate((*PHASES, "closed"))
    }
    schedule["implementing_from"] = (now - timedelta(days=10)).isoformat()
    schedule["evaluating_from"] = (now - timedelta(days=4)).isoformat()
    schedule["closed_from"] = (now - timedelta(days=1)).isoformat()
    rnd = server.request(
        "POST",
        "/api/v1/ventures/rounds",
        {
            "title": title,
            "community_id": demo,
            "pool_fen": 2_000_000,
            "support_threshold": 1,
            **schedule,
        },
        phone=ADMIN,
    )
    rid = rnd["id"]
    server.request(
        "POST", f"/api/v1/ventures/rounds/{rid}/needs", {"title": "楼道没有照明"}, phone=RESIDENT
    )
    draft = {
        "title": "楼道感应灯",
        "problem": "夜里楼道太黑，老人容易摔倒",
        "plan": "为 6 个单元安装感应灯",
        "beneficiaries": "楼内居民",
        "beneficiary_count": 120,
        "team": "张秀英、楼栋长",
        "budget_lines": [
            {"item": "感应灯具", "quantity": 60, "unit_price_fen": 10_000},
            {"item": "安装人工", "quantity": 4, "unit_price_fen": 100_000},
        ],
    }
    pid = server.request("POST", f"/api/v1/ventures/rounds/{rid}/proposals", draft, phone=RESIDENT)[
        "id"
    ]
    server.request("POST", f"/api/v1/ventures/proposals/{pid}/submit", phone=RESIDENT)
    return rid, pid


def _round_with_a_winner(server: Server) -> tuple[int, int]:
    """A demo-community round moved to 公示 with one selected proposal and one objection."""
    rid, pid = _submitted(server, "2026 冬季微创投")
    url = f"/api/v1/ventures/proposals/{pid}"
    server.request("POST", f"{url}/eligibility", {"eligible": True}, phone=WORKER)
    advance(server, rid, "supporting")
    server.request("POST", f"{url}/support", phone=PARTY)
    advance(server, rid, "reviewing")
    scores = dict.fromkeys(
        ("need_fit", "feasibility", "budget", "sustainability", "participation"), 17
    )
    server.request(
        "POST", f"{url}/review", {"no_conflict": True, **scores, "comment": "可行"}, phone=REVIEWER
    )
    advance(server, rid, "announcing")
    server.request("POST", f"{url}/objections", {"reason": "灯具单价偏高"}, phone=PARTY)
    return rid, pid


def _jpeg() -> bytes:
    """A small photo of a receipt, as a phone camera would hand it over."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 230)).save(buffer, "JPEG")
    return buffer.getvalue()


def advance(server: Server, round_id: int, to: str) -> None:
    server.request("POST", f"/api/v1/ventures/rounds/{round_id}/advance", {"to": to}, phone=ADMIN)


def settle(page: Page, name: str) -> list[dict]:
    """Let the screen settle, save it when asked, and answer its axe violations."""
    page.wait_for_timeout(300)
    if SHOTS:
        # A full-page shot of a scrolled page draws the fixed bar in the middle.
        page.evaluate("window.scrollTo(0, 0)")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        elder = page.evaluate("document.documentElement.classList.contains('elder')")
        suffix = "-elder" if elder else ""
        page.screenshot(path=str(Path(SHOTS) / f"venture-{name}{suffix}.png"), full_page=True)
    return axe_violations(page)


def test_a_winning_idea_is_contracted_paid_spent_and_evaluated(phone_as, server: Server) -> None:
    rid, pid = _round_with_a_winner(server)
    found: dict[str, list] = {}

    # 公示: the admin answers the objection on the round's page, then moves on.
    admin = phone_as(ADMIN)
    admin.goto(f"/ideas/{rid}")
    expect(admin.get_by_test_id("objection")).to_contain_text("灯具单价偏高")
    found["objection"] = settle(admin, "objection")
    admin.get_by_label(t("roundWork.answer")).fill("已比对三家报价，单价合理")
    admin.get_by_test_id("answer").click()
    expect(admin.get_by_text("已比对三家报价，单价合理")).to_be_visible()
    admin.get_by_test_id("advance").click()
    expect(admin.get_by_test_id("advance")).to_contain_text(t("ventures.phase.evaluating"))

    # The admin signs the contract and releases a first tranche from the proposal's page.
    admin.goto(f"/proposals/{pid}")
    admin.get_by_test_id("open-project").click()
    admin.get_by_label(t("delivery.contractNo")).fill("XF-2026-W01")
    found["contract"] = settle(admin, "contract")
    admin.get_by_test_id("sign").click()
    expect(admin.get_by_test_id("project-status")).to_have_text(t("ventures.status.contracted"))
    # The admin also helps the team, so this page holds two amount fields: find by form.
    admin.get_by_test_id("tranche-amount").locator("input").fill("6000")
    admin.get_by_test_id("release").click()
    expect(admin.get_by_test_id("tranche")).to_have_count(1)
    expect(admin.get_by_test_id("project-disbursed")).to_contain_text("6,000.00")
    found["tranche"] = settle(admin, "tranche")
    admin.get_by_test_id("adjust-amount").locator("input").fill("500")
    admin.get_by_label(t("delivery.adjustReason")).fill("人工涨价")
    admin.get_by_role("button", name=t("delivery.adjust")).click()
    expect(admin.get_by_text("感应灯具 → 安装人工")).to_be_visible()

    # The resident's team records an expense against the first budget line.
    team = phone_as(RESIDENT)
    team.goto(f"/projects/{pid}")
    team.get_by_test_id("expense-amount").locator("input").fill("2580.50")
    team.get_by_test_id("expense-payee").locator("input").fill("明亮灯具店")
    team.get_by_test_id("receipt-input").set_input_files(
        files=[{"name": "fapiao.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    expect(team.get_by_text("已上传 票据 #")).to_be_visible()
    found["expense"] = settle(team, "expense")
    team.get_by_test_id("record-expense").click()
    expect(team.get_by_test_id("expense")).to_contain_text("明亮灯具店")
    expect(team.get_by_test_id("expense")).to_contain_text("票据 #")
    expect(team.get_by_test_id("project-spent")).to_contain_text("2,580.50")
    expect(team.get_by_test_id("release")).to_have_count(0)  # paying is not the team's

    # 三务公开: the receipt's photo, as a thumbnail with its alt text, for anyone (no sign-in);
    # a tap opens the full picture.
    team.goto(f"/ideas/{rid}/public")
    receipt = team.get_by_test_id("receipt").get_by_role("img")
    expect(receipt).to_have_attribute("alt", re.compile("明亮灯具店 的票据"))
    expect(receipt).to_have_js_property("complete", True)
    assert receipt.evaluate("img => img.naturalWidth") > 0  # served, not a broken image
    found["disclosure"] = settle(team, "disclosure")
    team.get_by_test_id("receipt").get_by_role("button").click()
    expect(team.locator(".van-image-preview img")).to_be_visible()

    # Evaluating: the independent reviewer scores and reports.
    advance(server, rid, "evaluating")
    reviewer = phone_as(REVIEWER, elder=True)
    reviewer.goto(f"/projects/{pid}")
    reviewer.get_by_label(t("delivery.report")).fill("灯已全部安装，居民满意")
    found["evaluate"] = settle(reviewer, "evaluate")
    reviewer.get_by_test_id("evaluate").click()
    expect(reviewer.get_by_test_id("evaluation")).to_contain_text("80")
    expect(reviewer.get_by_test_id("evaluate")).to_have_count(0)

    project = server.request("GET", f"/api/v1/ventures/proposals/{pid}/project", phone=ADMIN)
    assert project["status"] == "contracted" and project["contract_no"] == "XF-2026-W01"
    assert project["disbursed_fen"] == 600_000 and project["spent_fen"] == 258_050
    assert project["expenses"][0]["receipt_file_id"] is not None
    assert [line["allowed_fen"] for line in project["budget_lines"]] == [550_000, 450_000]
    assert project["evaluation"] == {**project["evaluation"], "score": 80, "passed": True}
    assert "disburse" in project["allowed_actions"]  # the last tranche may now be paid
    assert found == {k: [] for k in found}, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_worker_screens_the_needs_of_the_supporting_demo_round(phone_as, server: Server) -> None:
    rounds = server.request("GET", "/api/v1/ventures/rounds?phase=supporting", phone=WORKER)
    rid = rounds["items"][0]["id"]
    server.request(
        "POST",
        f"/api/v1/ventures/rounds/{rid}/needs",
        {"title": "小区缺少休息座椅"},
        phone=RESIDENT,
    )
    for elder in (False, True):
        page = phone_as(WORKER, elder=elder)
        page.goto(f"/ideas/{rid}")
        need = page.get_by_test_id("need").filter(has_text="小区缺少休息座椅")
        expect(need).to_be_visible()
        assert settle(page, "needs") == []
    page.get_by_role("button", name=t("roundWork.reject")).last.click()
    page.get_by_label(t("roundWork.reject")).fill("与已有项目重复")
    page.get_by_role("button", name=t("roundWork.confirmReject")).click()
    expect(need).to_contain_text(t("ventures.screening.not_selected"))
    expect(need).to_contain_text("与已有项目重复")


def test_a_worker_finds_an_idea_eligible_and_a_reviewer_scores_it(phone_as, server: Server) -> None:
    rid, pid = _submitted(server, "2026 冬季金点子")
    worker = phone_as(WORKER)
    worker.goto(f"/proposals/{pid}")
    assert settle(worker, "eligibility") == []
    worker.get_by_test_id("eligible").click()
    expect(worker.locator(".van-tag").first).to_have_text(t("ventures.status.eligible"))
    assert server.request("GET", f"/api/v1/ventures/proposals/{pid}", phone=WORKER)["status"] == (
        "eligible"
    )
    advance(server, rid, "supporting")
    server.request("POST", f"/api/v1/ventures/proposals/{pid}/support", phone=PARTY)
    advance(server, rid, "reviewing")

    reviewer = phone_as(REVIEWER, elder=True)
    reviewer.goto(f"/proposals/{pid}")
    reviewer.get_by_label(t("ventures.criteria.budget")).fill("12")
    reviewer.get_by_label(t("ventures.reviewComment")).fill("预算略高，其余可行")
    assert settle(reviewer, "review") == []
    reviewer.get_by_role("button", name=t("ventures.score")).click()
    expect(reviewer.locator(".van-cell").filter(has_text="预算略高，其余可行")).to_contain_text(
        "72 / 100"
    )


def test_the_phase_row_keeps_english_names_apart_and_shows_the_current_phase(
    phone_as, server: Server
) -> None:
    """Seven phase names fit 390 px in Chinese, not in English: the row scrolls instead of
    printing "Implementing" over its neighbours, and opens on the round's current phase."""
    rid = server.request("GET", "/api/v1/ventures/rounds?phase=supporting", phone=WORKER)["items"][
        0
    ]["id"]
    page = phone_as(WORKER, locale="en")
    page.goto(f"/ideas/{rid}")
    titles = page.locator(".steps .van-step__title")
    expect(titles).to_have_count(7)
    # Where each name's text starts and ends (not its box, which Vant lets text overflow).
    spans = titles.evaluate_all(
        """(all) => all.map((title) => {
            const range = document.createRange();
            range.selectNodeContents(title);
            const r = range.getBoundingClientRect();
            return [r.left, r.right];
        })"""
    )
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert min(gaps) >= 8, gaps
    current = page.locator(".steps .van-step--process .van-step__title")
    expect(current).to_have_text("Supporting")
    box = current.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert axe_violations(page) == []
