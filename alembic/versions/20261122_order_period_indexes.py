"""order period indexes: created and completed time per community, completed time overall

The quality dashboards filter a community's orders by `created_at` or `completed_at` within a
month or quarter, and the quarterly scorecards take every order completed in a quarter. Without
these, each of those queries read all of a community's orders (or the whole table); measured in
docs/quality.md ("Scale benchmark").

On a large existing PostgreSQL table an operator may build them first without blocking writes
(`CREATE INDEX CONCURRENTLY ix_order_community_created ON "order" (community_id, created_at)`,
and likewise for the other two); this revision then finds them and skips them.

Revision ID: 5f0c2a9d7e41
Revises: 11dfc2430cf1
Create Date: 2026-11-22 03:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5f0c2a9d7e41"
down_revision: str | None = "11dfc2430cf1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_order_community_created": ["community_id", "created_at"],
    "ix_order_community_completed": ["community_id", "completed_at"],
    "ix_order_completed": ["completed_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "order", columns, unique=False, if_not_exists=True)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="order", if_exists=True)
