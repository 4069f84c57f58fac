"""Uploads: hostile files refused or cleaned; photos served safely, only to those who may see
the order; attached to orders by their uploader only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.factories import RESIDENT, RESIDENT2, VOLUNTEER, WORKER, WORKER2, Api
from tests.files.hostile import CASES, GPS_IFD


async def upload(
    api: Api, phone: str, content: bytes, name: str = "a.jpg", kind: str = "image/jpeg"
):
    return await api.client.post(
        "/api/v1/files", files={"data": (name, content, kind)}, headers=await api.headers(phone)
    )


def test_there_are_at_least_twenty_hostile_files() -> None:
    assert len(CASES) >= 20
    print(f"hostile files: {len(CASES)}")


@pytest.mark.parametrize(
    ("label", "content", "name", "kind", "verdict"), CASES, ids=[c[0] for c in CASES]
)
async def test_hostile_file(
    api: Api, label: str, content: bytes, name: str, kind: str, verdict: str
) -> None:
    answer = await upload(api, RESIDENT, content, name, kind)
    if verdict != "clean":
        assert answer.status_code == 422, (label, answer.status_code, answer.text[:200])
        assert answer.json()["code"] == verdict and answer.json()["field"] == "file"
        return
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    served = await api.client.get(stored["url"], headers=await api.headers(RESIDENT))
    assert served.status_code == 200
    assert served.headers["content-type"] == stored["content_type"]
    assert served.headers["content-type"] in ("image/jpeg", "image/png")
    assert served.headers["x-content-type-options"] == "nosniff"
    body = served.content
    for payload in (
        b"<script",
        b"<?php",
        b"PK\x03\x04",
        b"<html",
        b"Exif",
        b"Camera Maker",
        "张秀英".encode(),
        b"13800000001",
    ):
        assert payload not in body, (label, payload)
    image = Image.open(io.BytesIO(body))
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert "icc_profile" not in image.info and "exif" not in image.info
    assert (image.width, image.height) == (stored["width"], stored["height"])
    if "rotated" in label:  # the camera's rotation is applied to the pixels
        assert (image.width, image.height) == (40, 80)
    thumb = await api.client.get(stored["thumbnail_url"], headers=await api.headers(RESIDENT))
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320


async def test_a_body_far_over_the_limit_is_refused_before_reading(api: Api) -> None:
    answer = await upload(api, RESIDENT, b"\xff\xd8\xff" + b"\x00" * (12 * 1024 * 1024))
    assert answer.status_code == 413


async def test_photos_follow_the_order_and_nobody_else_reads_them(api: Api) -> None:
    mine = (await upload(api, RESIDENT, CASES[0][1])).json()
    # before it is attached, only the uploader sees it
    assert (await api.get(WORKER, mine["url"])).status_code == 404
    order = await api.order(RESIDENT, photo_ids=[mine["id"]])
    detail = (await api.get(WORKER, f"/api/v1/orders/{order['id']}")).json()
    assert [p["id"] for p in detail["photos"]] == [mine["id"]]
    assert (await api.get(WORKER, mine["url"])).status_code == 200
    for stranger in (WORKER2, RESIDENT2, VOLUNTEER):
        assert (await api.get(stranger, mine["url"])).status_code == 404
        assert (await api.get(stranger, mine["thumbnail_url"])).status_code == 404
    # the taker adds a photo of the finished job
    await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    await api.act(VOLUNTEER, order["id"], "accept")
    await api.act(VOLUNTEER, order["id"], "start")
    done = (await upload(api, VOLUNTEER, CASES[0][1])).json()
    complete = await api.act(
        VOLUNTEER, order["id"], "complete", {"note": "好了", "hours": 1, "photo_ids": [done["id"]]}
    )
    assert complete.status_code == 200, complete.text
    assert [p["id"] for p in complete.json()["photos"]] == [mine["id"], done["id"]]
    assert (await api.get(RESIDENT, done["url"])).status_code == 200


async def test_only_your_own_free_photos_can_be_attached(api: Api) -> None:
    theirs = (await upload(api, RESIDENT2, CASES[0][1])).json()
    answer = await api.post(
        RESIDENT,
        "/api/v1/orders",
        {
            "community_id": api.world["demo"],
            "category_id": await api.category("errand"),
            "description": "x",
            "photo_ids": [theirs["id"]],
        },
    )
    assert answer.status_code == 422 and answer.json()["code"] == "file.not_found"
    mine = (await upload(api, RESIDENT, CASES[0][1])).json()
    await api.order(RESIDENT, photo_ids=[mine["id"]])
    again = await api.post(
        RESIDENT,
        "/api/v1/orders",
        {
            "community_id": api.world["demo"],
            "category_id": await api.category("errand"),
            "description": "y",
            "photo_ids": [mine["id"]],
        },
    )
    assert again.status_code == 422 and again.json()["field"] == "photo_ids"
    assert (
        await api.post(
            RESIDENT,
            "/api/v1/orders",
            {
                "community_id": api.world["demo"],
                "category_id": await api.category("errand"),
                "description": "z",
                "photo_ids": [999999],
            },
        )
    ).status_code == 422


async def test_uploading_needs_a_signed_in_caller(api: Api) -> None:
    answer = await api.client.post("/api/v1/files", files={"data": ("a.jpg", CASES[0][1])})
    assert answer.status_code == 401
