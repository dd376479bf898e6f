"""The hand-written zip writer of the .docx packages, read back by the standard library."""

from __future__ import annotations

import io
import zipfile
import zlib

from hypothesis import given
from hypothesis import strategies as st

from ibtpost.documents import docxzip

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8

# zipfile cuts a name at a NUL byte; surrogates have no UTF-8 form
names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=60,
)
members = st.lists(
    st.tuples(names, st.binary(max_size=3000), st.booleans()),
    max_size=12,
    unique_by=lambda member: member[0],
)


def read_back(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every member as zipfile reads it: its central directory entry and its data."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None  # every member's CRC-32 checks out
        return [(info, zf.read(info)) for info in zf.infolist()]


@given(members)
def test_zipfile_reads_back_every_member_as_written(
    written: list[tuple[str, bytes, bool]],
) -> None:
    """zipfile reads the names in order, the bytes, method, sizes, CRC and fixed time back."""
    entries = [docxzip.entry(name, data, compress) for name, data, compress in written]
    found = read_back(docxzip.write_zip(entries))
    assert [info.filename for info, _ in found] == [name for name, _, _ in written]
    for (info, data), (name, original, compress), item in zip(found, written, entries, strict=True):
        assert data == original
        assert info.compress_type == (zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
        assert (info.file_size, info.compress_size) == (len(original), len(item.payload))
        assert (info.CRC, zlib.crc32(original)) == (item.crc, item.crc)
        assert info.date_time == FIXED_TIME
        assert bool(info.flag_bits & UTF8_NAME) == (not name.isascii())
        assert (info.extra, info.comment) == (b"", b"")


@given(members)
def test_equal_content_gives_equal_bytes(written: list[tuple[str, bytes, bool]]) -> None:
    """Entries made afresh from the same names and data give a byte-identical zip file."""
    first = docxzip.write_zip([docxzip.entry(*member) for member in written])
    second = docxzip.write_zip([docxzip.entry(*member) for member in written])
    assert first == second


@given(members, st.binary(max_size=3000), st.data())
def test_an_entry_compressed_once_serves_every_archive(
    written: list[tuple[str, bytes, bool]], shared_data: bytes, data: st.DataObject
) -> None:
    """One Entry placed at different positions of two archives reads back in both."""
    taken = {name for name, _, _ in written}
    shared = docxzip.entry(data.draw(names.filter(lambda n: n not in taken)), shared_data)
    others = [docxzip.entry(*member) for member in written]
    at = data.draw(st.integers(0, len(others)))
    for entries in ([*others[:at], shared, *others[at:]], [shared, *others]):
        found = {info.filename: body for info, body in read_back(docxzip.write_zip(entries))}
        assert found[shared.name] == shared_data
        assert len(found) == len(entries)


@given(st.binary(max_size=3000))
def test_a_stored_entry_is_the_data_itself_and_a_deflated_one_is_raw_deflate(
    data: bytes,
) -> None:
    """Stored entries carry the data verbatim; deflated ones inflate (no zlib header) to it."""
    stored = docxzip.entry("word/media/image1.png", data, compress=False)
    assert stored.payload == data
    deflated = docxzip.entry("word/document.xml", data)
    assert zlib.decompress(deflated.payload, -15) == data
    expected = (zlib.crc32(data), len(data))
    assert (stored.crc, stored.size) == (deflated.crc, deflated.size) == expected


def test_an_empty_package_is_an_empty_zip_file() -> None:
    """No entries give the 22-byte end record alone, which zipfile opens as an empty archive."""
    data = docxzip.write_zip([])
    assert len(data) == 22
    assert read_back(data) == []
