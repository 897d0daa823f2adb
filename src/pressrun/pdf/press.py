"""The press file: a tagged PDF made PDF/X-4 as well as PDF/UA-1.

WeasyPrint writes the press PDF with its bleed, tags and PDF/X metadata; this module
finishes it with pikepdf (qpdf's object model: the file is changed, not drawn again):

- the output intent: the shop's ICC profile (``styles/output-intent.icc``) or the bundled
  FOGRA39 characterisation, embedded, with its condition identifier;
- every RGB colour colour-managed: sRGB as ``/DefaultRGB`` in each page's and form's
  resources, and sRGB in place of ``/DeviceRGB`` on pictures, shadings and groups;
- a slug around the bleed, with crop marks drawn in it in registration colour, marked
  as artifacts, so they sit outside the bleed and the screen reader passes over them;
- no picture smoothing (``/Interpolate``), the PDF/X keys in ``/Info`` and the PDF/UA
  claim kept in the XMP beside the PDF/X one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from pressrun.problems import PressrunError

MM = 72 / 25.4
"""Points in a millimetre."""
SLUG_MM = 10
"""Paper kept beyond the bleed for the marks."""
MARK_OFFSET_MM = 2
"""The gap between the bleed's edge and a crop mark."""
MARK_LENGTH_MM = 6
MARK_WIDTH_PT = 0.3

FOGRA39 = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, according to ISO 12647-2:2004/Amd 1, paper type 1 "
                       "or 2 (coated art), 115 g/m2, tone value increase curves A (CMY) and B (K)",
    "Info": "Coated FOGRA39 (ISO 12647-2:2004)",
}
"""The output condition of the bundled profile, as the ICC's registry names it."""

_COMPONENTS = {b"CMYK": 4, b"RGB ": 3, b"GRAY": 1}


@dataclass(frozen=True)
class OutputIntent:
    """The printing condition the press file is made for."""

    icc: bytes
    """The ICC profile characterising it."""
    keys: dict[str, str]
    """``OutputConditionIdentifier`` and the other keys of the output intent."""

    @classmethod
    def of(cls, icc: bytes, where: str, bundled: bool) -> OutputIntent:
        """The output intent of the profile ``icc`` (read from ``where``), or a one-line
        error if it is no ICC profile of a printer."""
        if len(icc) < 128 or icc[36:40] != b"acsp":
            raise PressrunError("this is not an ICC profile: give the .icc file your print "
                                "shop supplies, or delete it to use the bundled FOGRA39",
                                where, code="output-intent")
        if icc[12:16] != b"prtr" or icc[16:20] not in _COMPONENTS:
            raise PressrunError("this ICC profile does not describe a printer (it is a "
                                f"{icc[12:16].decode('latin-1').strip()} profile in "
                                f"{icc[16:20].decode('latin-1').strip()}): ask your print "
                                "shop for their output (CMYK) profile", where,
                                code="output-intent")
        if bundled:
            return cls(icc, FOGRA39)
        name = _description(icc) or where
        return cls(icc, {"OutputConditionIdentifier": "Custom", "OutputCondition": name,
                         "Info": name})

    @property
    def components(self) -> int:
        """The number of colour components of the printing condition."""
        return _COMPONENTS[self.icc[16:20]]


def _description(icc: bytes) -> str:
    """The profile's own name (its ``desc`` tag), or ``""``."""
    from PIL import ImageCms

    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip()
    except (OSError, ImageCms.PyCMSError):
        return ""


def press_ready(data: bytes, intent: OutputIntent, srgb: bytes) -> bytes:
    """The PDF ``data`` finished as PDF/X-4 for the printing condition ``intent``."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        rgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(srgb, N=3)])
        _manage_colour(pdf, rgb)
        registration = _registration(pdf)
        for page in pdf.pages:
            _slug_and_marks(pdf, page, registration)
        _output_intent(pdf, intent)
        _identify(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, force_version="1.6")
    return out.getvalue()


def _manage_colour(pdf, rgb) -> None:
    """sRGB for every RGB colour: a default colour space in every resource dictionary a
    content stream is drawn with, and in place of ``/DeviceRGB`` where a dictionary names
    it; and no picture smoothing."""
    import pikepdf

    for obj in pdf.objects:  # the pages among them
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if obj.get("/Type") == "/Page" or obj.get("/Subtype") == "/Form" or \
                obj.get("/PatternType") == 1:
            _default_rgb(obj, rgb)
        if obj.get("/Subtype") == "/Image" and "/Interpolate" in obj:
            del obj["/Interpolate"]
        _replace_rgb(obj, rgb)


def _default_rgb(owner, rgb) -> None:
    """Give ``owner`` (a page, form or tiling pattern) ``/DefaultRGB`` in its resources."""
    import pikepdf

    if "/Resources" not in owner:
        owner.Resources = pikepdf.Dictionary()
    resources = owner.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace.DefaultRGB = rgb


def _replace_rgb(obj, rgb) -> None:
    """sRGB in place of ``/DeviceRGB`` in the colour space keys of ``obj``, of its
    transparency group, and of the indexed colour spaces it names."""
    import pikepdf

    for holder in (obj, obj.get("/Group")):
        if not isinstance(holder, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        for key in ("/ColorSpace", "/CS"):
            value = holder.get(key)
            if value == pikepdf.Name.DeviceRGB:
                holder[key] = rgb
            elif isinstance(value, pikepdf.Array) and len(value) > 1 and \
                    value[0] == pikepdf.Name.Indexed and value[1] == pikepdf.Name.DeviceRGB:
                value[1] = rgb


def _registration(pdf):
    """The registration colour: every ink at once (``/Separation /All``)."""
    import pikepdf

    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0],
                              C1=[1, 1, 1, 1], N=1)
    return pdf.make_indirect(pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All,
                                            pikepdf.Name.DeviceCMYK, tint]))


def _slug_and_marks(pdf, page, registration) -> None:
    """Widen the media box by the slug and draw crop marks in it, off the bleed."""
    bleed = [float(v) for v in page.obj.get("/BleedBox", page.obj.MediaBox)]
    trim = [float(v) for v in page.obj.get("/TrimBox", bleed)]
    slug = SLUG_MM * MM
    page.obj.MediaBox = [Decimal(f"{v:.4f}") for v in (
        bleed[0] - slug, bleed[1] - slug, bleed[2] + slug, bleed[3] + slug)]
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
    page.obj.Resources.ColorSpace.PressrunRegistration = registration
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(b"Q\n" + crop_marks(trim, bleed)))


def crop_marks(trim: list[float], bleed: list[float]) -> bytes:
    """The content stream of the eight crop marks of a page: at each corner of ``trim``,
    a line on the trim edge's extension, starting clear of ``bleed``."""
    start = MARK_OFFSET_MM * MM
    length = MARK_LENGTH_MM * MM
    left, bottom, right, top = trim
    lines = []
    for x, y, out_x, out_y in ((left, bottom, -1, -1), (right, bottom, 1, -1),
                               (left, top, -1, 1), (right, top, 1, 1)):
        edge_x = bleed[0] if out_x < 0 else bleed[2]
        edge_y = bleed[1] if out_y < 0 else bleed[3]
        x0 = edge_x + out_x * start
        y0 = edge_y + out_y * start
        lines.append(f"{x0:.3f} {y:.3f} m {x0 + out_x * length:.3f} {y:.3f} l S")
        lines.append(f"{x:.3f} {y0:.3f} m {x:.3f} {y0 + out_y * length:.3f} l S")
    body = "\n".join(lines)
    return (f"/Artifact <</Type /Page>> BDC\nq\n/PressrunRegistration CS "
            f"1 SCN\n{MARK_WIDTH_PT} w 0 J\n{body}\nQ\nEMC\n").encode()


def _output_intent(pdf, intent: OutputIntent) -> None:
    """The one ``/GTS_PDFX`` output intent, its profile embedded."""
    import pikepdf

    profile = pdf.make_stream(intent.icc, N=intent.components)
    entry = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                               DestOutputProfile=profile)
    for key, value in intent.keys.items():
        entry[f"/{key}"] = pikepdf.String(value)
    pdf.Root.OutputIntents = pikepdf.Array([entry])


def _identify(pdf) -> None:
    """PDF/X-4 in ``/Info`` and the XMP, beside PDF/UA-1 (the tags are kept)."""
    import pikepdf

    pdf.docinfo["/GTS_PDFXVersion"] = pikepdf.String("PDF/X-4")
    pdf.docinfo["/Trapped"] = pikepdf.Name("/False")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["pdfuaid:part"] = "1"
        meta["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
        meta["pdf:Trapped"] = "False"
