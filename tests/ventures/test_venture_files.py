"""Files a venture record points at are uploaded files the caller may see: an unknown id, or
someone else's file, is a 422 naming the field (receipt_file_id, photo_ids, attachment_ids);
the caller's own upload is taken."""

from __future__ import annotations

import io

from PIL import Image

from tests.factories import ADMIN, PARTY, RESIDENT, Api
from tests.venture_factories import contracted, draft_body, open_round

P = "/api/v1/ventures/proposals"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


async def upload(api: Api, phone: str) -> int:
    answer = await api.client.post(
        "/api/v1/files",
        files={"data": ("receipt.jpg", jpeg(), "image/jpeg")},
        headers=await api.headers(phone),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_receipts_and_photos_must_be_files_the_caller_may_see(api: Api) -> None:
    _, project = await contracted(api)
    pid = project["proposal_id"]
    await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 100_000})
    mine, theirs = await upload(api, RESIDENT), await upload(api, PARTY)
    expense = {
        "budget_line_id": project["budget_lines"][0]["id"],
        "amount_fen": 1_000,
        "spent_on": "2026-11-20",
        "payee": "五金店",
    }
    for bad in (theirs, 10**9):
        body = {**expense, "receipt_file_id": bad}
        refused = await api.post(RESIDENT, f"{P}/{pid}/expenses", body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "receipt_file_id"
        assert refused.json()["code"] == "file.not_found"
    taken = await api.post(RESIDENT, f"{P}/{pid}/expenses", {**expense, "receipt_file_id": mine})
    assert taken.status_code == 201
    assert taken.json()["expenses"][0]["receipt_file_id"] == mine
    assert taken.json()["spent_fen"] == 1_000  # the refused ones left nothing behind

    plan = {"title": "安装", "due_on": "2026-12-01"}
    planned = await api.post(RESIDENT, f"{P}/{pid}/milestones", plan)
    mid = planned.json()["milestones"][0]["id"]
    done = f"/api/v1/ventures/milestones/{mid}/complete"
    refused = await api.post(RESIDENT, done, {"evidence": "装好了", "photo_ids": [mine, theirs]})
    assert refused.status_code == 422 and refused.json()["field"] == "photo_ids"
    kept = await api.post(RESIDENT, done, {"evidence": "装好了", "photo_ids": [mine]})
    assert kept.status_code == 200 and kept.json()["milestones"][0]["photo_ids"] == [mine]


async def test_proposal_attachments_must_be_files_the_author_may_see(api: Api) -> None:
    rnd = await open_round(api)
    url = f"/api/v1/ventures/rounds/{rnd['id']}/proposals"
    theirs = await upload(api, PARTY)
    refused = await api.post(RESIDENT, url, draft_body(attachment_ids=[theirs]))
    assert refused.status_code == 422 and refused.json()["field"] == "attachment_ids"
    mine = await upload(api, RESIDENT)
    assert (await api.post(RESIDENT, url, draft_body(attachment_ids=[mine]))).status_code == 201
