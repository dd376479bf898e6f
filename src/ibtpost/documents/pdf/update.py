"""A fast path for finishing LibreOffice's PDFs: read the facts, append the metadata.

LibreOffice writes its PDFs in one simple layout: plain objects, one classic
cross-reference table, no object streams, and an uncompressed XMP metadata stream (PDF/A
forbids filters on it). For such a file this module reads what the checks need (PDF/A
part and conformance, tagging, page count, font embedding) straight from the objects, and
sets the document information by an incremental update: the new Info dictionary and a
one-entry cross-reference section are appended, the original bytes stay as they are
(incremental updates are allowed in PDF/A). That takes well under a millisecond, where
opening and rewriting the file with pikepdf takes about 17 ms.

Anything unexpected (another layout, an earlier update, a missing object) makes
:func:`read_layout` return None, and :mod:`ibtpost.documents.pdf.finish` falls back to
pikepdf, which decides. So this path can only be faster, never more lenient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REF = {key: re.compile(rb"/" + key.encode() + rb"\s+(\d+)\s+0\s+R") for key in
        ("Root", "Info", "Pages", "Metadata")}  # fmt: skip
_SIZE = re.compile(rb"/Size\s+(\d+)")
_ID = re.compile(rb"/ID\s*\[([^\]]*)\]")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_BASEFONT = re.compile(rb"/BaseFont\s*/([^\s/<>\[\]()]+)")
_FONTNAME = re.compile(rb"/FontName\s*/([^\s/<>\[\]()]+)")
_SUBSECTION = re.compile(rb"xref\s+0\s+(\d+)\s+")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")


@dataclass(frozen=True)
class Layout:
    """What the fast path read from a LibreOffice PDF."""

    pdfa: str  # "2B"
    tagged: bool
    pages: int
    fonts: tuple[str, ...]
    unembedded: tuple[str, ...]
    root: int
    info: int
    size: int
    ids: bytes
    xref_at: int


def read_layout(pdf: bytes) -> Layout | None:
    """The facts of a PDF in LibreOffice's layout, or None for any other file."""
    tail = _STARTXREF.search(pdf[-64:])
    if tail is None:
        return None
    xref_at = int(tail.group(1))
    header = _SUBSECTION.match(pdf, xref_at)
    if header is None:
        return None
    count = int(header.group(1))
    table_end = header.end() + 20 * count
    trailer_at = pdf.find(b"trailer", table_end)
    if trailer_at != table_end and pdf[table_end:trailer_at].strip():
        return None  # more than one subsection
    trailer = pdf[trailer_at:]
    if b"/Prev" in trailer or b"/XRefStm" in trailer:
        return None
    offsets: dict[int, int] = {}
    for number, match in enumerate(_ENTRY.finditer(pdf, header.end(), table_end)):
        if match.group(3) == b"n":
            offsets[number] = int(match.group(1))
    refs = {key: _REF[key].search(trailer) for key in ("Root", "Info")}
    size, ids = _SIZE.search(trailer), _ID.search(trailer)
    if None in refs.values() or size is None or ids is None or not offsets:
        return None
    root_no = int(refs["Root"].group(1))  # type: ignore[union-attr]
    info_no = int(refs["Info"].group(1))  # type: ignore[union-attr]

    def obj(number: int) -> bytes | None:
        start = offsets.get(number)
        if start is None or not pdf.startswith(f"{number} 0 obj".encode(), start):
            return None
        end = pdf.find(b"endobj", start)
        return pdf[start:end] if end > 0 else None

    root = obj(root_no)
    if root is None or b"/Type/Catalog" not in root.replace(b" ", b""):
        return None
    pages_ref, meta_ref = _REF["Pages"].search(root), _REF["Metadata"].search(root)
    pages_obj = obj(int(pages_ref.group(1))) if pages_ref else None
    meta = obj(int(meta_ref.group(1))) if meta_ref else None
    page_count = _COUNT.search(pages_obj) if pages_obj else None
    if page_count is None or meta is None or b"/Filter" in meta.split(b"stream", 1)[0]:
        return None
    if b"<pdfaid:part>2</pdfaid:part>" not in meta or (
        b"<pdfaid:conformance>B</pdfaid:conformance>" not in meta
    ):
        return None  # let pikepdf tell what it is
    tagged = b"/MarkInfo<</Marked true>>" in root and b"/StructTreeRoot" in root
    fonts: set[str] = set()
    unembedded: set[str] = set()
    for number in offsets:
        body = obj(number)
        if body is None:
            return None
        head = body.split(b"stream", 1)[0]
        if b"/Type/Font" in head and b"/Type/FontDescriptor" not in head:
            name = _BASEFONT.search(head)
            if name:
                fonts.add("/" + name.group(1).decode("latin-1"))
        elif b"/Type/FontDescriptor" in head and b"/FontFile" not in head:
            name = _FONTNAME.search(head)
            unembedded.add("/" + (name.group(1).decode("latin-1") if name else "?"))
    if not fonts:
        return None  # a letter has text; no font found means an unexpected layout
    return Layout(
        pdfa="2B",
        tagged=tagged,
        pages=int(page_count.group(1)),
        fonts=tuple(sorted(fonts)),
        unembedded=tuple(sorted(unembedded)),
        root=root_no,
        info=info_no,
        size=int(size.group(1)),
        ids=ids.group(1),
        xref_at=xref_at,
    )


def text_string(value: str) -> bytes:
    """A PDF text string: UTF-16BE with byte order mark, hex-encoded (as LibreOffice writes)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def append_info(pdf: bytes, layout: Layout, entries: dict[str, str]) -> bytes:
    """``pdf`` with an incremental update that replaces its Info dictionary.

    The keys LibreOffice wrote and ``entries`` does not name (Creator, Producer,
    CreationDate) are kept as they were.
    """
    start = pdf.find(f"{layout.info} 0 obj".encode(), 0)
    old = pdf[start : pdf.find(b"endobj", start)]
    inner = old[old.find(b"<<") + 2 : old.rfind(b">>")]
    for key in entries:
        inner = re.sub(
            re.escape(key.encode()) + rb"\s*(<[^>]*>|\((?:\\.|[^\\)])*\))\s*", b"", inner
        )
    new_entries = b"".join(
        key.encode() + text_string(value) + b"\n" for key, value in entries.items()
    )
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    info_at = len(body)
    info = (
        f"{layout.info} 0 obj\n<<".encode() + inner.strip() + b"\n" + new_entries + b">>\nendobj\n"
    )
    xref_at = info_at + len(info)
    xref = (
        f"xref\n{layout.info} 1\n{info_at:010d} 00000 n \n"
        f"trailer\n<</Size {layout.size}/Root {layout.root} 0 R/Info {layout.info} 0 R"
        f"/ID [".encode()
        + layout.ids
        + f"]/Prev {layout.xref_at}>>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    )
    return body + info + xref
