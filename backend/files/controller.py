"""Routes for photos: upload one, read it or its thumbnail; and the photos public disclosure
(三务公开) shows, for anyone without signing in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.files import service
from backend.files.images import MAX_BYTES
from backend.files.models import FilePublic
from backend.security.limits import limited


@dataclass
class UploadForm:
    """The multipart form: one photo in the field `data`."""

    data: UploadFile


async def _send(request: Request, key: str, content_type: str) -> Response[bytes]:
    content = await request.app.state.storage.get(key)
    return Response(
        content,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
        },
    )


class FileController(Controller):
    path = "/api/v1/files"
    tags = ["files"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        operation_id="uploadFile",
        guards=[limited("file_upload", "caller")],
        request_max_body_size=MAX_BYTES + 64 * 1024,
    )
    async def upload(
        self,
        request: Request,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> FilePublic:
        """Upload a photo (JPEG, PNG or WebP, ≤ 10 MB) as the multipart field `data`. It is
        re-encoded without EXIF/GPS and a thumbnail is made; attach it with `photo_ids`."""
        content = await data.data.read(MAX_BYTES + 1)
        return await service.upload(
            db, storage=request.app.state.storage, caller=caller, data=content
        )

    @get("/{file_id:int}", operation_id="getFile", media_type="image/*")
    async def read(
        self,
        request: Request,
        file_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> Response[bytes]:
        """The photo, for its uploader and for whoever may see the order it belongs to."""
        row = await service.readable(db, caller=caller, file_id=file_id)
        return await _send(request, row.key, row.content_type)

    @get("/{file_id:int}/thumbnail", operation_id="getFileThumbnail", media_type="image/jpeg")
    async def thumbnail(
        self,
        request: Request,
        file_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> Response[bytes]:
        """A JPEG at most 320 pixels wide or high."""
        row = await service.readable(db, caller=caller, file_id=file_id)
        return await _send(request, row.thumb_key, "image/jpeg")


class DisclosedFileController(Controller):
    """Receipts and milestone photos of disclosed projects, for the public disclosure page: no
    sign-in, so an `<img>` can load them; every other file is 404 here."""

    path = "/api/v1/ventures/public/files"
    tags = ["ventures"]
    opt = {"exclude_from_auth": True}
    security = []

    @get("/{file_id:int}", operation_id="publicFile", media_type="image/*")
    async def read(
        self, request: Request, file_id: FromPath[int], db: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        """A receipt or milestone photo of a project on public disclosure."""
        row = await service.public_file(db, file_id=file_id)
        return await _send(request, row.key, row.content_type)

    @get("/{file_id:int}/thumbnail", operation_id="publicFileThumbnail", media_type="image/jpeg")
    async def thumbnail(
        self, request: Request, file_id: FromPath[int], db: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        """Its JPEG thumbnail (at most 320 pixels wide or high)."""
        row = await service.public_file(db, file_id=file_id)
        return await _send(request, row.thumb_key, "image/jpeg")
