"""The screen-image cache: a picture converted once is read back, never converted again,
and a damaged entry costs a conversion, never a build or a changed byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage

from conftest import run
from pressrun.epub import picturecache
from pressrun.epub.picturecache import SUFFIX
from pressrun.epub.pictures import ScreenImage
from pressrun.epub.pictures import screen_image as convert_for_screens
from pressrun.model import Image
from pressrun.project import Project
from test_screenimages import photo, picture, screen_image


class Spy:
    """Stands in for ``screen_image``: counts the conversions, or refuses them all."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls = 0
        self.refuse = refuse

    def __call__(self, image: Image, data: bytes) -> ScreenImage:
        self.calls += 1
        if self.refuse:
            raise AssertionError(f"{image.rel} was converted again")
        return convert_for_screens(image, data)


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "build" / ".cache" / "screen"


def convert(image: Image, folder: Path | None) -> ScreenImage:
    """The picture converted for screens through the cache in ``folder``."""
    project = Project(image.path.parents[1])
    return picturecache.convert(image, image.path.read_bytes(), project, folder)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def spy(monkeypatch: pytest.MonkeyPatch, refuse: bool = False) -> Spy:
    found = Spy(refuse)
    monkeypatch.setattr(picturecache, "screen_image", found)
    return found


def test_second_conversion_reads_the_cache_and_not_the_picture(
        images: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = images / "photo.png"
    photo((2400, 1200)).save(path)
    image = picture(path)
    first = convert(image, cache)
    assert first == screen_image(image)
    assert [p.suffix for p in entries(cache)] == [SUFFIX]
    spy(monkeypatch, refuse=True)

    def no_pillow(*args: object, **kwargs: object) -> None:
        raise AssertionError("Pillow opened a picture")

    monkeypatch.setattr(PILImage, "open", no_pillow)
    assert convert(image, cache) == first


def test_one_changed_byte_of_the_picture_is_a_miss(
        images: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = images / "photo.jpg"
    photo((300, 200)).save(path, comment=b"version A")
    convert(picture(path), cache)
    counted = spy(monkeypatch)
    convert(picture(path), cache)
    assert counted.calls == 0
    path.write_bytes(path.read_bytes().replace(b"version A", b"version B"))
    convert(picture(path), cache)
    assert counted.calls == 1
    assert len(entries(cache)) == 2


def test_the_same_file_under_another_name_keeps_its_own_name(images: Path, cache: Path) -> None:
    path = images / "chart.png"
    photo((300, 200)).save(path)
    shutil.copy(path, images / "copy.png")
    assert convert(picture(path), cache).href == "images/chart.jpg"
    assert convert(picture(images / "copy.png"), cache).href == "images/copy.jpg"


def flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {
    "empty": lambda entry: entry.write_bytes(b""),
    "truncated": lambda entry: entry.write_bytes(entry.read_bytes()[:-100]),
    "one byte of the picture changed": lambda entry: flip(entry, -50),
    "not an entry": lambda entry: entry.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 500),
    "header is not JSON": lambda entry: entry.write_bytes(
        entry.read_bytes().replace(b'{"href"', b'{href', 1)),
    "header is a list": lambda entry: entry.write_bytes(
        picturecache._MAGIC + b'["href"]\n' + entry.read_bytes()),
    "a folder": lambda entry: (entry.unlink(), entry.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_entry_is_converted_again_with_the_same_result(
        images: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    path = images / "photo.jpg"
    photo((500, 300)).save(path)
    first = convert(picture(path), cache)
    [entry] = entries(cache)
    DAMAGE[damage](entry)
    counted = spy(monkeypatch)
    assert convert(picture(path), cache) == first
    assert counted.calls == 1
    if entry.is_file():
        assert convert(picture(path), cache) == first
        assert counted.calls == 1, "the entry was rewritten"
    assert [p.name for p in entries(cache)] == [entry.name], "no temporary file is left"


def test_a_cache_folder_that_cannot_be_written_costs_only_the_conversion(
        images: Path, tmp_path: Path) -> None:
    path = images / "photo.jpg"
    photo((200, 100)).save(path)
    blocked = tmp_path / "build"
    blocked.write_text("a file where the folder should be")
    assert convert(picture(path), blocked / "screen") == screen_image(picture(path))


def test_svg_and_builds_without_a_folder_write_nothing(images: Path, tmp_path: Path) -> None:
    svg = images / "map.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"/>\n')
    jpeg = images / "photo.jpg"
    photo((200, 100)).save(jpeg)
    folder = tmp_path / "screen"
    assert convert(picture(svg), folder) == screen_image(picture(svg))
    assert convert(picture(jpeg), None) == screen_image(picture(jpeg))
    assert not folder.exists()


def epub(root: Path, *options: str | Path) -> bytes:
    """Build the EPUB in a new process's state (no picture converted in memory)."""
    result = run("--no-cache", "epub", "-C", root, *options)
    assert result.exit_code == 0, result.output
    target = Path(options[-1]) if options else root / "build" / "a-minimal-pamphlet.epub"
    return target.read_bytes()


def test_epub_from_a_warm_cache_is_byte_identical_and_converts_nothing(
        project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project()
    elsewhere = epub(root, "-o", tmp_path / "elsewhere.epub")
    assert not (root / "build").exists(), "a build with -o leaves the project as it was"
    cold = epub(root)
    assert [p.suffix for p in entries(root / picturecache.FOLDER)] == [SUFFIX]
    spy(monkeypatch, refuse=True)
    warm = epub(root)
    assert warm == cold == elsewhere
