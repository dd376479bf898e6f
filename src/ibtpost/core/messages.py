"""One message catalogue, English and Dutch side by side: the labels of states and the
summaries of results that the command line (English) and ``ibtpost web`` (Dutch) show.

A front end never words a result itself: it asks ``say(key, lang, **values)``. A key names
what is said (``state.sent``, ``summary.queue``), the values fill ``{placeholders}`` that
both languages share (a test checks that they do). Letter and mail texts are not here: those
are the lawyers' texts under letters/ and templates/.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")


@dataclass(frozen=True)
class Wording:
    """One message in both languages."""

    en: str
    nl: str

    def placeholders(self, lang: Lang) -> set[str]:
        """The ``{names}`` the wording in ``lang`` fills in."""
        text = self.en if lang == "en" else self.nl
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUE: dict[str, Wording] = {
    # -- delivery states of a letter or copy (ibtpost.dispatch's read model) -----------------
    "state.open": Wording("not made yet", "nog niet gemaakt"),
    "state.made": Wording("made, not queued", "gemaakt, niet klaargezet"),
    "state.queued": Wording("queued for e-mail", "klaargezet voor e-mail"),
    "state.sending": Wording("being sent", "wordt verzonden"),
    "state.sent": Wording("sent", "verzonden"),
    "state.failed": Wording("failed (to the post room)", "mislukt (naar de postkamer)"),
    "state.in_doubt": Wording("in doubt", "onzeker"),
    "state.post": Wording("waiting for the post room", "wacht op de postkamer"),
    "state.withdrawn": Wording("withdrawn", "teruggetrokken"),
    "state.posted": Wording("sent by post", "per post verzonden"),
    "state.sent_and_posted": Wording(
        "sent by e-mail and by post", "per e-mail en per post verzonden"
    ),
    "channel.mail": Wording("by e-mail", "per e-mail"),
    "channel.post": Wording("by post", "per post"),
    "channel.both": Wording("by post and by e-mail", "per post en per e-mail"),
    # -- summaries: dispatch (queue, send, withdraw, post) ------------------------------------
    "summary.queue": Wording(
        "batch {batch}: {queued} queued for e-mail, {post} for the post room, {already} already "
        "queued; {file_only} may only go to files (sample data or concept){failed}",
        "batch {batch}: {queued} klaargezet voor e-mail, {post} voor de postkamer, {already} al "
        "klaargezet; {file_only} alleen naar bestanden (voorbeeldgegevens of concept){failed}",
    ),
    "summary.queue.failed": Wording(
        "; {count} not queued (checks failed)",
        "; {count} niet klaargezet (controles mislukt)",
    ),
    "summary.queue.not_queued": Wording("not queued: {check}", "niet klaargezet: {check}"),
    "summary.queue.missing": Wording("post room: {line}", "postkamer: {line}"),
    "summary.queue.checks": Wording(
        "checks: {checked} letter(s) checked ({cached} from checks.json) in {seconds:.1f} s, "
        "{failed} failed",
        "controles: {checked} brief(brieven) gecontroleerd ({cached} uit checks.json) in "
        "{seconds:.1f} s, {failed} mislukt",
    ),
    "summary.queue.post_room": Wording(
        "post room: {letters} letter(s) to print in {file}",
        "postkamer: {letters} brief(brieven) om te printen in {file}",
    ),
    "summary.send": Wording(
        "{sent} sent{copies}, {failed} failed, {in_doubt} in doubt, {refused} refused, {left} "
        "left to another run, {attempts} attempt(s) by {transport} in {seconds:.1f} s",
        "{sent} verzonden{copies}, {failed} mislukt, {in_doubt} onzeker, {refused} geweigerd, "
        "{left} door een andere run genomen, {attempts} poging(en) via {transport} in "
        "{seconds:.1f} s",
    ),
    "summary.send.copies": Wording(" (and {count} copy(ies))", " (en {count} kopie(ën))"),
    "summary.send.sent": Wording("sent {reference}", "verzonden {reference}"),
    "summary.send.sent_copy": Wording("sent copy {label}", "kopie verzonden {label}"),
    "summary.send.failed": Wording("failed {label}: {why}", "mislukt {label}: {why}"),
    "summary.send.to_post_room": Wording(
        "post room {label}: its letter waits for the post room; the copy goes with it",
        "postkamer {label}: de brief wacht op de postkamer; de kopie gaat mee",
    ),
    "summary.send.in_doubt": Wording(
        "in doubt {reference}: the run that sent it stopped before the reply was recorded; not "
        "sent again (--resend-in-doubt sends it with the same Message-ID)",
        "onzeker {reference}: de run die de brief verzond stopte voordat het antwoord was "
        "vastgelegd; niet opnieuw verzonden (--resend-in-doubt verzendt hem met dezelfde "
        "Message-ID)",
    ),
    "summary.send.refused": Wording("not sent {label}: {why}", "niet verzonden {label}: {why}"),
    "summary.send.left": Wording(
        "left {label}: another send run (or withdraw) took it first",
        "overgelaten {label}: een andere verzendrun (of terugtrekken) was eerder",
    ),
    "summary.send.dry_run": Wording(
        "dry run: {letters} letter(s){copies} would go by {transport}",
        "proefrun: {letters} brief(brieven){copies} zou(den) gaan via {transport}",
    ),
    "summary.send.dry_run.copies": Wording(" and {count} copy(ies)", " en {count} kopie(ën)"),
    "summary.send.would": Wording("would send {reference}", "zou verzenden {reference}"),
    "summary.send.would_copy": Wording("would send copy {label}", "zou kopie verzenden {label}"),
    "summary.send.changed": Wording(
        "address changed since queueing ({count} letter(s)); each still goes to the address "
        "recorded at queue unless withdrawn (`ibtpost withdraw BATCH -r REF --reason ...`, then "
        "`ibtpost queue BATCH`):",
        "adres gewijzigd sinds het klaarzetten ({count} brief(brieven)); elk gaat nog naar het "
        "adres dat bij het klaarzetten is vastgelegd, tenzij teruggetrokken en opnieuw "
        "klaargezet:",
    ),
    "summary.send.changed.one": Wording("  {change}", "  {change}"),
    "summary.withdraw": Wording(
        "{count} letter(s) or copy(ies) withdrawn from batch {batch}",
        "{count} brief(brieven) of kopie(ën) teruggetrokken uit batch {batch}",
    ),
    "summary.withdraw.one": Wording(
        "withdrawn {label} (was {state})", "teruggetrokken {label} (was {state})"
    ),
    "summary.post": Wording(
        "{letters} letter(s){copies} recorded as posted; the letters now count on the ladder",
        "{letters} brief(brieven){copies} vastgelegd als per post verzonden; de brieven tellen "
        "nu mee op de ladder",
    ),
    "summary.post.copies": Wording(" and {count} copy(ies)", " en {count} kopie(ën)"),
    "summary.post.letter": Wording(
        "{reference} {municipality}: posted {day}",
        "{reference} {municipality}: per post verzonden {day}",
    ),
    "summary.post.copy": Wording(
        "{label}: copy posted {day}", "{label}: kopie per post verzonden {day}"
    ),
    # -- summaries: production and review (batch, preview, proof, import, approve, reply) -----
    "summary.warning": Wording("warning: {warning}", "waarschuwing: {warning}"),
    "summary.batch": Wording(
        "batch {id}: {letters} letters ({converted} converted, {unchanged} unchanged), "
        "{pages} pages, {seconds:.1f} s, {warnings} warning(s)",
        "batch {id}: {letters} brieven ({converted} omgezet, {unchanged} ongewijzigd), "
        "{pages} pagina's, {seconds:.1f} s, {warnings} waarschuwing(en)",
    ),
    "summary.batch.concept": Wording(
        "concept batch {id}: {letters} letters ({converted} converted, {unchanged} unchanged), "
        "{pages} pages, {seconds:.1f} s, {warnings} warning(s)",
        "conceptbatch {id}: {letters} brieven ({converted} omgezet, {unchanged} ongewijzigd), "
        "{pages} pagina's, {seconds:.1f} s, {warnings} waarschuwing(en)",
    ),
    "summary.preview": Wording(
        "preview {letter}: {files} file(s), {pages} pages, {seconds:.1f} s; version {version}; "
        "CONCEPT, reference 0000000, no letter recorded",
        "voorbeeld {letter}: {files} bestand(en), {pages} pagina's, {seconds:.1f} s; versie "
        "{version}; CONCEPT, referentie 0000000, geen brief vastgelegd",
    ),
    "summary.proof": Wording(
        "proof {letter} version {version}: {letters} letters, {pages} pages, {seconds:.1f} s, "
        "{warnings} warning(s)",
        "proef {letter} versie {version}: {letters} brieven, {pages} pagina's, {seconds:.1f} s, "
        "{warnings} waarschuwing(en)",
    ),
    "summary.proof.page": Wording("page {page}: {label}", "pagina {page}: {label}"),
    "summary.import": Wording(
        "imported {rows} from {source} into {target} ({changed} changed)",
        "{rows} geïmporteerd uit {source} in {target} ({changed} gewijzigd)",
    ),
    "summary.import.same": Wording(
        "imported {rows} from {source} into {target} (already up to date)",
        "{rows} geïmporteerd uit {source} in {target} (was al bijgewerkt)",
    ),
    "summary.import.ignored": Wording(
        "warning: {source}: ignored column(s) {columns}",
        "waarschuwing: {source}: kolom(men) genegeerd: {columns}",
    ),
    "count.row": Wording("{count} row", "{count} rij"),
    "count.rows": Wording("{count} rows", "{count} rijen"),
    "summary.approve": Wording(
        "approved {letter} version {version} by {by}",
        "goedgekeurd: {letter} versie {version} door {by}",
    ),
    "summary.approve.again": Wording(
        "{letter} version {version} is already approved by {by} on {day}; nothing added",
        "{letter} versie {version} is al goedgekeurd door {by} op {day}; niets toegevoegd",
    ),
    "summary.approve.count": Wording(
        " ({given} of the {needed} approvals by different people it needs)",
        " ({given} van de {needed} goedkeuringen door verschillende mensen die nodig zijn)",
    ),
    "summary.approve.waiting": Wording(
        "{given} of the {needed} approvals by different people that {letter} needs; a final "
        "batch waits for the other",
        "{given} van de {needed} goedkeuringen door verschillende mensen die {letter} nodig "
        "heeft; een definitieve batch wacht op de andere",
    ),
    "summary.reply": Wording(
        "{reference} {municipality}: {kind} received {received}{kept}",
        "{reference} {municipality}: {kind} ontvangen op {received}{kept}",
    ),
    "summary.reply.kept": Wording("; kept as {file}", "; bewaard als {file}"),
    "summary.reply.again": Wording(
        "{reference}: this {kind} was recorded before; nothing added",
        "{reference}: deze {kind} was al vastgelegd; niets toegevoegd",
    ),
    "reply.kind.reply": Wording("reply", "reactie"),
    "reply.kind.zienswijze": Wording("zienswijze", "zienswijze"),
    # -- errors and hints ---------------------------------------------------------------------
}


def say(key: str, lang: Lang, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in; KeyError for an unknown key."""
    wording = CATALOGUE[key]
    return (wording.en if lang == "en" else wording.nl).format(**values)
