"""The press file is PDF/X-4 (and still PDF/UA-1): what a print shop's preflight checks,
asserted with pikepdf on the pamphlet, the Manifesto and a small project with Ten Days'
pictures, and Ghostscript as a smoke test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import CORPUS, PROJECTS, ROOT, run
from pressrun.pdf.press import MM, SLUG_MM
from pressrun.project import DEFAULT_THEME

TEN_DAYS = CORPUS / "ten-days-that-shook-the-world"
BOOKS = {"pamphlet": ROOT, "manifesto": CORPUS / "communist-manifesto", "pictures": TEN_DAYS}
"""The books whose press PDF is checked; ``pictures`` is the minimal project with three of
Ten Days' illustrations (the Manifesto and the pamphlet have none: an RGBA PNG with an ICC
profile, a palette PNG with transparency, and an SVG), not the whole 390-page book."""
PICTURES = ("illustration-10.png", "illustration-2.png", "illustration-1.svg")
BLEED_MM = 3


@pytest.fixture(scope="session", params=sorted(BOOKS))
def press_pdf(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each book's press PDF, built once."""
    source = BOOKS[request.param]
    if not source.is_dir():
        pytest.skip(f"{source} is not present (it lives in ../shared beside the checkout)")
    out = tmp_path_factory.mktemp(f"press-{request.param}")
    if request.param == "pictures":
        source = _with_pictures(PROJECTS / "minimal", out / "project")
    pdf = out / f"{request.param}-press.pdf"
    result = run("pdf", "-C", source, "-o", pdf, "--profile", "press", "-q")
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return pdf


def _with_pictures(minimal: Path, root: Path) -> Path:
    """A copy of ``minimal`` at ``root`` whose first part also shows ``PICTURES``."""
    shutil.copytree(minimal, root)
    part = root / "manuscript" / "01-first.md"
    figures = "".join(f"\n![Illustration {n} of Ten Days](../images/{name} \"From Ten Days\")\n"
                      for n, name in enumerate(PICTURES, 1))
    part.write_text(part.read_text(encoding="utf-8") + figures, encoding="utf-8")
    for name in PICTURES:
        shutil.copy(TEN_DAYS / "images" / name, root / "images" / name)
    return root


def test_the_pictures_are_in_the_press_file(press_pdf: Path) -> None:
    if "pictures" in press_pdf.name:
        with pikepdf.open(press_pdf) as pdf:
            images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                      and obj.get("/Subtype") == "/Image"]
        assert len(images) >= 3  # the minimal project's and Ten Days' PNGs (the SVG is
        # drawn in the page's content, which the colour checks read)


def _resources_owners(pdf: pikepdf.Pdf):
    """Every page, form XObject and tiling pattern: what content streams draw with."""
    yield from (page.obj for page in pdf.pages)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (obj.get("/Subtype") == "/Form" or
                                                obj.get("/PatternType") == 1):
            yield obj


def _names(obj, seen: set[tuple[int, int]]):
    """Every name reachable from ``obj`` (streams' dictionaries included)."""
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and \
            obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Name):
        yield str(obj)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            yield from _names(item, seen)
    elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key, value in obj.items():
            if key != "/Parent":
                yield from _names(value, seen)


def test_one_output_intent_with_the_embedded_profile(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile.read_bytes()
        assert profile == (DEFAULT_THEME / "output-intent.icc").read_bytes()
        assert profile[16:20] == b"CMYK" and intent.DestOutputProfile.N == 4


def test_every_rgb_colour_is_colour_managed(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        for owner in _resources_owners(pdf):
            default = owner.Resources.ColorSpace.DefaultRGB
            assert default[0] == "/ICCBased" and default[1].N == 3, owner.objgen
        seen: set[tuple[int, int]] = set()
        names = [name for page in pdf.pages for name in _names(page.obj, seen)]
        assert "/DeviceRGB" not in names
        assert "/DeviceCMYK" not in names or pdf.Root.OutputIntents


def test_trim_inside_bleed_inside_media_with_the_right_sizes(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        for page in pdf.pages:
            trim, bleed, media = ([float(v) for v in page.obj[key]]
                                  for key in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert "/CropBox" not in page.obj
            for inner, outer, margin in ((trim, bleed, BLEED_MM), (bleed, media, SLUG_MM)):
                assert [outer[0] - inner[0], outer[1] - inner[1], inner[2] - outer[2],
                        inner[3] - outer[3]] == pytest.approx([-margin * MM] * 4, abs=0.01)


def test_crop_marks_sit_in_the_slug_in_registration_colour(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        for page in pdf.pages[:3]:
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.obj.MediaBox]
            marks = pikepdf.parse_content_stream(page.obj.Contents[-1])
            operators = [str(op) for _, op in marks]
            assert operators[:2] == ["Q", "BDC"] and operators[-1] == "EMC"
            assert marks[1].operands[0] == "/Artifact"
            space = page.Resources.ColorSpace[marks[3].operands[0]]
            assert list(space[:3]) == ["/Separation", "/All", "/DeviceCMYK"]
            points = [[float(v) for v in operands] for operands, op in marks
                      if str(op) in ("m", "l")]
            assert len(points) == 16
            for x, y in points:
                assert media[0] < x < media[2] and media[1] < y < media[3]
                assert not (bleed[0] <= x <= bleed[2] and bleed[1] <= y <= bleed[3]), (x, y)


def test_info_and_xmp_agree_on_pdfx_and_keep_pdfua(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        meta = pdf.open_metadata()
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == meta["pdfxid:GTS_PDFXVersion"] == \
            "PDF/X-4"
        assert pdf.docinfo["/Trapped"] == "/False" and meta["pdf:Trapped"] == "False"
        assert meta["pdfuaid:part"] == "1"
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"]
        for key in ("xmpMM:DocumentID", "xmpMM:VersionID", "xmpMM:RenditionClass",
                    "xmp:CreateDate", "xmp:ModifyDate"):
            assert meta[key], key
        assert pdf.pdf_version == "1.6"
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root


def test_pictures_are_flat_and_not_smoothed(press_pdf: Path) -> None:
    with pikepdf.open(press_pdf) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                assert "/SMask" not in obj and "/Interpolate" not in obj, obj.objgen


@pytest.mark.skipif(not shutil.which("gs"), reason="Ghostscript (gs) not installed")
def test_ghostscript_renders_it_with_its_output_intent(press_pdf: Path, tmp_path: Path) -> None:
    done = subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dUsePDFX3Profile",
                           "-sDEVICE=tiff32nc", "-r20", "-dLastPage=3",
                           f"-sOutputFile={tmp_path}/page-%d.tif", str(press_pdf)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), \
        done.stdout + done.stderr
    assert len(list(tmp_path.glob("page-*.tif"))) == 3


def test_the_shops_profile_replaces_the_bundled_one(project) -> None:
    root = project()
    (root / "styles").mkdir(exist_ok=True)
    shutil.copy(DEFAULT_THEME / "output-intent.icc", root / "styles" / "output-intent.icc")
    assert run("pdf", "-C", root, "--profile", "press", "-q").exit_code == 0
    with pikepdf.open(root / "build" / "a-minimal-pamphlet-press.pdf") as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "Custom"
        assert str(intent.Info) == "FOGRA39L Coated (pressrun)"


def test_a_file_that_is_no_printer_profile_is_a_clear_error(project) -> None:
    root = project()
    (root / "styles").mkdir(exist_ok=True)
    (root / "styles" / "output-intent.icc").write_bytes(b"not a profile" * 20)
    result = run("pdf", "-C", root, "--profile", "press")
    assert result.exit_code != 0
    assert "styles/output-intent.icc" in result.stderr and "not an ICC profile" in \
        result.stderr
    assert "Traceback" not in result.stderr
    shutil.copy(DEFAULT_THEME / "srgb.icc", root / "styles" / "output-intent.icc")
    result = run("pdf", "-C", root, "--profile", "press")
    assert result.exit_code != 0 and "does not describe a printer" in result.stderr
