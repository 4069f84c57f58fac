"""Dashboards per community and street, and the XLSX / CSV exports with Chinese headers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from tests.factories import ADMIN, RESIDENT, WORKER, WORKER2
from tests.quality.helpers import age_order, completed_orders

OCT = datetime(2026, 10, 15, 4, tzinfo=UTC)


async def test_community_dashboard_counts_medians_rates_and_overdue(api):
    ids = await completed_orders(api, 3, at=OCT, status="closed")
    await completed_orders(api, 1, at=OCT, late=True, prefix="L")
    for order_id in ids[:2]:
        await api.post(WORKER, f"/api/v1/orders/{order_id}/confirm-hours")
    late = await api.order()
    await age_order(api, late["id"], respond_by=timedelta(hours=1))

    url = f"/api/v1/quality/communities/{api.world['demo']}/dashboard"
    october = (await api.get(WORKER, url, period="2026-10")).json()
    assert october["orders_created"] == 4 and october["orders_by_status"] == {
        "closed": 3,
        "completed": 1,
    }
    assert october["orders_by_category"][0]["count"] == 4
    assert october["median_response_minutes"] == 30.0  # dispatched 30 min after ordering
    assert october["median_completion_minutes"] == 180.0
    assert october["on_time_rate"] == 0.75
    assert october["hours"] == 3.0
    assert october["overdue_now"] == 1
    quarter = (await api.get(WORKER, url, period="2026Q4")).json()
    assert quarter["orders_completed"] == 4
    assert (await api.get(WORKER2, url)).status_code == 404
    assert (await api.get(RESIDENT, url)).status_code == 403
    assert (await api.get(WORKER, url, period="2026-1")).status_code == 422


async def test_street_dashboard_for_its_admin(api):
    await completed_orders(api, 2, at=OCT)
    async with api.sessions() as session:
        from sqlalchemy import select

        from backend.places.models import Community

        street = await session.scalar(
            select(Community.street_id).where(Community.id == api.world["demo"])
        )
    url = f"/api/v1/quality/streets/{street}/dashboard"
    answer = (await api.get(ADMIN, url, period="2026-10")).json()
    assert answer["total"]["orders_completed"] == 2
    assert [c["orders_completed"] for c in answer["communities"]] == [2, 0]
    assert (await api.get(WORKER, url)).status_code == 404


async def test_exports_have_chinese_headers_in_xlsx_and_csv(api):
    await completed_orders(api, 2, at=OCT)
    base = f"/api/v1/quality/communities/{api.world['demo']}/exports"
    xlsx = await api.get(WORKER, f"{base}/orders", period="2026-10")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工单号", "服务类别", "状态") and len(rows) == 3
    assert rows[1][2] == "已完成"
    csv = await api.get(WORKER, f"{base}/callbacks", period="2026-10", format="csv")
    assert csv.content.startswith("\ufeff".encode()) and "回访结果" in csv.text
    for dataset in ("scorecards", "hours"):
        answer = await api.get(WORKER, f"{base}/{dataset}", period="2026-10")
        assert answer.status_code == 200
    hours = load_workbook(io.BytesIO(answer.content)).active  # the last one: hours
    assert next(hours.iter_rows(values_only=True))[0] == "月份"
    assert (await api.get(RESIDENT, f"{base}/orders")).status_code == 403
    assert (await api.get(WORKER, f"{base}/secrets")).status_code in (400, 404, 422)
