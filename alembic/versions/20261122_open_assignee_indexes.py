"""open-order indexes by assignee: "my tasks" by deadline for a person or an organisation

"My tasks" sorted by deadline (the tasks tabs 已接单 and 服务中, and the queue by deadline)
keeps the caller's open orders: assigned to them, or to an organisation they staff. At 10M
orders a large organisation holds 1.3M orders, 290 of them open; with only the
(assignee, id) indexes PostgreSQL read all 1.3M to find those (0.5–0.9 s,
docs/performance.md). These partial indexes hold open orders only, so they stay small and
cheap to keep up on every write; the list then reads the 290 rows (1–2 ms).

On a large existing PostgreSQL database an operator may build them first without blocking
writes (`CREATE INDEX CONCURRENTLY ix_order_open_assignee_user ON "order" (assignee_user_id)
WHERE status IN ('submitted', 'dispatched', 'accepted', 'in_progress')`, and the same for
`ix_order_open_assignee_provider` on `assignee_provider_id`); this revision then skips them.

Revision ID: 8b2d4f6a1c35
Revises: 3c7e5b1a9d20
Create Date: 2026-11-22 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "8b2d4f6a1c35"
down_revision: str | None = "3c7e5b1a9d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('submitted', 'dispatched', 'accepted', 'in_progress')")


def upgrade() -> None:
    for name, column in (
        ("ix_order_open_assignee_user", "assignee_user_id"),
        ("ix_order_open_assignee_provider", "assignee_provider_id"),
    ):
        op.create_index(
            name,
            "order",
            [column],
            unique=False,
            if_not_exists=True,
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )


def downgrade() -> None:
    op.drop_index("ix_order_open_assignee_provider", table_name="order", if_exists=True)
    op.drop_index("ix_order_open_assignee_user", table_name="order", if_exists=True)
