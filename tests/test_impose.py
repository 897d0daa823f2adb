"""Booklet imposition, checked on small PDFs made with pypdf: each page carries a mark "P<n>"."""

from __future__ import annotations

import io

import pytest
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from pressrun.pdf.impose import Imposition, impose, padded_order, sheet_name, sheet_sides, summary

A4_LANDSCAPE = (841.89, 595.28)
A5 = (419.53, 595.28)
A6 = (297.64, 419.53)
HALF_LETTER = (396.0, 612.0)


def make_pdf(count: int, size: tuple[float, float] = A5, title: str | None = None,
             mark: str = "P") -> bytes:
    """A PDF of ``count`` pages of ``size``, page n showing the text "P<n>" (``mark``)
    in Helvetica."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for n in range(1, count + 1):
        page = PageObject.create_blank_page(writer, width=size[0], height=size[1])
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 24 Tf 50 {size[1] / 2:.0f} Td ({mark}{n}) Tj ET".encode())
        page.replace_contents(stream)
        writer.add_page(page)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sides(imp: Imposition) -> list[tuple[str, str]]:
    """The marks on each output page as (left half, right half); "" for an empty half."""
    result = []
    for page in PdfReader(io.BytesIO(imp.data)).pages:
        middle = float(page.mediabox.width) / 2
        halves = {"left": "", "right": ""}

        def visit(text: str, cm, tm, font, size, halves=halves, middle=middle) -> None:
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]  # text origin in page space
                halves["left" if x < middle else "right"] += text.strip()

        page.extract_text(visitor_text=visit)
        result.append((halves["left"], halves["right"]))
    return result


def mark_positions(imp: Imposition, index: int = 0) -> dict[str, tuple[float, float]]:
    """Where each mark's text starts on output page ``index``, in sheet coordinates."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm, tm, font, size) -> None:
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found[text.strip()] = (x, y)

    PdfReader(io.BytesIO(imp.data)).pages[index].extract_text(visitor_text=visit)
    return found


def sheet_size_of(imp: Imposition) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(imp.data))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_saddle_stitch_order_for_eight_pages() -> None:
    assert sheet_sides(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert sheet_sides(4) == [(4, 1), (2, 3)]


def test_seven_pages_and_a_back_cover_impose_as_8_1_2_7_on_the_first_sheet() -> None:
    imp = impose(make_pdf(7), back_cover=make_pdf(1, mark="B"))
    assert (imp.pages, imp.padded_pages, imp.blanks, imp.sheets) == (7, 8, 0, 2)
    assert imp.sheet_size == "A4"
    sizes = sheet_size_of(imp)
    assert len(sizes) == 4
    for w, h in sizes:
        assert w == pytest.approx(A4_LANDSCAPE[0], abs=0.5)
        assert h == pytest.approx(A4_LANDSCAPE[1], abs=0.5)
    assert sides(imp) == [("B1", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]
    assert summary(imp) == [
        "8 pages → 2 sheets of A4, print double-sided, flip on short edge",
        "page budget: 7 pages of content + the back cover, to make a multiple of 4",
    ]


def test_the_last_page_of_text_is_never_the_back_cover() -> None:
    """Eight pages of text take three sheets: a text page on the outside of the booklet,
    with its folio beside the fold, is a fault."""
    imp = impose(make_pdf(8))
    assert (imp.padded_pages, imp.blanks) == (12, 3)
    assert sides(imp) == [("", "P1"), ("P2", ""), ("", "P3"), ("P4", ""), ("P8", "P5"),
                          ("P6", "P7")]


def test_padding_follows_the_text_and_the_filler_never_takes_the_back_cover() -> None:
    imp = impose(make_pdf(5), filler=make_pdf(2, mark="N"), back_cover=make_pdf(1, mark="B"))
    assert sides(imp) == [("B1", "P1"), ("P2", "N1"), ("N2", "P3"), ("P4", "P5")]
    assert summary(imp)[1] == ("page budget: 5 pages of content + 2 notes pages + the back "
                               "cover, to make a multiple of 4")


def test_six_pages_get_a_blank_page_and_a_blank_back_cover() -> None:
    imp = impose(make_pdf(6))
    assert (imp.pages, imp.padded_pages, imp.blanks, imp.sheets) == (6, 8, 1, 2)
    assert sides(imp) == [("", "P1"), ("P2", ""), ("P6", "P3"), ("P4", "P5")]
    assert summary(imp) == [
        "8 pages → 2 sheets of A4, print double-sided, flip on short edge",
        "page budget: 6 pages of content + 1 blank page + a blank back cover, to make a "
        "multiple of 4",
    ]


def test_blank_pages_leave_their_half_of_the_sheet_empty() -> None:
    reader = PdfReader(io.BytesIO(impose(make_pdf(6)).data))
    back_of_first_sheet = reader.pages[1].extract_text()
    assert "P2" in back_of_first_sheet
    assert all(f"P{n}" not in back_of_first_sheet for n in (1, 3, 4, 5, 6, 7, 8))


def test_one_page_becomes_one_sheet_with_two_blanks_and_a_back_cover() -> None:
    imp = impose(make_pdf(1))
    assert (imp.pages, imp.padded_pages, imp.blanks, imp.sheets) == (1, 4, 2, 1)
    assert sides(imp) == [("", "P1"), ("", "")]
    assert summary(imp)[1] == ("page budget: 1 page of content + 2 blank pages + a blank "
                               "back cover, to make a multiple of 4")


def test_padding_keeps_the_pages_in_order_and_ends_with_the_back_cover() -> None:
    assert padded_order(5) == [0, 1, 2, 3, 4, None, None, None]
    assert padded_order(4) == [0, 1, 2, 3, None, None, None, None]
    assert padded_order(3) == [0, 1, 2, None]
    assert padded_order(1) == [0, None, None, None]


def test_a6_pages_print_on_a5_sheets() -> None:
    imp = impose(make_pdf(3, A6))
    assert imp.sheet_size == "A5"
    assert sheet_size_of(imp)[0] == pytest.approx((2 * A6[0], A6[1]), abs=0.5)
    assert sides(imp) == [("", "P1"), ("P2", "P3")]


def test_a5_pages_meet_at_the_fold_of_the_a4_sheet() -> None:
    # Two A5 pages are 1 mm narrower than A4: they touch at the fold, the spare goes outside.
    fold = A4_LANDSCAPE[0] / 2
    marks = mark_positions(impose(make_pdf(3), back_cover=make_pdf(1, mark="B")))
    assert marks["B1"][0] == pytest.approx(fold - A5[0] + 50, abs=0.01)
    assert marks["P1"][0] == pytest.approx(fold + 50, abs=0.01)
    assert marks["P1"][1] == pytest.approx(A5[1] / 2, abs=0.5)


def test_rotated_pages_are_placed_as_displayed() -> None:
    # Landscape A5 media turned by /Rotate 90 displays as portrait A5.
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(3, (A5[1], A5[0]))))
    for page in writer.pages:
        page.rotate(90)
    out = io.BytesIO()
    writer.write(out)
    imp = impose(out.getvalue())
    assert imp.sheet_size == "A4"
    assert sides(imp) == [("", "P1"), ("P2", "P3")]


def test_links_are_dropped_from_the_printed_sheets() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(3)))
    writer.add_annotation(0, Link(rect=(50, 290, 100, 320), target_page_index=2))
    out = io.BytesIO()
    writer.write(out)
    imp = impose(out.getvalue())
    assert all("/Annots" not in page for page in PdfReader(io.BytesIO(imp.data)).pages)
    assert sides(imp)[0] == ("", "P1")


def test_half_letter_pages_print_on_letter_sheets() -> None:
    assert impose(make_pdf(4, HALF_LETTER)).sheet_size == "letter"


def test_sheet_names_for_standard_sizes_within_one_point() -> None:
    assert sheet_name(841.89, 595.28) == "A4"
    assert sheet_name(842.5, 594.6) == "A4"
    assert sheet_name(1190.55, 841.89) == "A3"
    assert sheet_name(1224, 792) == "tabloid"
    assert sheet_name(844, 595.28) != "A4"


def test_odd_page_size_gets_a_millimetre_description() -> None:
    imp = impose(make_pdf(3, (419.53, 595.28 + 20)))
    assert imp.sheet_size == "296×217 mm"
    assert summary(imp)[0] == (
        "4 pages → 1 sheet of 296×217 mm, print double-sided, flip on short edge"
    )


def test_metadata_title_is_carried_over() -> None:
    imp = impose(make_pdf(4, title="How Workers Won"))
    assert PdfReader(io.BytesIO(imp.data)).metadata.title == "How Workers Won"


def test_pages_of_different_sizes_are_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(*A5)
    writer.add_blank_page(*A6)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValueError, match="page 2"):
        impose(out.getvalue())


def test_empty_document_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        padded_order(0)
