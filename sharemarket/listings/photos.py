"""Photos: every upload is decoded, checked, re-encoded and thumbnailed; the upload is never kept.

Decoding is limited to JPEG, PNG and WebP, the pixel count is checked from the header before
any pixel is decoded (a decompression bomb is refused, not decoded), the EXIF orientation is
applied and then every metadata block (EXIF with its GPS position, XMP, ICC) is dropped.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from sharemarket.errors import ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 20_000
FULL_SIDE = 1600
THUMB_SIDE = 400
SIZES = ("full", "thumb")


@dataclass(frozen=True)
class ProcessedPhoto:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _refuse(message: object) -> ValidationFailed:
    return ValidationFailed.field("photo", message)


def process(data: bytes) -> ProcessedPhoto:
    """The re-encoded photo and its thumbnail (WebP), or ValidationFailed saying why not."""
    limit = current_app.config.get("PHOTO_MAX_BYTES", MAX_BYTES)
    if not data:
        raise _refuse(_l("The file is empty."))
    if len(data) > limit:
        raise _refuse(_l("The photo is too large: %(mb)s MB at most.", mb=limit // (1024 * 1024)))
    max_pixels = current_app.config.get("PHOTO_MAX_PIXELS", MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                if width * height > max_pixels or max(width, height) > MAX_SIDE or min(width, height) < 1:
                    raise _refuse(_l("The picture has too many pixels; send a smaller one."))
                image.seek(0)
                image.load()
                picture = ImageOps.exif_transpose(image) or image
                picture = _to_rgb(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_l("The picture has too many pixels; send a smaller one.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(_l("This file is not a JPEG, PNG or WebP picture.")) from None
    full = _encode(picture, FULL_SIDE, quality=82)
    thumb = _encode(picture, THUMB_SIDE, quality=75)
    return ProcessedPhoto(full=full[0], thumb=thumb[0], width=full[1], height=full[2])


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh RGB image carries no EXIF, XMP or ICC block unless one is passed to save().
    copy.save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue(), copy.width, copy.height


def media_dir() -> Path:
    return Path(current_app.config["MEDIA_DIR"]) / "listings"


def new_key() -> str:
    return secrets.token_hex(16)


def path_for(key: str, size: str) -> Path:
    return media_dir() / key[:2] / f"{key}-{size}.webp"


def store(key: str, photo: ProcessedPhoto) -> None:
    for size, data in (("full", photo.full), ("thumb", photo.thumb)):
        path = path_for(key, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def delete_files(keys: list[str]) -> None:
    """Remove stored files; called after the commit that deleted their rows."""
    for key in keys:
        for size in SIZES:
            path_for(key, size).unlink(missing_ok=True)
