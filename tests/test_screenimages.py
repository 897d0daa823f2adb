"""Pictures converted for screens: size, mode, format and href of the EPUB's copies."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from pressrun.epub import pictures
from pressrun.epub.pictures import MAX_EDGE, ScreenImage
from pressrun.model import Image, SourceLocation

TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}


def picture(path: Path) -> Image:
    """The model's view of a picture file saved at ``path`` (under ``images/``)."""
    if path.suffix == ".svg":
        width, height = 100, 50
    else:
        with PILImage.open(path) as opened:
            width, height = opened.size
    return Image(ref=f"../images/{path.name}", path=path, rel=f"images/{path.name}", alt="a",
                 caption="", location=SourceLocation("manuscript/a.md", 1), missing=False,
                 width=width, height=height, media_type=TYPES[path.suffix])


def screen_image(image: Image) -> ScreenImage:
    """The picture converted for screens, from its file."""
    return pictures.screen_image(image, image.path.read_bytes())


def photo(size: tuple[int, int]) -> PILImage.Image:
    """A photo-like RGB picture: a gradient with noise in every channel."""
    gradient = PILImage.linear_gradient("L").resize(size)
    bands = [PILImage.blend(gradient, PILImage.effect_noise(size, sigma), 0.5)
             for sigma in (30, 45, 60)]
    return PILImage.merge("RGB", bands)


def opened(result: ScreenImage) -> PILImage.Image:
    """The converted picture, decoded."""
    decoded = PILImage.open(io.BytesIO(result.data))
    decoded.load()
    return decoded


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    return folder


def test_large_jpeg_photo_is_scaled_down_keeping_aspect_and_extension(images: Path):
    path = images / "photo.jpeg"
    exif = PILImage.Exif()
    exif[0x013B] = "A. Photographer"  # Artist
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo((4000, 3000)).save(path, quality=90, exif=exif, icc_profile=icc)
    result = screen_image(picture(path))
    assert (result.href, result.media_type) == ("images/photo.jpeg", "image/jpeg")
    out = opened(result)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (MAX_EDGE, 1200))
    assert "exif" not in out.info and "icc_profile" not in out.info
    assert not out.info.get("progressive")


def test_png_photo_becomes_jpeg(images: Path):
    path = images / "photo.png"
    photo((800, 500)).save(path)
    result = screen_image(picture(path))
    assert (result.href, result.media_type) == ("images/photo.jpg", "image/jpeg")
    assert opened(result).size == (800, 500)


def test_cmyk_jpeg_becomes_rgb(images: Path):
    path = images / "poster.jpg"
    photo((800, 600)).convert("CMYK").save(path)
    out = opened(screen_image(picture(path)))
    assert (out.mode, out.size) == ("RGB", (800, 600))


def test_palette_png_with_few_colours_stays_png_without_palette(images: Path):
    path = images / "chart.png"
    chart = PILImage.new("RGB", (300, 200), "white")
    chart.paste((200, 30, 30), (20, 20, 120, 180))
    chart.paste((30, 30, 200), (150, 60, 250, 180))
    chart.convert("P", palette=PILImage.Palette.ADAPTIVE, colors=4).save(path)
    result = screen_image(picture(path))
    assert (result.href, result.media_type) == ("images/chart.png", "image/png")
    out = opened(result)
    assert out.mode == "RGB"
    assert out.getpixel((50, 50)) == (200, 30, 30)


def test_real_transparency_is_kept(images: Path):
    path = images / "stamp.png"
    stamp = photo((400, 400)).convert("RGBA")
    stamp.putalpha(PILImage.linear_gradient("L").resize((400, 400)))
    stamp.save(path)
    result = screen_image(picture(path))
    out = opened(result)
    assert (result.media_type, out.mode) == ("image/png", "RGBA")
    assert out.getchannel("A").getextrema()[0] < 255


def test_opaque_alpha_channel_is_dropped(images: Path):
    path = images / "flat.png"
    PILImage.new("RGBA", (50, 40), (10, 20, 30, 255)).save(path)
    assert opened(screen_image(picture(path))).mode == "RGB"


def test_palette_gif_with_transparency_becomes_png_with_alpha(images: Path):
    path = images / "logo.gif"
    logo = PILImage.new("P", (60, 60), 0)
    logo.putpalette([255, 255, 255, 200, 30, 30])
    logo.paste(1, (10, 10, 50, 50))
    logo.save(path, transparency=0)
    result = screen_image(picture(path))
    out = opened(result)
    assert (result.href, out.format, out.mode) == ("images/logo.png", "PNG", "RGBA")
    assert out.getpixel((0, 0))[3] == 0 and out.getpixel((30, 30)) == (200, 30, 30, 255)


def test_grey_picture_with_transparency_keeps_alpha_as_greyscale(images: Path):
    path = images / "stamp.gif"
    stamp = PILImage.new("P", (60, 60), 0)
    stamp.putpalette([255, 255, 255, 0, 0, 0])
    stamp.paste(1, (10, 10, 50, 50))
    stamp.save(path, transparency=0)
    out = opened(screen_image(picture(path)))
    assert (out.format, out.mode) == ("PNG", "LA")
    assert out.getpixel((0, 0))[1] == 0 and out.getpixel((30, 30)) == (0, 255)


@pytest.mark.parametrize("transparent", [False, True])
def test_palette_scan_is_greyscale_by_the_colours_its_pixels_use(images: Path,
                                                                  transparent: bool):
    # A grey palette with one red entry: unused, the scan is greyscale; one pixel of it,
    # and the picture keeps its colour.
    scan = PILImage.new("P", (80, 60), 2)
    scan.putpalette([value for grey in range(255) for value in (grey,) * 3] + [255, 0, 0])
    scan.paste(200, (10, 10, 70, 50))
    options = {"transparency": bytes(range(255)) + b"\xff"} if transparent else {}
    scan.save(images / "grey.png", **options)
    scan.putpixel((40, 30), 255)
    scan.save(images / "red.png", **options)
    grey, red = (opened(screen_image(picture(images / name))) for name in ("grey.png", "red.png"))
    assert (grey.mode, red.mode) == (("LA", "RGBA") if transparent else ("L", "RGB"))
    assert red.getpixel((40, 30))[:3] == (255, 0, 0)


def test_greyscale_stays_greyscale(images: Path):
    line_art = images / "drawing.png"
    drawing = PILImage.new("L", (200, 100), 255)
    drawing.paste(0, (20, 20, 180, 30))
    drawing.save(line_art)
    result = screen_image(picture(line_art))
    assert (result.media_type, opened(result).mode) == ("image/png", "L")

    portrait = images / "portrait.png"
    photo((300, 200)).convert("L").save(portrait)
    result = screen_image(picture(portrait))
    assert (result.media_type, opened(result).mode) == ("image/jpeg", "L")


def test_sixteen_bit_greyscale_is_scaled_not_clipped(images: Path):
    path = images / "deep.png"
    PILImage.new("I;16", (40, 30), 32896).save(path)
    out = opened(screen_image(picture(path)))
    assert out.mode == "L" and out.getpixel((0, 0)) == 128


def test_exif_orientation_is_applied(images: Path):
    path = images / "turned.jpg"
    exif = PILImage.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    photo((600, 400)).save(path, exif=exif)
    out = opened(screen_image(picture(path)))
    assert out.size == (400, 600)
    assert out.getexif().get(0x0112) is None


def test_svg_is_kept_as_is(images: Path):
    path = images / "map.svg"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"/>\n'
    path.write_bytes(svg)
    assert screen_image(picture(path)) == ScreenImage("images/map.svg", "image/svg+xml", svg)


def test_small_picture_is_not_enlarged(images: Path):
    path = images / "small.jpg"
    photo((120, 90)).save(path)
    out = opened(screen_image(picture(path)))
    assert out.size == (120, 90)


def test_webp_photo_becomes_jpeg(images: Path):
    path = images / "street.webp"
    photo((500, 300)).save(path)
    result = screen_image(picture(path))
    assert (result.href, result.media_type) == ("images/street.jpg", "image/jpeg")


def test_output_is_deterministic(images: Path):
    jpeg, png = images / "a b.jpg", images / "b.png"
    photo((1800, 900)).save(jpeg)
    PILImage.new("RGB", (1800, 900), (0, 128, 0)).save(png)
    for path in (jpeg, png):
        assert screen_image(picture(path)) == screen_image(picture(path))
    # Found by the fuzz test: EPUBCheck refuses a space (or a '%') in the package's links.
    assert screen_image(picture(jpeg)).href == "images/a-b-e536f71b.jpg"
    assert screen_image(picture(png)).href == "images/b.png"


def test_img_sizes_are_those_of_the_file_each_format_shows(project) -> None:
    """A photo taken on its side (EXIF orientation 6) declares its upright size in print,
    and in the EPUB the size of the converted file; a placeholder the size of its SVG."""
    import re
    import zipfile

    from conftest import run

    root = project()
    exif = PILImage.Exif()
    exif[0x0112] = 6
    photo((1600, 1000)).save(root / "images" / "sideways.jpg", exif=exif)
    part = root / "manuscript" / "01-first.md"
    part.write_text(part.read_text(encoding="utf-8") + "\n![A photo](../images/sideways.jpg "
                    "\"Taken sideways\")\n", encoding="utf-8")
    assert run("build", "-C", root, "-q").exit_code == 0
    assert run("html", "-C", root, "-o", root / "build" / "print.html", "-q").exit_code == 0
    printed = (root / "build" / "print.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="[^"]*sideways\.jpg" alt="A photo" width="1000" '
                     r'height="1600"', printed)
    epub = next((root / "build").glob("*.epub"))
    checked = 0
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        for name in (n for n in names if n.endswith(".xhtml")):
            page = archive.read(name).decode()
            for src, width, height in re.findall(
                    r'<img[^>]* src="([^"]+)"[^>]* width="(\d+)" height="(\d+)"', page):
                target = next(n for n in names if n.endswith(src.split("/", 1)[-1]))
                if target.endswith(".svg"):
                    svg = archive.read(target).decode()
                    assert f'width="{width}" height="{height}"' in svg, src
                else:
                    with PILImage.open(io.BytesIO(archive.read(target))) as shown:
                        assert shown.size == (int(width), int(height)), (src, shown.size)
                checked += 1
    assert checked >= 3  # the photo, the minimal project's picture and its placeholder
