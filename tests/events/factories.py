"""Real images for tests: a small JPEG, optionally with a GPS EXIF block."""

import io

from PIL import Image

from gridgov.events.photos import photo_store


def jpeg_bytes(gps: tuple[float, float] | None = None, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: must not survive
    exif[0x013B] = "Owner Name"  # Artist: must not survive
    if gps:
        lon, lat = gps

        def dms(value: float):
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 4)
            return (float(d), float(m), float(s))

        exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def photo_ref(user=None) -> str:
    return photo_store(user=user, name="p.jpg", content=jpeg_bytes()).ref
