"""A small zip writer for .docx packages whose unchanged parts are compressed only once.

A letter's package has about twenty parts; only four or five change from letter to letter,
while the style parts (several hundred kB) never do. :func:`entry` compresses a part once,
and :func:`write_zip` writes already-compressed entries as they are, so a batch does not
spend its time deflating the same styles three hundred times. All entries get one fixed
time stamp, so equal content gives equal bytes. The format is plain PKZIP 2.0 (no zip64:
a letter is far below 4 GiB), which Word, LibreOffice and :mod:`zipfile` read.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_TIME = 0  # 00:00:00
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_STORED, _DEFLATED = 0, 8


@dataclass(frozen=True)
class Entry:
    """One member of a zip file, with its data already compressed."""

    name: str
    payload: bytes
    crc: int
    size: int
    method: int


def entry(name: str, data: bytes, compress: bool = True) -> Entry:
    """Compress ``data`` (raw deflate, as zip stores it) unless ``compress`` is false."""
    if compress:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = packer.compress(data) + packer.flush()
        method = _DEFLATED
    else:
        payload, method = data, _STORED
    return Entry(name, payload, zlib.crc32(data), len(data), method)


def write_zip(entries: list[Entry]) -> bytes:
    """The zip file holding ``entries`` in order."""
    out = bytearray()
    central = bytearray()
    for item in entries:
        name = item.name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        offset = len(out)
        out += _LOCAL.pack(
            0x04034B50,
            20,
            flags,
            item.method,
            _DOS_TIME,
            _DOS_DATE,
            item.crc,
            len(item.payload),
            item.size,
            len(name),
            0,
        )
        out += name
        out += item.payload
        central += _CENTRAL.pack(
            0x02014B50,
            20,
            20,
            flags,
            item.method,
            _DOS_TIME,
            _DOS_DATE,
            item.crc,
            len(item.payload),
            item.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    start = len(out)
    out += central
    out += _END.pack(0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)
