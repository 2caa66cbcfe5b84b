"""Photo evidence as it is stored: a JPEG or PNG read by its content, never by its
name or declared type, within a size and a pixel limit, and drawn again from its
pixels alone, so that no metadata the camera or phone wrote (GPS position, make and
model, dates, comments, colour profiles) reaches the disk.

An observer's photo may otherwise tell where they stood and with which phone: this is
their safety, not tidiness. `clean_photo` is the one place that reads an upload;
`services.photo_attach` stores what it returns.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name → what the photo is stored and served as.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
}
# Many phones write a JPEG with a second picture after it, which Pillow's JPEG reader
# opens as MPO: its first picture is the photo.
OPENED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# About 50 megapixels: more than any phone camera, far less than a decompression bomb.
DEFAULT_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90

NOT_AN_IMAGE = _("Send a photo as a JPEG or PNG file: this file is not one.")
TOO_LARGE = _("This photo is larger than %(limit)s: send a smaller one.")
TOO_MANY_PIXELS = _(
    "This photo has more than %(limit)s million pixels: send one of at most that size."
)
EMPTY = _("The photo is empty.")


def max_upload_size() -> int:
    return getattr(settings, "PHOTO_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE)


def max_pixels() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: its new bytes, with nothing but pixels in them."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    # Of the bytes as sent: a retried upload of the same file is recognised by it.
    digest: str


def clean_photo(upload) -> CleanPhoto:
    """Check an uploaded photo and draw it again without its metadata.

    `upload` is a Django File (an UploadedFile from a form or the API). Raises
    ValidationError, with a code and a message for the person who sent it, for
    a file too large, one that is not a JPEG or PNG by its content, or one with
    more pixels than PHOTO_MAX_PIXELS (a decompression bomb is refused before
    it is decoded).
    """
    limit = max_upload_size()
    size = upload.size
    if size is not None and size > limit:
        raise _too_large(limit)
    upload.seek(0)
    # One byte more than the limit tells a file whose declared size lied.
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(limit)
    if not raw:
        raise ValidationError(EMPTY, code="empty")
    with warnings.catch_warnings():
        # Pillow only warns below twice its own limit: here any excess is an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=list(FORMATS))
            # Opening reads only the header: the size is known before any decoding.
            if image.width * image.height > max_pixels():
                raise _too_many_pixels()
            image.load()
            fmt = OPENED_AS[image.format]
            content_type, extension = FORMATS[fmt]
            pixels = _pixels(image, fmt)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except UnidentifiedImageError:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
        except (OSError, SyntaxError, ValueError):
            # A truncated or corrupt file that Pillow recognised but cannot decode.
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return CleanPhoto(
        content=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _pixels(image: Image.Image, fmt: str) -> Image.Image:
    """A new image holding `image`'s pixels and nothing else.

    Turned upright first, as the camera's orientation tag said (the tag itself goes
    with the rest). Built from raw pixel bytes, so that no `info` entry (EXIF, XMP,
    ICC profile, PNG text, comments) can follow into the saved file.
    """
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode in ("L", "1"):
        mode = "L"
    elif has_alpha and fmt == "PNG":
        mode = "RGBA"
    else:
        mode = "RGB"
    upright = ImageOps.exif_transpose(image).convert(mode)
    return Image.frombytes(mode, upright.size, upright.tobytes())


def _too_large(limit: int) -> ValidationError:
    return ValidationError(TOO_LARGE, code="too_large", params={"limit": filesizeformat(limit)})


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        TOO_MANY_PIXELS,
        code="too_many_pixels",
        params={"limit": f"{max_pixels() / 1_000_000:g}"},
    )
