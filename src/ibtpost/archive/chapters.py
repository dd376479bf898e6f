"""What a case file's dossier holds, in the order and the words of the dossier: the
numbered documents of one municipality's case, the chronology of its audit events in
Dutch, and the delivery report (:mod:`ibtpost.archive.dossier` lays them out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ibtpost.archive.dossier import Piece, build_dossier, email_text, is_pdfa, lines_of, local_time
from ibtpost.archive.records import LetterFile, case_of
from ibtpost.core import clock, dutch
from ibtpost.core.domain import Config, Municipality, Publication
from ibtpost.core.messages import say
from ibtpost.dispatch.delivery import channel_label, delivery
from ibtpost.dispatch.report import ReportRow
from ibtpost.register import audit, procedure
from ibtpost.register.audit import Event
from ibtpost.register.dispatch import QueueEntry
from ibtpost.register.motivering import PARTS, MotiveringVersion
from ibtpost.register.notices import notice_reference
from ibtpost.register.replies import ReplyRecord
from ibtpost.rules.gates import LITIGATION_KINDS

#: who a copy goes to, in words
COPY_WORDS = {
    "raad": "de gemeenteraad",
    "gs": "Gedeputeerde Staten",
    "cdk": "de Commissaris van de Koning",
}


@dataclass
class Gathered:
    """Everything of one case the case file shows, read from the register at once."""

    letters: list[LetterFile]
    replies: dict[str, list[ReplyRecord]]
    report: list[ReportRow]
    events: list[Event]
    chain: audit.VerifyResult
    publications: dict[str, Publication] = field(default_factory=dict)
    litigation: list[procedure.LitigationRecord] = field(default_factory=list)
    motivering: dict[str, list[MotiveringVersion]] = field(default_factory=dict)
    copies: dict[str, list[QueueEntry]] = field(default_factory=dict)


def write_dossier(
    path: Path,
    config: Config,
    municipality: Municipality,
    g: Gathered,
    kept: dict[int, Path | None],
    notices: dict[str, Path],
    letters_folder: Path,
) -> int:
    """The dossier PDF of the case at ``path``; its page count."""
    case = case_of(municipality)
    heading = [
        f"Dossier {case.name} ({case.id})",
        f"Gemeente {municipality.name} ({municipality.code}); het college van burgemeester "
        f"en wethouders van {municipality.name}.",
        f"Samengesteld op {local_time(clock.stamp())} uit het register van ibtpost. "
        f"Audittrail: {len(g.events)} gebeurtenissen over deze stukken; de hele keten "
        f"{'is intact' if g.chain.ok else 'is NIET intact: ' + str(g.chain)}.",
    ]
    done = build_dossier(
        path,
        config,
        f"Dossier {case.name}",
        heading,
        pieces(g, kept, notices, letters_folder),
        chronology(g),
        report_lines(g.report),
    )
    return done.pages


def pieces(
    g: Gathered, kept: dict[int, Path | None], notices: dict[str, Path], letters_folder: Path
) -> list[Piece]:
    """The numbered documents, per letter in date order: the letter, its kennisgeving, its
    copies, the replies to it, its publication, the events at the court about it and the
    motivering written on it."""
    found: list[Piece] = []

    def add(piece: Piece) -> Piece:
        piece.number = len(found) + 1  # the number it has in the dossier
        found.append(piece)
        return piece

    for item in g.letters:
        record = item.record
        ref = record.reference
        sent = (
            f"verzonden {item.archived.sent_how} op {_day(item.archived.sent)}"
            if item.archived.sent
            else "niet verzonden"
        )
        letter = add(
            Piece(
                record.day,
                _kind(record.kind, record.trede),
                f"{item.archived.title}, aan het college; {sent}",
                ref,
                pdf=letters_folder / item.pdf.name,
            )
        )
        if ref in notices:
            published = g.publications.get(ref)
            where = (
                f"; gepubliceerd in de Staatscourant van {dutch.long_date(published.day)} "
                f"(Stcrt. {published.staatscourant})"
                if published
                else "; publicatie niet vastgelegd"
            )
            add(
                Piece(
                    record.day,
                    "kennisgeving",
                    f"Kennisgeving bij brief {ref}{where}",
                    notice_reference(ref),
                    notices[ref],
                )
            )
        for copy in g.copies.get(ref, []):
            add(_copy(record.reference, copy, letter, item))
        for answer in g.replies.get(ref, []):
            add(_answer(answer, kept.get(answer.id)))
        publication = g.publications.get(ref)
        if publication is not None:
            url = f" ({publication.url})" if publication.url else ""
            add(
                Piece(
                    publication.day,
                    "publicatie",
                    f"Kennisgeving bij {ref} gepubliceerd in de Staatscourant "
                    f"(Stcrt. {publication.staatscourant})",
                    ref,
                    text=[
                        ("row", f"De kennisgeving bij brief {ref} is gepubliceerd in de "
                         f"Staatscourant van {dutch.long_date(publication.day)}, "
                         f"Stcrt. {publication.staatscourant}{url}."),
                    ],
                )
            )  # fmt: skip
        for event in (x for x in g.litigation if x.reference == ref):
            words = _litigation(event.event.event)
            text = [("row", f"{dutch.long_date(event.event.day)}: {words} over besluit {ref}.")]
            if event.event.note:
                text.append(("row", f"Notitie: {event.event.note}"))
            if event.file:
                text.append(("row", f"Stuk bewaard als {event.file} (SHA-256 {event.sha256})."))
            add(Piece(event.event.day, "procedure", words.capitalize(), ref, text=text))
        versions = g.motivering.get(ref, [])
        for part in PARTS:
            written = [v for v in versions if v.part == part]
            if not written:
                continue
            latest = written[-1]
            by = f" door {latest.by}" if latest.by else ""
            text = [
                ("row", f"Versie {latest.version} van {len(written)}, vastgelegd op "
                 f"{local_time(latest.recorded_at)}{by}."),
                *lines_of(latest.text),
            ]  # fmt: skip
            add(
                Piece(
                    _date_of(latest.recorded_at),
                    "motivering",
                    f"Motivering bij {ref}: {_part(part)}",
                    ref,
                    text=text,
                )
            )
    return found


def _part(part: str) -> str:
    """A part of a motivering in words ("feiten na de termijn"), from the catalogue."""
    return say(f"motivering.part.{part}", "nl") if part in PARTS else part


def _litigation(event: str) -> str:
    """An event at the court in words ("beroep ingesteld"), from the message catalogue."""
    return say(f"litigation.event.{event}", "nl") if event in LITIGATION_KINDS else event


def _kind(kind: str, trede: int | None) -> str:
    if kind != "ladder":
        return {"herstel": "herstel", "intrekking": "intrekking"}.get(kind, "brief")
    return {4: "voornemen", 5: "besluit"}.get(trede or 0, "brief")


def _day(text: str | None) -> str:
    """An xsd:date or dateTime in Dutch words."""
    if not text:
        return ""
    if "T" in text:
        return local_time(text)
    return dutch.long_date(date.fromisoformat(text))


def _date_of(stamp: str) -> date:
    """The Dutch calendar day of a stored UTC time."""
    return datetime.fromisoformat(stamp).astimezone(clock.AMSTERDAM).date()


def _copy(reference: str, copy: QueueEntry, letter: Piece, item: LetterFile) -> Piece:
    """A copy of a letter: the same document to another recipient, as a page that says to
    whom, how and when, and which numbered document it is."""
    state = delivery(item.record, copy)
    who = copy.addressee or f"Aan {COPY_WORDS.get(copy.role, copy.role)}"
    how = f"per e-mail aan {copy.college}" if copy.college else "per post (postkamer)"
    when = local_time(copy.sent_at) if copy.sent_at else ""
    text = [
        ("row", f"Een afschrift van brief {reference} (stuk {letter.number or '-'}), gelijk aan "
         "die brief."),
        ("row", f"Ontvanger: {who[4:] if who.startswith('Aan ') else who}."),
        ("row", f"Verzending: {how}; stand: {state.label_nl}{', ' + when if when else ''}."),
    ]  # fmt: skip
    day = _date_of(copy.sent_at) if copy.sent_at else item.record.day
    return Piece(
        day,
        "afschrift",
        f"Afschrift van brief {reference} aan {COPY_WORDS.get(copy.role, copy.role)}",
        reference,
        text=text,
    )


def _answer(answer: ReplyRecord, source: Path | None) -> Piece:
    """A reply or zienswijze received: its PDF when it is PDF/A, else a page that says what
    was received and where the file is kept (an e-mail with its text)."""
    kind = "zienswijze" if answer.reply.kind == "zienswijze" else "reactie"
    description = f"{kind.capitalize()} op brief {answer.reference}"
    day = answer.reply.received
    if source is not None and source.suffix.lower() == ".pdf" and is_pdfa(source):
        return Piece(day, kind, description, answer.reference, pdf=source)
    text = [("row", f"Ontvangen op {dutch.long_date(day)}.")]
    if answer.note:
        text.append(("row", f"Notitie: {answer.note}"))
    if source is None:
        text.append(("row", "Geen bestand vastgelegd."))
    else:
        text.append(
            ("row", f"Bewaard in de map replies/ als {source.name} (SHA-256 {answer.sha256}).")
        )
        if source.suffix.lower() == ".eml":
            text.extend(email_text(source))
        elif source.suffix.lower() == ".pdf":
            not_pdfa = (
                "Het ontvangen PDF-bestand is geen PDF/A en is daarom niet in dit dossier "
                "opgenomen; het staat ongewijzigd in de map replies/."
            )
            text.append(("row", not_pdfa))
    return Piece(day, kind, description, answer.reference, text=text)


# -- the chronology ------------------------------------------------------------------------


def chronology(g: Gathered) -> list[str]:
    """One line per audit event about the case's letters, in Dutch, in the order recorded."""
    recipients: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
    lines = []
    for event in g.events:
        data = event.data
        role = str(data.get("role") or "college")
        key = (event.reference or "", role)
        if event.kind in (audit.LETTER_QUEUED, audit.COPY_QUEUED):
            recipients[key] = (str(data.get("to") or ""), tuple(data.get("cc") or ()))
        words = _event_words(event, recipients.get(key, ("", ())))
        if words:
            lines.append(f"{local_time(event.at)} — {words}")
    return lines


def _event_words(event: Event, sent_to: tuple[str, tuple[str, ...]]) -> str:
    """What one event means, in Dutch; empty for an event the chronology leaves out."""
    data, ref = event.data, event.reference or ""
    role = COPY_WORDS.get(str(data.get("role")), str(data.get("role")))
    to, cc = sent_to
    cc_words = f", afschrift aan {', '.join(cc)}" if cc else ""
    trede = f" (trede {data['trede']})" if data.get("trede") else ""
    words = {
        audit.LETTER_GENERATED: f"brief {ref}{trede} gemaakt"
        + (" als concept" if data.get("concept") else ""),
        audit.LETTER_QUEUED: f"brief {ref} klaargezet"
        + (" voor de postkamer" if data.get("state") == "post" else f" voor verzending aan {to}"),
        audit.LETTER_SENT: f"brief {ref} per e-mail verzonden aan het college ({to}){cc_words}"
        if data.get("transport") != "file"
        else f"brief {ref} als bestand geschreven (niet verzonden){cc_words}",
        audit.LETTER_FAILED: f"verzending van brief {ref} mislukt: {data.get('reply', '')}",
        audit.LETTER_IN_DOUBT: f"verzending van brief {ref} onzeker",
        audit.LETTER_WITHDRAWN: f"brief {ref} teruggetrokken: {data.get('reason', '')}",
        audit.LETTER_POSTED: f"brief {ref} per post verzonden op {_day(str(data.get('date', '')))}",
        audit.COPY_QUEUED: f"afschrift van brief {ref} aan {role} klaargezet",
        audit.COPY_SENT: f"afschrift van brief {ref} per e-mail verzonden aan {role} ({to})",
        audit.COPY_POSTED: f"afschrift van brief {ref} per post verzonden aan {role} op "
        f"{_day(str(data.get('date', '')))}",
        audit.COPY_FAILED: f"verzending van het afschrift van brief {ref} aan {role} mislukt",
        audit.COPY_WITHDRAWN: f"afschrift van brief {ref} aan {role} teruggetrokken",
        audit.COPY_TO_POST_ROOM: f"afschrift van brief {ref} aan {role} naar de postkamer",
        audit.REPLY_RECEIVED: f"{'zienswijze' if data.get('kind') == 'zienswijze' else 'reactie'} "
        f"op brief {ref} ontvangen op {_day(str(data.get('received', '')))}",
        audit.PUBLICATION_RECORDED: f"publicatie van de kennisgeving bij brief {ref} vastgelegd "
        f"(Stcrt. {data.get('staatscourant', '')})",
        audit.LITIGATION_RECORDED: f"{_litigation(str(data.get('event')))} "
        f"over brief {ref} vastgelegd",
        audit.MOTIVERING_RECORDED: f"motivering bij brief {ref} vastgelegd "
        f"({_part(str(data.get('part')))})",
        audit.CASE_CLOSED: f"toezichtdossier afgesloten ({data.get('why', '')})",
        audit.SEND_REFUSED: f"verzending van brief {ref} geweigerd: het klaargezette bericht "
        "is gewijzigd",
        audit.LETTER_CHECK_FAILED: f"brief {ref} niet klaargezet: de controles faalden",
    }
    return words.get(event.kind, "")


# -- the delivery report -------------------------------------------------------------------


def report_lines(rows: list[ReportRow]) -> list[tuple[str, str]]:
    """The delivery report in words: per letter how and when it went."""
    lines: list[tuple[str, str]] = []
    for row in rows:
        lines.append(("heading", f"Brief {row.reference} aan {row.name}"))
        channel = channel_label(row.channel, "nl") or "-"
        lines.append(("row", f"Kanaal: {channel}; stand: {say(f'state.{row.state}', 'nl')}."))
        if row.to:
            cc = f"; afschrift aan {', '.join(row.cc)}" if row.cc else ""
            lines.append(("row", f"Aan: {row.to}{cc}."))
        if row.queued_at:
            lines.append(("row", f"Klaargezet: {local_time(row.queued_at)}."))
        if row.sent_at:
            lines.append(("row", f"Verzonden: {local_time(row.sent_at)}."))
        if row.posted_on:
            lines.append(("row", f"Per post verzonden: {_day(row.posted_on)}."))
        if row.counts_from:
            lines.append(("row", f"Telt op de ladder vanaf: {_day(row.counts_from)}."))
        lines.append(("row", f"Bericht: {row.message_id or '-'}; pogingen: {row.attempts}."))
        lines.append(("row", f"SHA-256 van de PDF: {row.pdf_sha256}."))
    return lines
