"""Section-by-section layout, and the layouts ``pressrun watch`` keeps between rebuilds.

An incremental rebuild must give exactly the PDF a cold build of the same manuscript
gives: same pages, same page numbers, same contents page and running heads.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from conftest import library_pdf, pdf_text, settle
from pressrun.build import Request, build, prepare
from pressrun.pdf.render import print_sections
from pressrun.pdf.sections import Layouts
from pressrun.project import DEFAULT_THEME
from structure import read


def _pdf(root: Path, layouts: Layouts | None = None) -> bytes:
    """The PDF built through the library (no click), reusing ``layouts``."""
    return library_pdf(root, root / "build" / "book.pdf", layouts)


def _sections(root: Path) -> int:
    return len(print_sections(prepare(root).pamphlet))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _texts(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    return pdf_text(path)


@pytest.fixture
def study(project) -> tuple[Path, Layouts]:
    """The study project (contents, questions and glossary at the end, notes pages),
    laid out once into a ``Layouts`` as ``pressrun watch`` keeps it."""
    root = project("study")
    layouts = Layouts()
    _pdf(root, layouts)
    assert layouts.laid_out == _sections(root) + 1  # front twice
    return root, layouts


def test_editing_one_paragraph_lays_out_that_part_alone(study, tmp_path: Path) -> None:
    root, layouts = study
    _edit(root / "manuscript" / "02-guards.md", "Red Guards", "Red Guard units")
    incremental = _pdf(root, layouts)
    assert layouts.laid_out == 1
    assert layouts.written == 1  # that part's PDF; the rest are kept
    assert incremental == _pdf(root)  # byte for byte what a cold build gives


def test_a_rebuild_of_both_formats_writes_the_edited_part_alone(project) -> None:
    """As ``pressrun watch`` builds: the PDF and the EPUB, made side by side."""
    root, layouts = project("study"), Layouts()
    build(root, Request(cache=False), layouts)
    _edit(root / "manuscript" / "02-guards.md", "Red Guards", "Red Guard units")
    build(root, Request(cache=False), layouts)
    assert (layouts.laid_out, layouts.written) == (1, 1)


def test_a_rebuild_gives_the_epub_page_list_of_a_cold_build(project) -> None:
    """The page map of each section not laid out again is kept: the EPUB's page markers
    are a cold build's, byte for byte."""
    root, layouts = project("study"), Layouts()
    build(root, Request(cache=False), layouts)
    _edit(root / "manuscript" / "02-guards.md", "Red Guards", "Red Guard units")
    kept = dict(layouts.starts)
    result = build(root, Request(cache=False), layouts)
    assert layouts.laid_out == 1
    assert sum(kept.get(key) is each for key, each in layouts.starts.items()) == \
        len(layouts.starts) - 1
    epub = next(item.path for item in result.written if item.path.suffix == ".epub")
    incremental = epub.read_bytes()
    build(root, Request(cache=False))
    assert incremental == epub.read_bytes()


def test_a_part_that_grows_moves_the_pages_after_it(study, tmp_path: Path) -> None:
    root, layouts = study
    before = _texts(_pdf(root, Layouts()), tmp_path, "before.pdf")
    longer = "\n\n".join(["A paragraph added to make the first part longer, so that "
                          "every page after it moves on by a page or more."] * 12)
    path = root / "manuscript" / "01-councils.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + longer + "\n",
                    encoding="utf-8")
    incremental = _pdf(root, layouts)
    # The part itself, the parts and back matter after it, and the contents page twice:
    # for the part's new reading time, then for the new page numbers.
    assert layouts.laid_out == _sections(root) + 1
    assert layouts.written == _sections(root)
    cold = _pdf(root)
    assert incremental == cold
    after = _texts(incremental, tmp_path, "after.pdf")
    assert len(after) > len(before)
    contents = next(text for text in after if text.startswith("Contents"))
    starts = {title: number for number, text in enumerate(after, 1)
              for title in ("Red Guards", "Glossary") if text.startswith(title)}
    for title, number in starts.items():
        assert f"{title} " in contents and contents.split(title, 1)[1].split("\n")[0] \
            .rstrip().endswith(str(number)), (title, number, contents)


def test_a_changed_stylesheet_lays_out_everything_again(study) -> None:
    root, layouts = study
    styles = root / "styles"
    styles.mkdir()
    theirs = (DEFAULT_THEME / "print.css").read_text(encoding="utf-8")
    # A colour: every section is laid out again, and no page moves.
    (styles / "print.css").write_text(theirs + "p { color: #111111; }\n", encoding="utf-8")
    incremental = _pdf(root, layouts)
    # Every section once: the contents page keeps the page numbers it knew.
    assert layouts.laid_out == _sections(root)
    assert incremental == _pdf(root)


def test_a_replaced_picture_is_seen_by_the_next_build_in_the_same_process(project) -> None:
    """``pressrun watch`` builds again and again in one process: a picture replaced
    under the same name must reach both the EPUB and the PDF of the next build."""
    import zipfile

    from PIL import Image as PILImage

    root = project("minimal")
    picture = root / "images" / "red-star.png"
    layouts = Layouts()

    def outputs() -> tuple[bytes, bytes]:
        result = build(root, Request(cache=False), layouts)
        pdf, epub = (item.path for item in result.written)
        with zipfile.ZipFile(epub) as book:
            stored = [book.read(name) for name in book.namelist()
                      if name.endswith("red-star.png")]
        return stored[0], pdf.read_bytes()

    epub_before, pdf_before = outputs()
    with PILImage.open(picture) as old:
        PILImage.new(old.mode, old.size, "blue" if "A" not in old.mode else (0, 0, 255, 255)) \
            .save(picture)
    epub_after, pdf_after = outputs()
    assert epub_after != epub_before
    assert pdf_after != pdf_before
    assert layouts.laid_out > 0


def _outline_and_links(path: Path) -> tuple[list, list]:
    """The bookmarks (depth, title, page) and links (page, target) of a PDF, every
    named target resolved to its page."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}

        def where(dest: object) -> tuple[int, float]:
            dest = dests[str(dest)] if isinstance(dest, pikepdf.String) else dest
            return pages[dest[0].objgen], float(dest[3])  # type: ignore[index]

        def walk(item: pikepdf.Dictionary, depth: int) -> list:
            found = []
            while item is not None:
                found.append((depth, str(item.Title), where(item.Dest)))
                if "/First" in item:
                    found += walk(item.First, depth + 1)
                item = item.get("/Next")
            return found

        outline = walk(pdf.Root.Outlines.First, 0)
        links = [(number, where(link.Dest) if "/Dest" in link else str(link.A.URI),
                  str(link.get("/Contents")), int(link.StructParent))
                 for number, page in enumerate(pdf.pages)
                 for link in page.obj.get("/Annots", ())]
        return outline, links


def test_the_assembled_pdf_reads_as_one_written_in_one_piece(study, tmp_path: Path) -> None:
    """The book joined from its sections' PDFs has the structure tree, bookmarks, links
    and notes of the same layout written as one document."""
    from pressrun.pdf import print_job
    from pressrun.pdf.pieces import book_pdf
    from pressrun.pdf.sections import layout_sections
    from pressrun.pdf.weasy import pdf_bytes

    root, layouts = study
    joined = layout_sections(print_job(prepare(root)), layouts)
    assert len(layouts.order) == _sections(root) > 2
    one, assembled = tmp_path / "one.pdf", tmp_path / "assembled.pdf"
    one.write_bytes(pdf_bytes(joined, "pdf/ua-1"))
    assembled.write_bytes(book_pdf(layouts, "pdf/ua-1"))
    a, b = read(one), read(assembled)
    assert b.pieces == a.pieces and b.pieces
    assert [e.S for e in b.elements] == [e.S for e in a.elements]
    assert [str(e.get("/ID", "")) for e in b.elements] == \
        [str(e.get("/ID", "")) for e in a.elements]
    assert (b.unreached, b.unmarked, b.artifacts) == (a.unreached, a.unmarked, a.artifacts)
    outline, links = _outline_and_links(assembled)
    theirs = _outline_and_links(one)
    assert outline == theirs[0] and len(outline) > 5
    assert [link[:3] for link in links] == [link[:3] for link in theirs[1]]
    front = len(layouts.documents[layouts.order[0]].pages)
    assert any(page < front <= target[0] for page, target, *_ in links
               if isinstance(target, tuple))  # the contents page to the parts
    # Every link is reached from the structure tree through the parent tree.
    with pikepdf.open(assembled) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for *_, key in links:
            assert parents[key].S == "/Link"
        for page in pdf.pages:
            assert all(element.Pg.objgen == page.objgen
                       for element in parents[int(page.obj.StructParents)])


def test_a_rebuild_reads_again_only_the_parts_whose_files_changed(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pressrun watch`` reads again only what changed (Ten Days: 0.6 s of a rebuild to
    read its 27 parts): a part whose file and pictures are as they were is kept from the
    last read, with its problems, and the model is the one a first read gives."""
    from pressrun.manuscript import loader, reread
    from pressrun.project import Project

    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")  # the parts read here, where it is seen
    read, parsed = loader._parse, []
    monkeypatch.setattr(loader, "_parse", lambda project, path, *rest: parsed.append(
        path.name) or read(project, path, *rest))
    root = project("study")
    manuscript = root / "manuscript"

    def again() -> tuple[object, list[object]]:
        parsed.clear()
        pamphlet, problems = loader.read_project(Project(root))
        return pamphlet, problems.found

    def fresh() -> tuple[object, list[object]]:
        reread.keep({})
        pamphlet, problems = loader.read_project(Project(root))
        return pamphlet, problems.found

    first = fresh()
    assert again() == first and parsed == []
    with (manuscript / "02-guards.md").open("a", encoding="utf-8") as part:
        part.write("\nOne more line.\n")
    edited = again()
    assert parsed == ["02-guards.md"] and edited != first
    # Saved just now, its status cannot yet show a second save within the same tick of
    # the filesystem's clock: it is read again until it has settled.
    assert again() == edited and parsed == ["02-guards.md"]
    settle(manuscript / "02-guards.md")
    assert again() == edited and parsed == ["02-guards.md"]  # its time changed
    assert again() == edited and parsed == []
    assert edited == fresh()
    (root / "images" / "red-star.png").unlink()  # the picture a part names goes
    gone = again()
    assert parsed == ["01-councils.md"] and gone[0].missing_art  # type: ignore[attr-defined]
    (root / "images" / "lost.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
        'height="10"/></svg>', encoding="utf-8")
    (manuscript / "03-links.md").write_text((manuscript / "03-links.md").read_text(
        encoding="utf-8") + "\n![A lost picture](../images/lost.svg)\n", encoding="utf-8")
    settle(root / "images" / "lost.svg", manuscript / "03-links.md")
    assert again() == fresh() and not any("lost" in str(problem) for problem in fresh()[1])
    (root / "images" / "lost.svg").write_text("not a picture", encoding="utf-8")
    settle(root / "images" / "lost.svg")
    broken = again()
    assert parsed == ["03-links.md"] and broken == fresh()
    assert any("lost.svg" in str(problem) for problem in broken[1])


def test_a_picture_is_decoded_again_only_when_its_bytes_change(
        project, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pressrun watch`` reads an edited part again with its pictures: a picture whose
    bytes are as they were is not decoded again; one replaced under its name (larger) is,
    and the next read has its new size."""
    from PIL import Image as PILImage

    from pressrun.manuscript import pictures

    monkeypatch.setenv("PRESSRUN_SEQUENTIAL", "1")  # the parts read here, where it is seen
    probe, probed = pictures.probe_bytes, []
    monkeypatch.setattr(pictures, "probe_bytes", lambda data, path: probed.append(path.name)
                        or probe(data, path))
    root = project("minimal")
    picture = root / "images" / "red-star.png"

    def star() -> tuple[int | None, int | None]:
        probed.clear()
        found = [image for image in prepare(root).pamphlet.images if image.path == picture]
        return found[0].width, found[0].height

    width, height = star()
    assert probed == ["red-star.png"]
    with (root / "manuscript" / "01-first.md").open("a", encoding="utf-8") as part:
        part.write("\nOne more line.\n")
    assert star() == (width, height) and probed == []
    with PILImage.open(picture) as old:
        old.resize((2 * old.width, 2 * old.height)).save(picture)
    assert star() == (2 * width, 2 * height) and probed == ["red-star.png"]
