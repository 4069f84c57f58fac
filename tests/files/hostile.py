"""Hostile uploads, made on the spot: each is a (name, bytes, file name, declared type, verdict).

Verdict `clean` means the upload is accepted and what is served has none of the payload;
anything else is the error `code` the refusal must carry.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825


def _photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), mode: str = "RGB", **save) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def _with_gps(fmt: str) -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 10))
    exif = image.getexif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x013B] = "张秀英"  # Artist
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def _rotated() -> bytes:
    image = Image.new("RGB", (80, 40), (0, 0, 200))
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header claims a vast canvas (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_text("Author", "13800000001")
    return _photo("PNG", pnginfo=info)


def _palette_transparent() -> bytes:
    image = Image.new("P", (32, 32), 0)
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    return out.getvalue()


def _jpeg_with_icc_and_comment() -> bytes:
    return _photo("JPEG", icc_profile=b"\x00" * 128, comment=b"<?php system($_GET['c']); ?>")


SVG = b"""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"""
HTML = b"<!doctype html><html><script>fetch('/api/v1/me')</script></html>"
ZIP = b"PK\x03\x04" + b"\x14\x00" * 10 + b"evil.sh" + b"\x00" * 30
JPEG = _photo()

CASES: list[tuple[str, bytes, str, str, str]] = [
    ("jpeg with GPS and owner in EXIF", _with_gps("JPEG"), "a.jpg", "image/jpeg", "clean"),
    ("webp with GPS in EXIF", _with_gps("WEBP"), "a.webp", "image/webp", "clean"),
    ("png with script and phone in text chunks", _png_with_text(), "a.png", "image/png", "clean"),
    (
        "jpeg with ICC profile and PHP comment",
        _jpeg_with_icc_and_comment(),
        "a.jpg",
        "image/jpeg",
        "clean",
    ),
    ("jpeg + zip polyglot", JPEG + ZIP, "a.jpg", "image/jpeg", "clean"),
    ("jpeg + html polyglot", JPEG + HTML, "a.jpg", "image/jpeg", "clean"),
    ("jpeg rotated by EXIF orientation", _rotated(), "a.jpg", "image/jpeg", "clean"),
    ("png palette with transparency", _palette_transparent(), "a.png", "image/png", "clean"),
    ("svg with script", SVG, "a.svg", "image/svg+xml", "file.not_an_image"),
    ("svg named .jpg", SVG, "a.jpg", "image/jpeg", "file.not_an_image"),
    ("html named .png", HTML, "a.png", "image/png", "file.not_an_image"),
    ("gif (not accepted)", _photo("GIF", mode="P"), "a.gif", "image/gif", "file.not_an_image"),
    ("tiff (not accepted)", _photo("TIFF"), "a.jpg", "image/jpeg", "file.not_an_image"),
    ("pdf named .png", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "a.png", "image/png", "file.not_an_image"),
    (
        "windows program named .jpg",
        b"MZ\x90\x00" + b"\x00" * 60,
        "a.jpg",
        "image/jpeg",
        "file.not_an_image",
    ),
    ("zip named .jpg", ZIP, "a.jpg", "image/jpeg", "file.not_an_image"),
    ("empty file", b"", "a.jpg", "image/jpeg", "file.not_an_image"),
    ("truncated jpeg", JPEG[: len(JPEG) // 2], "a.jpg", "image/jpeg", "file.corrupt"),
    ("truncated png", _photo("PNG")[:60], "a.png", "image/png", "file.corrupt"),
    ("jpeg magic then html", b"\xff\xd8\xff\xe0" + HTML, "a.jpg", "image/jpeg", "file.corrupt"),
    (
        "png magic around jpeg body",
        b"\x89PNG\r\n\x1a\n" + JPEG,
        "a.png",
        "image/png",
        "file.corrupt",
    ),
    (
        "png claiming 50000 x 50000 pixels",
        _png_claiming(50_000, 50_000),
        "a.png",
        "image/png",
        "file.too_many_pixels",
    ),
    (
        "png claiming 7000 x 7000 pixels",
        _png_claiming(7000, 7000),
        "a.png",
        "image/png",
        "file.too_many_pixels",
    ),
    (
        "jpeg 9000 pixels wide",
        _photo(size=(9000, 8)),
        "a.jpg",
        "image/jpeg",
        "file.too_many_pixels",
    ),
    (
        "jpeg padded past 10 MB",
        JPEG + b"\x00" * (10 * 1024 * 1024),
        "a.jpg",
        "image/jpeg",
        "file.too_large",
    ),
]
