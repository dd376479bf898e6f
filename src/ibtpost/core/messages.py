"""One message catalogue, English and Dutch side by side: the labels of states and the
summaries of results that the command line (English) and ``ibtpost web`` (Dutch) show.

A front end never words a result itself: it asks ``say(key, lang, **values)``. A key names
what is said (``state.sent``, ``summary.queue``), the values fill ``{placeholders}`` that
both languages share (a test checks that they do). Letter and mail texts are not here: those
are the lawyers' texts under letters/ and templates/.
"""

from __future__ import annotations

from ibtpost.core.corrwords import CORRECTIONS
from ibtpost.core.procwords import PROCEDURE
from ibtpost.core.wording import Lang, Wording

__all__ = ["CATALOGUE", "LANGS", "Lang", "Wording", "say"]
LANGS: tuple[Lang, ...] = ("en", "nl")


CATALOGUE: dict[str, Wording] = {
    **PROCEDURE,
    **CORRECTIONS,
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
        "sent again",
        "onzeker {reference}: de run die de brief verzond stopte voordat het antwoord was "
        "vastgelegd; niet opnieuw verzonden",
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
        "recorded at queue unless withdrawn and queued again:",
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
    "summary.motivering": Wording(
        "{reference} {municipality}: {part} recorded as version {version}",
        "{reference} {municipality}: {part} vastgelegd als versie {version}",
    ),
    "summary.motivering.again": Wording(
        "{reference}: this {part} is version {version} already; nothing added",
        "{reference}: deze {part} is al versie {version}; niets toegevoegd",
    ),
    "motivering.part.zienswijze": Wording(
        "summary of the zienswijze and the reply to it",
        "samenvatting van de zienswijze en de reactie daarop",
    ),
    "motivering.part.feiten": Wording("facts after the term", "feiten na de termijn"),
    "reply.kind.reply": Wording("reply", "reactie"),
    "reply.kind.zienswijze": Wording("zienswijze", "zienswijze"),
    # -- why a letter may only go to the file transport -------------------------------------
    "reason.concept": Wording("a concept letter", "een conceptbrief"),
    "reason.sample": Wording("built on sample figures", "op voorbeeldcijfers"),
    "reason.sample_address": Wording(
        "a sample (.example) address", "een voorbeeldadres (.example)"
    ),
    # -- warnings of a batch or a proof ------------------------------------------------------
    "warning.in_batch": Wording("{name}: already in batch {batch}", "{name}: al in batch {batch}"),
    "warning.unsealed": Wording(
        "{count} letter(s) queued or sent before signing was configured stay unsealed (a "
        "queued or sent letter never changes)",
        "{count} brief(brieven) die voor het instellen van het zegel klaargezet of verzonden "
        "waren, blijven zonder zegel (een klaargezette of verzonden brief verandert nooit)",
    ),
    "warning.samples": Wording(
        "{count} letter(s) built on sample figures, marked VOORBEELD",
        "{count} brief(brieven) op voorbeeldcijfers, gemarkeerd met VOORBEELD",
    ),
    "warning.concept": Wording("concept: {problem}", "concept: {problem}"),
    "warning.pages": Wording(
        "{label}: {pages} pages, outside {low}-{high} ({file}: pages); a batch would refuse "
        "this letter",
        "{label}: {pages} pagina's, buiten {low}-{high} ({file}: pages); een batch zou deze "
        "brief weigeren",
    ),
    # -- errors and hints ---------------------------------------------------------------------
    "error.reference_digits": Wording(
        "reference {text!r} must be 1 to 12 digits",
        "referentie {text!r} moet uit 1 tot 12 cijfers bestaan",
    ),
    "error.reference_kept": Wording(
        "this letter already has reference {recorded}; {explicit} cannot replace it",
        "deze brief heeft al referentie {recorded}; {explicit} kan die niet vervangen",
    ),
    "error.reference_taken": Wording(
        "reference {explicit} already belongs to {letter} for {municipality} dated {day}",
        "referentie {explicit} hoort al bij {letter} voor {municipality} met dagtekening {day}",
    ),
    "hint.new_reference": Wording(
        "leave out {reference} to get a new number", "laat {reference} weg voor een nieuw nummer"
    ),
    "error.unknown_municipality": Wording(
        "unknown municipality {query!r}", "onbekende gemeente {query!r}"
    ),
    "hint.municipality_code": Wording(
        "give a code like GM0622 or a name as in config/municipalities.csv",
        "geef een code zoals GM0622 of een naam zoals in config/municipalities.csv",
    ),
    "error.draft_needs_concept": Wording(
        "{letter} is a draft (not approved): a batch of it needs {concept}",
        "{letter} is een concept (niet goedgekeurd): maak er een batch van met {concept}",
    ),
    "hint.concept": Wording(
        "{concept} marks every page CONCEPT", "{concept} zet CONCEPT op elke pagina"
    ),
    "error.no_figures": Wording("{name} ({code}): no figures", "{name} ({code}): geen cijfers"),
    "error.in_batch": Wording(
        "{name}: already in batch {batch}", "{name}: zit al in batch {batch}"
    ),
    "hint.leave_out": Wording("leave it out of this batch", "laat de gemeente weg uit deze batch"),
    "error.zienswijze_pending": Wording(
        "{name} ({code}): the term for a zienswijze on {letter} {reference} runs until {until} "
        "and no zienswijze was recorded; trede {trede} may not come before it",
        "{name} ({code}): de termijn voor een zienswijze op {letter} {reference} loopt tot "
        "{until} en er is geen zienswijze vastgelegd; trede {trede} mag niet eerder komen",
    ),
    "hint.zienswijze": Wording(
        "record the zienswijze with `{reply}`, or wait until the term has passed; {reason} "
        "does not override this",
        "leg de zienswijze vast ({reply}), of wacht tot de termijn voorbij is; {reason} "
        "verandert daar niets aan",
    ),
    # the ladder words a deviation in English only: the Dutch leaves it out ({deviation!s:.0})
    "error.off_the_ladder": Wording(
        "{name} ({code}): {deviation}",
        "{name} ({code}): deze stap wijkt af van de ladder{deviation!s:.0}",
    ),
    "hint.give_reason": Wording(
        "give {reason} to record why, or leave it out",
        "vul {reason} in om vast te leggen waarom, of laat de gemeente weg",
    ),
    "error.no_zienswijze_reply": Wording(
        "{name} ({code}): the zienswijze on {letter} {reference} has no reply text yet; a "
        "final besluit answers it",
        "{name} ({code}): op de zienswijze bij {letter} {reference} is nog geen reactie "
        "geschreven; een definitief besluit beantwoordt die",
    ),
    "error.no_facts": Wording(
        "{name} ({code}): the facts after the term of {letter} {reference} are not written "
        "yet; a final letter states them",
        "{name} ({code}): de feiten na de termijn van {letter} {reference} zijn nog niet "
        "geschreven; een definitieve brief noemt ze",
    ),
    "hint.motivering": Wording(
        "write the text, then `{command}`", "schrijf de tekst en leg die vast ({command})"
    ),
    "error.figures_too_old": Wording(
        "{name} ({code}): its figures date from {peildatum}, more than {limit} days before "
        "the letter's date {day} (max_figures_age_days in config/settings.yaml)",
        "{name} ({code}): de cijfers zijn van {peildatum}, meer dan {limit} dagen voor de "
        "dagtekening {day} (max_figures_age_days in config/settings.yaml)",
    ),
    "hint.fresh_figures": Wording(
        "import current figures with `{command}`", "importeer actuele cijfers ({command})"
    ),
    "error.one_line": Wording("must be one line of text", "moet één regel tekst zijn"),
    "error.nobody_due": Wording(
        "no municipality is due for {letter} on {day}",
        "geen gemeente is aan de beurt voor {letter} op {day}",
    ),
    "hint.see": Wording("see `{command}`", "{command}"),
    "error.batch_busy": Wording(
        "batch {batch} is being worked on by another ibtpost process (a batch or queue run)",
        "aan batch {batch} wordt al gewerkt (een batch of het klaarzetten loopt nog)",
    ),
    "hint.again_later": Wording(
        "run the command again once that one has finished",
        "probeer het opnieuw als dat klaar is",
    ),
    "hint.new_batch": Wording(
        "undo the change, or make the changed letter in a new batch (another {date})",
        "maak de wijziging ongedaan, of maak de gewijzigde brief in een nieuwe batch (een "
        "andere {date})",
    ),
    "error.more_approvals": Wording(
        "letter {letter} needs {needed} approvals of version {version} by different people; "
        "it has {count} ({names}): another reviewer approves with {approve}",
        "brief {letter} heeft {needed} goedkeuringen van versie {version} door verschillende "
        "mensen nodig; er zijn er {count} ({names}): nog een beoordelaar: {approve}",
    ),
    "error.never_approved": Wording(
        "letter {letter} is not approved: it has never been approved (review it, then: {approve})",
        "brief {letter} is niet goedgekeurd: hij is nooit goedgekeurd (beoordeel hem, daarna: "
        "{approve})",
    ),
    "error.changed_since_approval": Wording(
        "letter {letter} is not approved: {changes} since approval {version} by {by} on {day} "
        "(see: {diff}, then {approve})",
        "brief {letter} is niet goedgekeurd: {changes} sinds goedkeuring {version} door {by} "
        "op {day} ({diff}, en daarna: {approve})",
    ),
    "error.legal_unverified": Wording(
        "letter {letter} uses legal text that is not verified: {entries}; only a concept can "
        "be made of it ({concept})",
        "brief {letter} gebruikt juridische tekst die niet is gecontroleerd: {entries}; er kan "
        "alleen een concept van worden gemaakt ({concept})",
    ),
    "hint.verify_legal": Wording(
        "a lawyer fills in text and sets verified_by and verified_on in config/legal.yaml",
        "een jurist vult de tekst in en zet verified_by en verified_on in config/legal.yaml",
    ),
    "error.not_from_approved": Wording(
        "batch {batch} was made {made}, not from the approved version {version}: {todo}",
        "batch {batch} is gemaakt {made}, niet van de goedgekeurde versie {version}: {todo}",
    ),
    "error.made_from": Wording(
        "from version {version} of {letter}", "van versie {version} van {letter}"
    ),
    "error.made_before_versions": Wording(
        "before letter versions were recorded",
        "voordat versies van brieven werden vastgelegd",
    ),
    "hint.put_back": Wording(
        "its letters are queued and are not made again: put the files back as they were "
        "({diff}) and approve that, or make the changed letters in a new batch",
        "de brieven zijn klaargezet en worden niet opnieuw gemaakt: zet de bestanden terug "
        "zoals ze waren ({diff}) en keur dat goed, of maak de gewijzigde brieven in een "
        "nieuwe batch",
    ),
    "hint.queued_new_batch": Wording(
        "its letters are queued and are not made again; make a new batch",
        "de brieven zijn klaargezet en worden niet opnieuw gemaakt; maak een nieuwe batch",
    ),
    "hint.remake": Wording(
        "make it again with `{batch}` first", "maak de batch eerst opnieuw ({batch})"
    ),
    "error.draft_not_approved": Wording(
        "{letter} is a draft (status: draft) and cannot be approved",
        "{letter} is een concept (status: draft) en kan niet worden goedgekeurd",
    ),
    "hint.set_final": Wording(
        "set status: final first, then approve; drafts stay drafts until a reviewer changes "
        "the status and approves",
        "zet eerst status: final, keur daarna goed; een concept blijft een concept tot een "
        "beoordelaar de status wijzigt en goedkeurt",
    ),
    "error.diff_never_approved": Wording(
        "{letter} has never been approved", "{letter} is nooit goedgekeurd"
    ),
    "error.version_ambiguous": Wording(
        "ambiguous version {spec!r} of {letter} (known: {known})",
        "versie {spec!r} van {letter} is niet eenduidig (bekend: {known})",
    ),
    "error.version_unknown": Wording(
        "unknown version {spec!r} of {letter} (known: {known})",
        "onbekende versie {spec!r} van {letter} (bekend: {known})",
    ),
    "error.no_municipality": Wording(
        "give at least one {municipalities}", "kies ten minste één gemeente ({municipalities})"
    ),
    "error.edge_cases_alone": Wording(
        "{edge_cases} is a set of its own: leave out {municipalities}",
        "{edge_cases} is een eigen set: laat {municipalities} weg",
    ),
    "hint.import": Wording("import them with `{command}`", "importeer ze ({command})"),
    "error.batch_or_case": Wording(
        "give a {batch} or {case}, not both and not neither",
        "geef een {batch} of een {case}, niet allebei en niet geen van beide",
    ),
    "hint.give_dates": Wording(
        "give {peildatum} and {verdeelbesluit}", "geef {peildatum} en {verdeelbesluit}"
    ),
    "hint.add_them": Wording("add them with `{command}`", "voeg ze toe ({command})"),
    "hint.batch_id": Wording(
        "the batch id is the folder name under outbox/; see `{command}`",
        "de naam van een batch is die van zijn map onder outbox/ ({command})",
    ),
    "hint.finish": Wording(
        "run `{command}` again to finish it (with the municipalities it was made for)",
        "maak de batch nog eens om hem af te maken ({command})",
    ),
    "hint.add_address": Wording(
        "add an e-mail address with `{command}`", "voeg een e-mailadres toe ({command})"
    ),
    "hint.withdraw_first": Wording(
        "`{command}` takes a queued letter out of the e-mail queue first",
        "haal de klaargezette brief eerst uit de e-mailwachtrij ({command})",
    ),
    "error.job_running": Wording(
        "{title} is still running; wait until it has finished",
        "{title} loopt nog; wacht tot die klaar is",
    ),
    # -- the errors of a letter definition, which the reviewers read -------------------------
    "error.yaml": Wording(
        "YAML syntax error: {problem}",
        "de opmaak van het bestand klopt niet (YAML){problem!s:.0}",
    ),
    "error.no_definition": Wording(
        "no letter definition {letter!r}", "er is geen briefdefinitie {letter!r}"
    ),
    "hint.known_letters": Wording("known letters: {known}", "bekende brieven: {known}"),
    "error.unknown_key": Wording("unknown key {key!r}", "onbekende sleutel {key!r}"),
    "error.missing": Wording("missing", "ontbreekt"),
    "error.must_be_text": Wording("must be text", "moet tekst zijn"),
    "error.whole_number": Wording("must be a whole number", "moet een geheel getal zijn"),
    "error.draft_or_final": Wording(
        "must be 'draft' or 'final'", "moet 'draft' (concept) of 'final' (definitief) zijn"
    ),
    "error.unknown_placeholder": Wording(
        "unknown placeholder {{{{ {name} }}}} (known: {known})",
        "onbekende invulplaats {{{{ {name} }}}} (bekend: {known})",
    ),
    "error.no_figures_for": Wording(
        "no figures for {code} {name}", "er zijn geen cijfers voor {code} {name}"
    ),
    "hint.add_figures": Wording(
        "add a row for it, or import the figures",
        "voeg er een regel voor toe, of laat de cijfers importeren",
    ),
    "error.no_visit_address": Wording(
        "{name} has no visiting address", "{name} heeft geen bezoekadres"
    ),
    "error.no_postal_address": Wording(
        "{name} has no postal address", "{name} heeft geen postadres"
    ),
    "error.placeholder_syntax": Wording(
        "placeholder syntax error: {problem}",
        "een invulplaats ({{{{ ... }}}}) is verkeerd geschreven{problem!s:.0}",
    ),
    "word.changed": Wording("changed", "gewijzigd"),
    "word.added": Wording("added", "toegevoegd"),
    "word.unused": Wording("no longer used", "niet meer gebruikt"),
    "word.nothing_changed": Wording("nothing changed", "niets gewijzigd"),
    "word.and": Wording("and", "en"),
}


def say(key: str, lang: Lang, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in; KeyError for an unknown key."""
    wording = CATALOGUE[key]
    return (wording.en if lang == "en" else wording.nl).format(**values)
