"""Space photos: whatever is uploaded is decoded and re-encoded as a plain JPEG by Pillow.

Re-encoding drops metadata (GPS position included) and anything that is not pixels, so the
bytes served back are never the bytes sent.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from sharemarket.accounts.models import User
from sharemarket.accounts.rules import clean_text
from sharemarket.desks.models import Space, SpacePhoto
from sharemarket.desks.services import require_manager
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
MAX_PHOTOS = 8
# Narrower copies for phones, made on request from the stored photo (see `scaled`).
SCREEN_WIDTHS = (480, 960)
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _reencode(data: bytes) -> tuple[bytes, int, int]:
    bad = ValidationFailed.field("photo", _l("Send a JPEG, PNG or WebP photo of at most 8 MB."))
    if not data or len(data) > MAX_BYTES:
        raise bad
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                    raise bad
                image.seek(0)
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bad from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue(), picture.width, picture.height


def add_photo(*, space: Space, actor: User, data: bytes, alt: str, now: datetime) -> SpacePhoto:
    require_manager(space, actor)
    if len(space.photos) >= MAX_PHOTOS:
        raise Conflict(_l("A space shows at most %(n)s photos; remove one first.", n=MAX_PHOTOS))
    jpeg, width, height = _reencode(data)
    photo = SpacePhoto(
        space=space, jpeg=jpeg, width=width, height=height, alt=clean_text(alt, 200)[:200], created_at=now
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def remove_photo(*, space: Space, actor: User, photo_id: int) -> None:
    require_manager(space, actor)
    photo = db.session.get(SpacePhoto, photo_id)
    if photo is None or photo.space_id != space.id:
        raise NotFound(_l("No such photo."))
    space.photos.remove(photo)
    db.session.flush()


def scaled(photo: SpacePhoto, width: int) -> bytes:
    """The photo at most `width` pixels wide: a phone need not download the 1600-pixel copy."""
    if photo.width <= width:
        return photo.jpeg
    height = max(1, round(photo.height * width / photo.width))
    with Image.open(io.BytesIO(photo.jpeg)) as image:
        image.draft("RGB", (width, height))  # JPEG decodes straight at a fraction of the size
        picture = image.convert("RGB").resize((width, height), Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    return out.getvalue()
