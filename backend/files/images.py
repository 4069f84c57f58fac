"""Turning whatever was uploaded into a safe image, or refusing it.

Trust nothing the client says: the type is read from the magic bytes and then confirmed by
Pillow's own parser; the size of the canvas is read from the header before any pixel is decoded,
so a small file that claims 50 000 × 50 000 pixels (a decompression bomb) is refused unread.
Every accepted image is decoded and written again from its pixels alone: EXIF (GPS, camera,
owner), ICC and XMP blocks, comments and anything appended after the image (a ZIP or HTML
"polyglot") do not survive. The camera's rotation is applied to the pixels first.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from backend.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
THUMB_SIDE = 320
MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
ImageFile.LOAD_TRUNCATED_IMAGES = False
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes


def _sniff(data: bytes) -> str:
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise Invalid("file", "only JPEG, PNG or WebP photos are accepted", "file.not_an_image")


def _encode(image: Image.Image, *, alpha: bool) -> tuple[bytes, str]:
    out = io.BytesIO()
    if alpha:
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


def clean_image(data: bytes) -> CleanImage:
    if len(data) > MAX_BYTES:
        raise Invalid("file", "a photo may be at most 10 MB", "file.too_large")
    if not data:
        raise Invalid("file", "the file is empty", "file.not_an_image")
    kind = _sniff(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise Invalid("file", "the picture is too large in pixels", "file.too_many_pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Invalid("file", "the photo is damaged or not what it claims", "file.corrupt") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid("file", "the picture is too large in pixels", "file.too_many_pixels") from exc
    alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    pixels = image.convert("RGBA" if alpha else "RGB")  # drops palettes, ICC and EXIF alike
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)  # a fresh image: no info dictionary carried over
    content, content_type = _encode(clean, alpha=alpha)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if alpha:
        backdrop = Image.new("RGB", thumb.size, "white")
        backdrop.paste(thumb, mask=thumb.getchannel("A"))
        thumb = backdrop
    thumbnail, _ = _encode(thumb, alpha=False)
    return CleanImage(content, content_type, clean.width, clean.height, thumbnail)
