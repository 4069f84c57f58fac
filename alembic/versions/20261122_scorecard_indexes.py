"""scorecard indexes: a rating's stars by order, and the timeline's complaint and reopen rows

The quarterly scorecards (backend/quality/scores.py) take every order finished in a quarter,
average its rating's stars and ask whether it drew a complaint or a reopening. At 10M orders
that joined all 6.6M ratings by a sequential scan and probed the 53M-row timeline's order index
per finished order (7.3 s, docs/performance.md): `ix_rating_order_stars` lets the stars be read
from an index, and `ix_orderevent_complaint` holds only the complaint and reopen rows.

On a large existing PostgreSQL database an operator may build them first without blocking
writes (`CREATE INDEX CONCURRENTLY ix_rating_order_stars ON rating (order_id, stars)`;
`CREATE INDEX CONCURRENTLY ix_orderevent_complaint ON orderevent (order_id) WHERE action IN
('complaint', 'reopen')`); this revision then finds them and skips them.

Revision ID: 3c7e5b1a9d20
Revises: 7653ea4a9169
Create Date: 2026-11-22 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "3c7e5b1a9d20"
down_revision: str | None = "7653ea4a9169"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPLAINTS = sa.text("action IN ('complaint', 'reopen')")


def upgrade() -> None:
    op.create_index(
        "ix_rating_order_stars", "rating", ["order_id", "stars"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_orderevent_complaint",
        "orderevent",
        ["order_id"],
        unique=False,
        if_not_exists=True,
        postgresql_where=COMPLAINTS,
        sqlite_where=COMPLAINTS,
    )


def downgrade() -> None:
    op.drop_index("ix_orderevent_complaint", table_name="orderevent", if_exists=True)
    op.drop_index("ix_rating_order_stars", table_name="rating", if_exists=True)
