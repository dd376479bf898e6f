"""Review copies: letters' PDFs joined into one file, every page stamped CONCEPT (pypdf).

A review copy (``ibtpost preview`` and ``ibtpost proof``) is not a letter: a large, light,
diagonal CONCEPT lies over every page, whatever the letter itself shows, so that no page
of it can pass for a letter that was sent.

Stamping must stay cheap, because a proof holds hundreds of letters. pypdf's
``merge_page`` parses and rewrites every content stream of every page. Here the watermark
is made once, as a Form XObject per page size, and each page only gets a name for it in
its ``/Resources /XObject`` and two small streams shared by every page around its own
content: ``q`` before and ``Q q /IbtConcept Do Q`` after. The letter's own streams are
neither parsed nor rewritten.

The text is set in Helvetica-Bold, one of the standard fonts every PDF reader has, so
nothing is embedded; the joined file is a review copy and does not claim PDF/A (the
letters' XMP metadata and structure tree are not carried over).
"""

from __future__ import annotations

import io
import math

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

from ibtpost.core.errors import ConvertError

WATERMARK_TEXT = "CONCEPT"
#: the watermark's name in every page's /Resources /XObject
RESOURCE_NAME = "/IbtConcept"
_FONT = "Helvetica-Bold"
# Helvetica-Bold (Adobe AFM): widths of the letters of CONCEPT and the cap height, per 1000
_WIDTHS = {"C": 722, "O": 778, "N": 722, "E": 667, "P": 667, "T": 611}
_CAP_HEIGHT = 718
_SPAN = 0.72  # the word spans this part of the page's diagonal
_GREY = 0.55  # fill colour (0 black, 1 white)
_OPACITY = 0.22  # light: the letter stays readable under it


def _name(text: str) -> NameObject:
    return NameObject(text)


def _stream(data: bytes, entries: dict[str, PdfObject] | None = None) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in (entries or {}).items():
        stream[_name(key)] = value
    return stream


def _child(parent: DictionaryObject, key: str) -> DictionaryObject:
    """The dictionary under ``key`` in ``parent`` (an indirect one resolved), made if absent."""
    child = parent.get(key)
    if child is None:
        child = DictionaryObject()
        parent[_name(key)] = child
    resolved = child.get_object()
    if not isinstance(resolved, DictionaryObject):
        raise ConvertError(f"cannot stamp a page whose {key} is not a dictionary")
    return resolved


def watermark_content(width: float, height: float) -> bytes:
    """The drawing of the watermark on a page of ``width`` x ``height`` points: the word
    centred on the page, along the diagonal from the lower left to the upper right."""
    angle = math.atan2(height, width)
    size = _SPAN * math.hypot(width, height) * 1000 / sum(_WIDTHS[c] for c in WATERMARK_TEXT)
    text_width = size * sum(_WIDTHS[c] for c in WATERMARK_TEXT) / 1000
    cap = size * _CAP_HEIGHT / 1000
    cos, sin = math.cos(angle), math.sin(angle)
    # the text's centre (half its width, half the cap height) lands on the page's centre
    x = width / 2 - (cos * text_width / 2 - sin * cap / 2)
    y = height / 2 - (sin * text_width / 2 + cos * cap / 2)
    return (
        f"q /Gs gs {_GREY} g BT /F {size:.2f} Tf "
        f"{cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {x:.2f} {y:.2f} Tm "
        f"({WATERMARK_TEXT}) Tj ET Q"
    ).encode("ascii")


def _reader(pdf: bytes) -> PdfReader:
    """A reader for ``pdf``. LibreOffice's output is read strictly: without it pypdf visits
    every object of the file once more to repair a cross-reference table that needs no
    repair, which takes three quarters of the time of a proof's joining. A file that
    strict reading refuses is read again leniently."""
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=True)
        len(reader.pages)  # the page tree is read here
    except PdfReadError:
        reader = PdfReader(io.BytesIO(pdf))
    return reader


class ReviewCopy:
    """One PDF of review copies being built: add letters' PDFs in order, then write it.

    Each letter starts on a new page; ``label`` gives it an entry in the outline
    (bookmarks) that names its first page.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.writer = PdfWriter()
        self._forms: dict[tuple[float, float, float, float], IndirectObject] = {}
        self._labelled = False
        self._before = self.writer._add_object(_stream(b"q\n"))
        self._after = self.writer._add_object(_stream(f"\nQ q {RESOURCE_NAME} Do Q\n".encode()))
        self._font = self.writer._add_object(
            DictionaryObject(
                {
                    _name("/Type"): _name("/Font"),
                    _name("/Subtype"): _name("/Type1"),
                    _name("/BaseFont"): _name(f"/{_FONT}"),
                    _name("/Encoding"): _name("/WinAnsiEncoding"),
                }
            )
        )
        self._state = self.writer._add_object(
            DictionaryObject(
                {_name("/Type"): _name("/ExtGState"), _name("/ca"): FloatObject(_OPACITY)}
            )
        )

    @property
    def pages(self) -> int:
        """Pages so far."""
        return len(self.writer.pages)

    def _form(self, box: tuple[float, float, float, float]) -> IndirectObject:
        """The watermark for a page with this (crop) box, made once per box."""
        if box not in self._forms:
            x0, y0, x1, y1 = box
            resources = DictionaryObject(
                {
                    _name("/Font"): DictionaryObject({_name("/F"): self._font}),
                    _name("/ExtGState"): DictionaryObject({_name("/Gs"): self._state}),
                }
            )
            form = _stream(
                watermark_content(x1 - x0, y1 - y0),
                {
                    "/Type": _name("/XObject"),
                    "/Subtype": _name("/Form"),
                    "/BBox": ArrayObject([FloatObject(v) for v in (0, 0, x1 - x0, y1 - y0)]),
                    "/Matrix": ArrayObject(
                        [FloatObject(v) for v in (1, 0, 0, 1, x0, y0)]  # to the box's origin
                    ),
                    "/Resources": resources,
                },
            )
            self._forms[box] = self.writer._add_object(form)
        return self._forms[box]

    def add(self, pdf: bytes, label: str | None = None) -> int:
        """Append every page of ``pdf``, stamped; returns its page count."""
        first = self.pages
        reader = _reader(pdf)
        for source in reader.pages:
            page = self.writer.add_page(source)
            crop = page.cropbox
            form = self._form(
                (float(crop.left), float(crop.bottom), float(crop.right), float(crop.top))
            )
            _child(_child(page, "/Resources"), "/XObject")[_name(RESOURCE_NAME)] = form
            contents = page.raw_get("/Contents") if "/Contents" in page else None
            own = contents.get_object() if contents is not None else None
            if isinstance(own, ArrayObject):
                middle = list(own)
            else:
                middle = [contents] if contents is not None else []
            page[_name("/Contents")] = ArrayObject([self._before, *middle, self._after])
        if label is not None and self.pages > first:
            self.writer.add_outline_item(title=label, page_number=first)
            self._labelled = True
        return self.pages - first

    def write(self) -> bytes:
        """The whole file."""
        self.writer.add_metadata({"/Title": self.title, "/Subject": WATERMARK_TEXT})
        if self._labelled:
            self.writer.page_mode = "/UseOutlines"
        out = io.BytesIO()
        self.writer.write(out)
        return out.getvalue()
