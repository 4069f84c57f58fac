"""Answer bodies of the dashboards."""

from __future__ import annotations

from sqlmodel import SQLModel


class CategoryCount(SQLModel):
    code: str
    name: str
    count: int


class Dashboard(SQLModel):
    period: str
    orders_created: int
    orders_by_status: dict[str, int]
    orders_by_category: list[CategoryCount]
    median_response_minutes: float | None
    median_completion_minutes: float | None
    orders_completed: int
    on_time_rate: float | None
    satisfaction: float | None
    callbacks: int
    callback_rate: float | None
    hours: float
    overdue_now: int
    due_soon_now: int


class CommunityLine(Dashboard):
    community_id: int
    name: str


class StreetDashboard(SQLModel):
    street_id: int
    street_name: str
    total: Dashboard
    communities: list[CommunityLine]
