"""Where file bytes live: a local directory by default (var/files), or an S3-compatible bucket.

Keys are random (never the uploader's file name), so a name can neither collide nor climb out of
the directory.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from backend.settings import Settings


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key[:2] / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key outside the storage directory")
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        def write() -> None:
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)  # never a half-written photo under the real name

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class S3Storage:
    """Any S3-compatible service (AWS, MinIO, Aliyun OSS, Tencent COS) through boto3."""

    def __init__(self, bucket: str, endpoint_url: str | None, region: str | None) -> None:
        import boto3  # installed only where S3 storage is configured

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        def read() -> bytes:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)


def make_storage(settings: Settings) -> Storage:
    if settings.files_backend == "s3":
        return S3Storage(settings.s3_bucket, settings.s3_endpoint, settings.s3_region)
    return LocalStorage(settings.files_dir)
