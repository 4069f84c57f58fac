"""The whole order loop in three phones at once: the resident orders (with a photo), the worker
dispatches to the pool, the volunteer claims, starts and completes (with a photo of the finished
job), and the resident — never reloading — sees each step and both photos on the order page, then
rates it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

RESIDENT, WORKER, VOLUNTEER = "13800000001", "13800000002", "13800000004"
ZH = json.loads((Path(__file__).parents[2] / "pwa/src/locales/zh-CN.json").read_text())
STATUS = ZH["status"]


def card(page: Page, text: str):
    return page.locator("article.card", has_text=text)


def test_resident_worker_volunteer_loop(phone_as, tmp_path: Path) -> None:
    resident, worker, volunteer = phone_as(RESIDENT), phone_as(WORKER), phone_as(VOLUNTEER)
    wish = "请帮忙买两袋米和一桶油，送到家门口"
    photo = tmp_path / "camera.jpg"  # a camera-sized picture: the phone shrinks it before upload
    Image.new("RGB", (3000, 2000), (200, 60, 40)).save(photo, quality=95)

    # The resident: home → the errand tile → the form → the order page.
    resident.goto("/home")
    resident.locator("button.tile[data-code='errand']").click()
    resident.locator("textarea[name='description']").fill(wish)
    # The address is the home from the profile, offered and chosen; no need to type it.
    home = resident.get_by_role("radio", name="我家：2号楼 202")
    expect(home).to_have_attribute("aria-checked", "true")
    resident.locator("input[type='file']").set_input_files(str(photo))
    expect(resident.locator(".van-uploader__preview")).to_have_count(1)
    resident.get_by_role("button", name=ZH["orderForm"]["submit"]).click()
    resident.wait_for_url(re.compile(r"/orders/\d+$"))
    status = resident.locator(".status").first
    expect(status).to_contain_text(STATUS["submitted"])
    photos = resident.locator(".order-photos img")
    expect(photos).to_have_count(1)
    expect(resident.get_by_text("2号楼", exact=True)).to_be_visible()

    # The worker: the board lists it; the sheet offers the pool and only the errand's takers.
    worker.goto("/board")
    card(worker, wish).locator("[data-action='dispatch']").click()
    sheet = worker.locator(".van-popup")
    expect(sheet).to_contain_text("刘洋")  # a volunteer of the community
    expect(sheet).not_to_contain_text("银发餐桌")  # an organisation, but errands go to volunteers
    sheet.get_by_role("button", name=ZH["action"]["dispatch"]).click()
    expect(card(worker, wish)).to_have_count(0)  # the board shows submitted orders by default
    expect(status).to_contain_text(STATUS["dispatched"])

    # The volunteer: the hall → claim; my tasks → start → complete with a note and hours.
    volunteer.goto("/hall")
    card(volunteer, wish).locator("[data-action='accept']").click()
    expect(status).to_contain_text(STATUS["accepted"])
    volunteer.goto("/tasks")
    card(volunteer, wish).locator("[data-action='start']").click()
    expect(status).to_contain_text(STATUS["in_progress"])
    card(volunteer, wish).locator("[data-action='complete']").click()
    volunteer.locator(".van-popup textarea[name='note']").fill("米和油已送到，老人签收")
    volunteer.locator(".van-popup input[type='file']").set_input_files(str(photo))
    volunteer.locator(".van-popup").get_by_role("button", name=ZH["action"]["complete"]).click()
    expect(status).to_contain_text(STATUS["completed"])
    expect(resident.locator(".van-cell__label", has_text="米和油已送到，老人签收")).to_be_visible()
    expect(photos).to_have_count(2)  # the resident's and the volunteer's

    # The resident rates, on the same page that followed every step.
    resident.locator("[data-action='rate']").click()
    resident.locator(".van-popup").get_by_role("button", name=ZH["action"]["rate"]).click()
    expect(status).to_contain_text(STATUS["closed"])
    expect(resident.get_by_text("★★★★★ 5/5")).to_be_visible()
