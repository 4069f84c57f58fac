"""The stored-file table and the answers about files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    content_type: str = Field(max_length=32)
    size: int
    width: int
    height: int
    key: str = Field(max_length=64, unique=True)
    thumb_key: str = Field(max_length=64, unique=True)
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class FilePublic(SQLModel):
    id: int
    content_type: str
    size: int
    width: int
    height: int
    url: str
    thumbnail_url: str
    order_id: int | None
    created_at: datetime


def present_file(row: StoredFile) -> FilePublic:
    return FilePublic(
        id=row.id,  # type: ignore[arg-type]
        content_type=row.content_type,
        size=row.size,
        width=row.width,
        height=row.height,
        url=f"/api/v1/files/{row.id}",
        thumbnail_url=f"/api/v1/files/{row.id}/thumbnail",
        order_id=row.order_id,
        created_at=row.created_at,
    )
