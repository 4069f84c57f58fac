"""Exports of orders, callbacks, scorecards and hours with Chinese headers, XLSX or CSV.

Times are shown in Asia/Shanghai. CSV starts with a UTF-8 byte-order mark so that Excel on a
Chinese Windows opens it as UTF-8 rather than GBK.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.auth.caller import Caller
from backend.auth.models import User
from backend.catalog.models import Category, Provider
from backend.orders.models import Order, Rating
from backend.quality import periods, rankings
from backend.quality.access import require_reader
from backend.quality.dashboard import period_range
from backend.quality.models import Callback
from backend.volunteers.models import HoursEntry

STATUS = {
    "submitted": "待派单",
    "dispatched": "已派单",
    "accepted": "已接单",
    "in_progress": "服务中",
    "completed": "已完成",
    "closed": "已评价",
    "rejected": "已驳回",
    "cancelled": "已取消",
}
OUTCOME = {"reached": "已接通", "not_reached": "未接通", "refused": "拒访", None: "待回访"}
SOURCE = {"rating": "居民评价", "worker": "社工确认"}
Taker = aliased(User)
Resident = aliased(User)


def _t(value: datetime | None) -> str:
    return value.astimezone(periods.SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


async def _orders(session: AsyncSession, cid: int, start: datetime, end: datetime):
    header = ["工单号", "服务类别", "状态", "紧急程度", "下单时间", "响应时限", "完成时限"]
    header += ["派单时间", "接单时间", "完成时间", "承接方", "服务时长(小时)", "评分"]
    rows = await session.execute(
        select(Order, Category.name, Taker.name, Provider.name, Rating.stars)
        .join(Category, Category.id == Order.category_id)
        .outerjoin(Taker, Taker.id == Order.assignee_user_id)
        .outerjoin(Provider, Provider.id == Order.assignee_provider_id)
        .outerjoin(Rating, Rating.order_id == Order.id)
        .where(Order.community_id == cid, Order.created_at >= start, Order.created_at < end)
        .order_by(Order.id)
    )
    body = [
        [
            o.number, category, STATUS.get(o.status, o.status),
            "紧急" if o.urgency == "urgent" else "普通", _t(o.created_at), _t(o.respond_by),
            _t(o.complete_by), _t(o.dispatched_at), _t(o.accepted_at), _t(o.completed_at),
            provider or taker or "", o.hours if o.hours is not None else "", stars or "",
        ]
        for o, category, taker, provider, stars in rows
    ]  # fmt: skip
    return header, body


async def _callbacks(session: AsyncSession, cid: int, months: list[str]):
    header = ["月份", "序号", "工单号", "居民", "电话", "60岁以上", "回访结果", "是否准时"]
    header += ["满意度", "投诉", "备注", "回访时间"]
    rows = await session.execute(
        select(Callback, Order.number, Resident.name, Resident.phone)
        .join(Order, Order.id == Callback.order_id)
        .join(Resident, Resident.id == Order.resident_id)
        .where(Callback.community_id == cid, Callback.month.in_(months))
        .order_by(Callback.month, Callback.position)
    )
    body = [
        [
            c.month, c.position, number, name, phone, _yes(c.elder), OUTCOME[c.outcome],
            _yes(c.on_time), c.satisfaction or "", _yes(c.complaint), c.notes or "",
            _t(c.called_at),
        ]
        for c, number, name, phone in rows
    ]  # fmt: skip
    return header, body


async def _scorecards(session, caller, cid: int, quarter: str, weights, min_sample):
    """Every provider (they serve across communities) and this community's teams."""
    header = ["季度", "类型", "名称", "样本量", "得分", "排名", "流动奖牌", "通报"]
    header += ["平均评分", "回访满意度", "准时率", "投诉数"]
    body = []
    for kind, label in (("provider", "社会组织"), ("team", "志愿服务队")):
        ranking = await rankings.ranking(
            session, caller=caller, quarter=quarter, kind=kind, weights=weights,
            min_sample=min_sample,
        )  # fmt: skip
        for x in ranking.items:
            if x.community_id not in (None, cid):
                continue
            body.append(
                [
                    quarter, label, x.name, x.sample,
                    "样本不足" if x.score is None else x.score, x.rank or "",
                    _yes(x.award), _yes(x.notice), x.inputs.avg_stars or "",
                    x.inputs.avg_satisfaction or "", x.inputs.on_time_rate or "",
                    x.inputs.complaints,
                ]
            )  # fmt: skip
    return header, body


async def _hours(session: AsyncSession, cid: int, months: list[str]):
    header = ["月份", "日期", "志愿者", "工单号", "申报时长(小时)", "认定时长(小时)", "积分"]
    header += ["确认方式", "确认时间"]
    rows = await session.execute(
        select(HoursEntry, User.name, Order.number)
        .join(User, User.id == HoursEntry.user_id)
        .join(Order, Order.id == HoursEntry.order_id)
        .where(HoursEntry.community_id == cid, HoursEntry.month.in_(months))
        .order_by(HoursEntry.day, HoursEntry.id)
    )
    body = [
        [
            h.month, h.day, name, number, round(h.reported_minutes / 60, 2),
            round(h.credited_minutes / 60, 2), h.points, SOURCE.get(h.source, h.source),
            _t(h.confirmed_at),
        ]
        for h, name, number in rows
    ]  # fmt: skip
    return header, body


def to_csv(header: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: Iterable[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TITLES = {"orders": "工单", "callbacks": "回访", "scorecards": "考核评分", "hours": "服务时长"}


async def export(
    session: AsyncSession,
    *,
    caller: Caller,
    community_id: int,
    dataset: str,
    period: str | None,
    fmt: str,
    weights: dict[str, int],
    min_sample: int,
) -> tuple[str, bytes]:
    require_reader(caller, community_id)
    name, start, end, months = period_range(period, datetime.now(periods.SHANGHAI))
    if dataset == "orders":
        header, rows = await _orders(session, community_id, start, end)
    elif dataset == "callbacks":
        header, rows = await _callbacks(session, community_id, months)
    elif dataset == "hours":
        header, rows = await _hours(session, community_id, months)
    else:
        quarter = name if "Q" in name else periods.quarter_of(start)
        header, rows = await _scorecards(
            session, caller, community_id, quarter, weights, min_sample
        )
    filename = f"{dataset}-{community_id}-{name}.{fmt}"
    if fmt == "csv":
        return filename, to_csv(header, rows)
    return filename, to_xlsx(TITLES[dataset], header, rows)
