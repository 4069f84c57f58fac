"""Receipts and milestone photos of a disclosed project (三务公开) are public like the page that
lists them: served without signing in at /api/v1/ventures/public/files/{id}, with nosniff, and
readable by any signed-in stranger at /api/v1/files/{id}. Nothing else becomes readable: a
receipt of a project not (yet) disclosed, a proposal attachment, someone's unattached upload, or
an order photo named as a receipt all stay 404 to a stranger."""

from __future__ import annotations

from datetime import date

from backend.ventures.models import Expense, VentureRound
from tests.factories import ADMIN, RESIDENT, RESIDENT2, Api
from tests.venture_factories import contracted, draft_body, open_round
from tests.ventures.test_venture_files import upload

P = "/api/v1/ventures/proposals"
PUBLIC = "/api/v1/ventures/public/files"


async def _anonymous(api: Api, url: str) -> int:
    return (await api.client.get(url)).status_code


async def _disclosed_project_with(api: Api, receipt: int, photo: int) -> dict:
    _, project = await contracted(api)
    pid = project["proposal_id"]
    await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 100_000})
    expense = {
        "budget_line_id": project["budget_lines"][0]["id"],
        "amount_fen": 1_000,
        "spent_on": "2026-11-20",
        "payee": "五金店",
        "receipt_file_id": receipt,
    }
    assert (await api.post(RESIDENT, f"{P}/{pid}/expenses", expense)).status_code == 201
    planned = await api.post(
        RESIDENT, f"{P}/{pid}/milestones", {"title": "安装", "due_on": "2026-12-01"}
    )
    mid = planned.json()["milestones"][0]["id"]
    done = await api.post(
        RESIDENT,
        f"/api/v1/ventures/milestones/{mid}/complete",
        {"evidence": "装好了", "photo_ids": [photo]},
    )
    assert done.status_code == 200, done.text
    return project


async def test_a_disclosed_projects_receipts_and_photos_are_public(api: Api) -> None:
    receipt, photo = await upload(api, RESIDENT), await upload(api, RESIDENT)
    project = await _disclosed_project_with(api, receipt, photo)
    page = (
        await api.client.get(f"/api/v1/ventures/public/projects/{project['proposal_id']}")
    ).json()
    assert page["expenses"][0]["receipt_file_id"] == receipt
    assert page["milestones"][0]["photo_ids"] == [photo]
    for file_id in (receipt, photo):
        for url in (f"{PUBLIC}/{file_id}", f"{PUBLIC}/{file_id}/thumbnail"):
            served = await api.client.get(url)  # no token: the disclosure page is public
            assert served.status_code == 200, served.text
            assert served.headers["content-type"] == "image/jpeg"
            assert served.headers["x-content-type-options"] == "nosniff"
            assert served.content[:3] == b"\xff\xd8\xff"
        # A signed-in resident of another community reads it on the ordinary route too.
        assert (await api.get(RESIDENT2, f"/api/v1/files/{file_id}")).status_code == 200


async def test_nothing_else_becomes_readable(api: Api) -> None:
    # A receipt of a project whose round has not reached 公示 (written directly: the API only
    # takes expenses once a project runs, which is after 公示 — the rule must not rely on it).
    _, project = await contracted(api)
    hidden = await upload(api, RESIDENT)
    async with api.sessions() as session:
        rnd = await session.get(VentureRound, project["round_id"])
        rnd.phase = "reviewing"
        session.add(
            Expense(
                proposal_id=project["proposal_id"],
                budget_line_id=project["budget_lines"][0]["id"],
                amount_fen=1_000,
                spent_on=date(2026, 11, 20),
                payee="五金店",
                receipt_file_id=hidden,
                recorded_by=1,
            )
        )
        await session.commit()
    # A proposal attachment, and an upload nobody has used.
    rnd = await open_round(api)
    attachment = await upload(api, RESIDENT)
    made = await api.post(
        RESIDENT,
        f"/api/v1/ventures/rounds/{rnd['id']}/proposals",
        draft_body(attachment_ids=[attachment]),
    )
    assert made.status_code == 201, made.text
    loose = await upload(api, RESIDENT)
    for file_id in (hidden, attachment, loose, 10**9):
        assert await _anonymous(api, f"{PUBLIC}/{file_id}") == 404
        assert await _anonymous(api, f"{PUBLIC}/{file_id}/thumbnail") == 404
        assert (await api.get(RESIDENT2, f"/api/v1/files/{file_id}")).status_code == 404
    assert (await api.get(RESIDENT, f"/api/v1/files/{hidden}")).status_code == 200  # still theirs


async def test_an_order_photo_named_as_a_receipt_stays_private(api: Api) -> None:
    photo = await upload(api, RESIDENT)
    order = await api.order(RESIDENT, photo_ids=[photo])
    assert order["photos"][0]["id"] == photo
    other = await upload(api, RESIDENT)
    await _disclosed_project_with(api, photo, other)
    assert await _anonymous(api, f"{PUBLIC}/{photo}") == 404
    assert (await api.get(RESIDENT2, f"/api/v1/files/{photo}")).status_code == 404
    assert await _anonymous(api, f"{PUBLIC}/{other}") == 200
