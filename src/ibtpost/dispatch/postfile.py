"""The post room's print file: what waits for the post room, and each envelope in it.

A letter (or a copy) waits for the post room when no e-mail address is known, when its
e-mail failed, or when it goes by mail and post. Each is a :class:`PostPlace` in the batch's
``post-room.pdf`` (a copy, the CdK's included, behind a cover sheet with its own addressee
and postal address) with ``post-room.csv`` beside it. A copy that has neither an e-mail
nor a postal address cannot be delivered at all (:func:`undeliverable`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ibtpost.core.domain import Config
from ibtpost.core.errors import IbtpostError, Location, NextAction, RegisterError, UsageError
from ibtpost.core.files import letter_files, write_atomic
from ibtpost.core.layout import BatchLayout
from ibtpost.data.recipients import CopyRecipient, copy_recipient
from ibtpost.dispatch.states import (
    FOR_THE_POST_ROOM,
    LETTER,
    Channel,
    DispatchState,
    QueueEntry,
    entries,
)
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

S = DispatchState


def for_the_post_room(register: Register, batch: str) -> list[str]:
    """The letters of ``batch`` waiting for the post room (no address known, failed, or going
    by post as well as by e-mail), not yet posted, in reference order."""
    posted = {
        x.reference
        for x in letter_register.batch_letters(register, batch)
        if x.sent_via == Channel.POST
    }
    return [
        item.reference
        for item in entries(register, batch)
        if (item.state in FOR_THE_POST_ROOM or (item.post_too and item.state != S.WITHDRAWN))
        and item.reference not in posted
    ]


def copies_for_the_post_room(register: Register, batch: str) -> list[QueueEntry]:
    """The copies of ``batch``'s letters waiting for the post room (no address known, their
    mail failed, or their letter's), not yet posted, each with its own place in the post
    room's file."""
    return [e for e in entries(register, batch, FOR_THE_POST_ROOM, copies=True) if e.is_copy]


@dataclass(frozen=True)
class PostPlace:
    """One envelope in the post room's file: a letter to its college, or a copy of it to
    the gemeenteraad or to GS (preceded by a cover sheet with that addressee)."""

    reference: str
    role: str  # "college", "raad", "gs", "cdk"
    addressee: str  # "Aan het college van B&W van de gemeente Vlaardingen"
    address: tuple[str, ...]  # postal lines; empty when unknown


def post_places(
    config: Config, register: Register, batch: str, references: list[str]
) -> list[PostPlace]:
    """The places of the post room's file: each letter of ``references``, then each copy
    waiting for the post room, in reference order."""
    places = [PostPlace(r, LETTER, "", ()) for r in references]
    municipality = {
        x.reference: x.municipality for x in letter_register.batch_letters(register, batch)
    }
    places += [
        PostPlace(
            copy.reference,
            copy.role,
            copy.addressee or _addressee(config, municipality[copy.reference], copy.role),
            _postal_lines(config, municipality[copy.reference], copy.role),
        )
        for copy in copies_for_the_post_room(register, batch)
    ]
    return sorted(places, key=lambda p: (p.reference, p.role != LETTER, p.role))


def _addressee(config: Config, code: str, role: str) -> str:
    """The cover sheet's addressee of a copy queued without one (the CdK's copy of a letter
    whose mail failed): "Aan de Commissaris van de Koning van Zuid-Holland"."""
    municipality = config.municipalities.get(code)
    if municipality is None:
        return role
    return copy_recipient(role, "afschrift", municipality, config).addressee


def _postal_lines(config: Config, code: str, role: str) -> tuple[str, ...]:
    """The postal address of a copy's recipient: the town hall's for the raad (griffie),
    the province's for GS and for the CdK; empty when config/ does not know it."""
    municipality = config.municipalities.get(code)
    if municipality is None:
        return ()
    if role == "raad":
        address = municipality.postal or municipality.visit
        return ("t.a.v. de griffier", *address.lines) if address else ()
    province = config.provinces.get(municipality.province)
    if province is None or not province.postal_address:
        return ()
    found = _POSTCODE.match(province.postal_address.strip())
    if found is None:  # not "Postbus 90602 2509 LP Den Haag": print it as it is
        return (province.postal_address.strip(),)
    return (found[1], f"{found[2]} {found[3]}")


_POSTCODE = re.compile(r"^(.*?),?\s+(\d{4}\s?[A-Z]{2})\s+(.+)$")


def undeliverable(
    config: Config, municipality: str, copies: list[CopyRecipient]
) -> list[IbtpostError]:
    """Copies whose recipient has neither an e-mail address nor a postal address: they
    cannot be delivered at all (a final batch is not queued until one is known). For the
    CdK's copy of a letter that goes by post the postal address is the province's
    (``postal_address`` in config/provinces.csv)."""
    problems: list[IbtpostError] = []
    for copy in copies:
        if copy.address is not None or _postal_lines(config, municipality, copy.role):
            continue
        where = (
            Location("config/municipalities.csv", None, "postal")
            if copy.role == "raad"
            else Location("config/provinces.csv", None, "postal_address")
        )
        if copy.role == "cdk":  # the letter goes by post: the CdK gets no Cc either
            message = (
                f"no address of {copy.mentioned} (neither e-mail nor postal): the letter goes "
                "by post and its copy to the Commissaris van de Koning cannot be delivered"
            )
            hint = NextAction("import-cdk", {"file": "..."}, why="hint.add_address")
        else:
            message = (
                f"no address of {copy.mentioned} (neither e-mail nor postal): its copy cannot "
                "be delivered"
            )
            hint = NextAction(
                "import-addresses", {"file": "...", "role": copy.role}, why="hint.add_address"
            )
        problems.append(UsageError(message, where, hint=hint))
    return problems


def write_post_room_file(folder: Path, places: list[PostPlace]) -> Path | None:
    """``post-room.pdf``: the letters without an e-mail address (and the copies without
    one), ready to print duplex, each copy behind a cover sheet with its own addressee; and
    ``post-room.csv``, one row per envelope. Written again on each `queue`; None and no
    files when nothing goes by post."""
    path = BatchLayout(folder).post_room_file
    listing = BatchLayout(folder).post_room_list
    if not places:
        path.unlink(missing_ok=True)
        listing.unlink(missing_ok=True)
        return None
    import pikepdf

    from ibtpost.documents.pdf.coversheet import cover_sheet
    from ibtpost.documents.pdf.printfile import print_file

    files = letter_files(folder)
    rows = [["place", "reference", "role", "addressee", "address", "first_page", "pages"]]
    page = 1
    with contextlib.ExitStack() as stack:
        opened = []
        for number, place in enumerate(places, start=1):
            pdfs = sorted(files.get(place.reference, {}).get(".pdf", []))
            if len(pdfs) != 1:
                raise RegisterError(
                    f"{folder.name}: no single PDF for {place.reference}",
                    Location(str(folder)),
                    hint="run the batch again to restore it",
                )
            letter = stack.enter_context(pikepdf.open(pdfs[0]))
            if place.role != LETTER:
                doc = stack.enter_context(pikepdf.new())
                cover_sheet(
                    doc,
                    f"Afschrift - onze referentie {place.reference}",
                    [place.addressee, *place.address]
                    if place.address
                    else [place.addressee, "(postadres onbekend: vul het adres aan)"],
                    [
                        "Bijgevoegd: een afschrift van de brief met onze referentie "
                        f"{place.reference}.",
                    ],
                )
                doc.pages.extend(letter.pages)
                letter = doc
            opened.append(letter)
            count = len(letter.pages) + len(letter.pages) % 2
            rows.append(
                [
                    str(number),
                    place.reference,
                    place.role,
                    place.addressee,
                    "; ".join(place.address),
                    str(page),
                    str(count),
                ]
            )
            page += count
        write_atomic(path, print_file(opened))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write_atomic(listing, buffer.getvalue().encode("utf-8"))
    return path
