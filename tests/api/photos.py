"""Photos made in the tests: a phone's JPEG with its location, camera and time in EXIF."""

import io

from PIL import Image

# EXIF tags (Pillow's ExifTags.Base and GPS)
MAKE, MODEL, DATETIME, SOFTWARE, ORIENTATION = 0x010F, 0x0110, 0x0132, 0x0131, 0x0112
GPS_IFD, EXIF_IFD, DATETIME_ORIGINAL = 0x8825, 0x8769, 0x9003
CAMERA_MAKE = "PhoneMaker"
CAMERA_MODEL = "Pocket X-17"
# 12° 2' 46.08" S, 77° 2' 34.2" W: a polling station in Lima.
GPS = {
    1: "S",
    2: (12.0, 2.0, 46.08),
    3: "W",
    4: (77.0, 2.0, 34.2),
}


def phone_jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    """A JPEG as a phone writes it: GPS position, make, model and times in its EXIF."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[MAKE] = CAMERA_MAKE
    exif[MODEL] = CAMERA_MODEL
    exif[SOFTWARE] = "PhoneOS 17.2"
    exif[DATETIME] = "2026:04:12 09:41:07"
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = "2026:04:12 09:41:07"
    exif.get_ifd(GPS_IFD).update(GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken by observer 17")
    return out.getvalue()


def png(size=(40, 30), text=None) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, (0, 120, 200, 128))
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
