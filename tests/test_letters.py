"""The six letters of the ladder compose and render for diverse municipalities.

Every trede, with and without a previous letter and with and without agreements, for
municipalities with long names, apostrophes and diacritics; the production converter pool
converts one letter per trede, finished as a batch finishes it, to check its page bounds and
the CONCEPT mark on every page.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import REPO, copy_tree
from tests.production import letter_pdfs

from ibtpost.core.domain import Agreement, Config, PreviousLetter
from ibtpost.data.config import load_config
from ibtpost.documents.render import Assets, render_letter
from ibtpost.rules.terms import term_deadline
from ibtpost.text.compose import CONCEPT_MARK, SAMPLE_MARK, compose
from ibtpost.text.composed import LetterContext, RParagraph, RTable
from ibtpost.text.definitions import load_letter

TREDES = [f"trede-{n}" for n in range(1, 7)]
DRAFTS = [t for t in TREDES if t != "trede-2"]
# code: name as the addressee line prints it
MUNICIPALITIES = {
    "GM0622": "Vlaardingen",
    "GM0518": "Den Haag",
    "GM1900": "Súdwest-Fryslân",
    "GM0820": "Nuenen, Gerwen en Nederwetten",
    "GM0796": "'s-Hertogenbosch",
    "GM0096": "Vlieland",
    "GM0088": "Schiermonnikoog",
}
PREVIOUS = PreviousLetter("trede-2", 2, "7468089", date(2026, 4, 9))
AGREEMENTS = (
    Agreement(
        "Het college legt een voorstel voor een opvanglocatie voor aan de gemeenteraad",
        date(2026, 6, 1),
        "bespreking op ambtelijk niveau",
        agreed_on=date(2026, 5, 4),
        agreed_with="de wethouder Asiel",
    ),
    Agreement(
        "Het college meldt de voortgang aan de Provinciale Regietafel",
        date(2026, 6, 15),
        agreed_on=date(2026, 5, 4),
        agreed_with="de wethouder Asiel",
    ),
)
DAY = date(2026, 5, 11)
RECHTSMIDDELEN = (
    "Tegen dit besluit kan geen bezwaar worden gemaakt. De gemeenteraad, het college van "
    "burgemeester en wethouders en de burgemeester van uw gemeente kunnen tegen dit besluit "
    "rechtstreeks beroep instellen bij de Afdeling bestuursrechtspraak van de Raad van State "
    "([IN TE VULLEN: raad_van_state_adres]). De termijn voor het instellen van beroep is "
    "zes weken en begint op de dag na die waarop dit besluit bekend is gemaakt."
)


@pytest.fixture(scope="module")
def config() -> Config:
    """The shipped configuration."""
    return load_config(REPO)


def with_agreements(config: Config, code: str, agreements: bool) -> Config:
    """``config`` with the sample agreements for ``code``, or none."""
    return replace(config, agreements={code: AGREEMENTS} if agreements else {})


def paragraphs(letter: LetterContext) -> list[str]:
    """The body of a composed letter as plain text, one string per paragraph or table."""
    out = []
    for block in letter.body:
        if isinstance(block, RParagraph):
            out.append("".join(run.text for run in block.runs))
        elif isinstance(block, RTable):
            cells = [*block.header, *(c for row in block.rows for c in row)]
            out.append(" | ".join(c for c in cells if c))
    return out


def xml_text(docx: bytes) -> dict[str, str]:
    """The text of every XML part of a .docx (tags removed)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return {
            name: html.unescape(re.sub(r"<[^>]+>", "", zf.read(name).decode("utf-8")))
            for name in zf.namelist()
            if name.endswith(".xml")
        }


@pytest.mark.parametrize("letter_id", TREDES)
@pytest.mark.parametrize("code", list(MUNICIPALITIES))
@pytest.mark.parametrize("previous", [None, PREVIOUS], ids=["first", "previous"])
@pytest.mark.parametrize("agreements", [False, True], ids=["none", "agreements"])
def test_every_letter_composes(
    config: Config, letter_id: str, code: str, previous: PreviousLetter | None, agreements: bool
) -> None:
    """Addressed to the college by name, clean text, the previous letter named iff given."""
    definition = load_letter(REPO, letter_id)
    cfg = with_agreements(config, code, agreements)
    letter = compose(definition, cfg.municipalities[code], cfg, "7500001", DAY, previous=previous)
    assert letter.addressee_lines[0] == (
        f"Aan het college van B&W van de gemeente {MUNICIPALITIES[code]}"
    )
    text = paragraphs(letter)
    for paragraph in text:
        assert paragraph == paragraph.strip() and "  " not in paragraph, paragraph
        assert "None" not in paragraph and "{" not in paragraph, paragraph
    body = " ".join(text)
    if letter_id == "trede-1":  # an early signal: no formal placement on the ladder
        assert "niet formeel ingeschaald op de interventieladder" in body
    else:
        assert f"trede {definition.trede}" in body
    if letter_id in {"trede-3", "trede-4", "trede-5", "trede-6"}:
        assert ("7468089" in body) == (previous is not None)
        assert ("9 april 2026" in body) == (previous is not None)
    assert (SAMPLE_MARK in letter.marks) == (code != "GM0622")
    assert CONCEPT_MARK not in letter.marks


@pytest.mark.parametrize("code", list(MUNICIPALITIES))
def test_trede_3_lists_the_agreements_or_asks_for_them(config: Config, code: str) -> None:
    """One bullet per agreement with its date, the overleg it was made in and its follow-up;
    none: a request to make them."""
    definition = load_letter(REPO, "trede-3")
    mun = config.municipalities[code]
    with_ = compose(definition, mun, with_agreements(config, code, True), "1", DAY)
    body = paragraphs(with_)
    assert (
        "Het college legt een voorstel voor een opvanglocatie voor aan de gemeenteraad, "
        "uiterlijk 1 juni 2026 (afgesproken in het overleg van 4 mei 2026 met de wethouder "
        "Asiel); vervolg: bespreking op ambtelijk niveau"
    ) in body
    assert (
        "Het college meldt de voortgang aan de Provinciale Regietafel, uiterlijk 15 juni 2026 "
        "(afgesproken in het overleg van 4 mei 2026 met de wethouder Asiel)" in body
    )
    assert not any("nog geen afspraken" in p for p in body)
    without = paragraphs(compose(definition, mun, with_agreements(config, code, False), "1", DAY))
    assert any("nog geen afspraken" in p and "uiterlijk 1 juni 2026" in p for p in without)
    assert not any("volgende afspraken" in p for p in without)


@pytest.mark.parametrize(("letter_id", "weeks"), [("trede-1", 3), ("trede-3", 3), ("trede-4", 6)])
@pytest.mark.parametrize("roll", [True, False])
def test_deadline_is_rolled_past_a_holiday(
    config: Config, letter_id: str, weeks: int, roll: bool
) -> None:
    """A term ending on 5 mei 2026 prints "uiterlijk 6 mei 2026"; unrolled, 5 mei; the
    letter states the term as that one date, not also as a number of weeks."""
    definition = load_letter(REPO, letter_id)
    assert definition.ladder_weeks == weeks
    day = date(2026, 5, 5) - timedelta(weeks=weeks)
    cfg = replace(config, settings=replace(config.settings, roll_terms=roll))
    letter = compose(definition, cfg.municipalities["GM0518"], cfg, "1", day)
    expected = date(2026, 5, 6) if roll else date(2026, 5, 5)
    assert term_deadline(day, weeks, roll) == expected
    assert (letter.compliance_deadline or letter.reply_deadline) == expected
    body = " ".join(paragraphs(letter))
    assert f"uiterlijk {expected.day} mei 2026" in body
    dated = [x for x in body.split(". ") if f"{expected.day} mei 2026" in x]
    assert dated and not any(f"{['drie', 'zes'][weeks == 6]} weken" in x for x in dated)


def test_compliance_and_reply_terms(config: Config) -> None:
    """Trede 4 and 5 set a compliance term; the ladder waits for it; trede 2 keeps its reply."""
    two, four, six = (load_letter(REPO, f"trede-{n}") for n in (2, 4, 6))
    assert (two.reply_weeks, two.compliance_weeks, two.ladder_weeks) == (3, None, 3)
    assert (four.reply_weeks, four.compliance_weeks, four.ladder_weeks) == (None, 6, 6)
    assert six.ladder_weeks is None
    letter = compose(four, config.municipalities["GM0622"], config, "1", date(2026, 4, 9))
    assert letter.compliance_deadline == date(2026, 5, 21)
    assert letter.reply_deadline is None


def test_trede_5_is_a_decision_with_rechtsmiddelenclausule(config: Config) -> None:
    """The decision wording: recital, dictum per category, bekendmaking, copy to the raad
    and the appeal clause with Awb 6:5 and 8:81."""
    definition = load_letter(REPO, "trede-5")
    letter = compose(definition, config.municipalities["GM0796"], config, "1", DAY)
    body = paragraphs(letter)
    assert RECHTSMIDDELEN in body
    assert any("besluit de minister van Asiel en Migratie:" in p for p in body)
    assert any(
        "op artikel 124, eerste lid, juncto artikel 124b, eerste lid, van de Gemeentewet "
        "besluit de minister" in p
        for p in body
    )
    assert any("afschrift van dit besluit wordt gezonden aan de gemeenteraad" in p for p in body)
    assert any(
        "het college op te dragen binnen zes weken na de bekendmaking van dit besluit te "
        "voorzien in" in p
        for p in body
    )
    # its term counts from the bekendmaking (the posting), so the letter names no date for it
    assert not any("22 juni 2026" in p for p in body)
    figures = config.figures["GM0796"]
    # 's-Hertogenbosch has no regular shortfall: the dictum names only the AMV places
    assert (figures.shortfall_regular, figures.shortfall_amv) == (0, 19)
    assert any(
        "te voorzien in 19 opvangplekken voor alleenstaande minderjarige vreemdelingen (AMV)" in p
        for p in body
    )
    assert not any("0 reguliere opvangplekken" in p for p in body)
    assert any(
        "namens het college en ten laste van de gemeente 's-Hertogenbosch" in p for p in body
    )
    assert any("die verzending geldt als bekendmaking" in p for p in body)
    assert any("wordt ondertekend" in p and "afschrift van dit besluit" in p for p in body)
    assert "De minister heeft geen zienswijze van het college ontvangen." in body
    assert any("(artikel 6:5 van de Algemene wet bestuursrecht)" in p for p in body)
    assert any("(artikel 8:81 van de Algemene wet bestuursrecht)" in p for p in body)


def test_trede_6_names_the_costs(config: Config) -> None:
    """The execution of the indeplaatsstelling is at the municipality's expense, and the
    letter names the execution provisions (config/legal.yaml: uitvoering)."""
    definition = load_letter(REPO, "trede-6")
    body = paragraphs(compose(definition, config.municipalities["GM1900"], config, "1", DAY))
    assert "De kosten van de indeplaatsstelling komen voor rekening van uw gemeente." in body
    assert any(p.startswith("In het besluit tot indeplaatsstelling heeft") for p in body)
    assert any(
        "Voor de uitvoering gelden artikel 124, tweede en derde lid, artikel 124c, artikel 124f "
        "en artikel 124g van de Gemeentewet." in p
        for p in body
    )


@pytest.mark.parametrize("letter_id", TREDES)
def test_status_and_shared_parts(letter_id: str) -> None:
    """Drafts are drafts (trede 2 stays final); all share template, salutation and closing."""
    definition = load_letter(REPO, letter_id)
    assert definition.status == ("final" if letter_id == "trede-2" else "draft")
    assert definition.template == "brief.docx"
    assert definition.salutation.source == "Geacht college,"
    assert definition.closing.source == "Hoogachtend,"
    assert definition.trede == int(letter_id[-1])
    if letter_id in DRAFTS:
        head = (REPO / "letters" / f"{letter_id}.yaml").read_text(encoding="utf-8")
        assert head.startswith("# DRAFT") and "legal review" in head.split("\n\n")[0]


@pytest.mark.parametrize("letter_id", TREDES)
@pytest.mark.parametrize("code", list(MUNICIPALITIES))
def test_every_letter_renders_to_docx(config: Config, letter_id: str, code: str) -> None:
    """render_docx produces a Word file with the addressee, body and the CONCEPT mark."""
    definition = load_letter(REPO, letter_id)
    cfg = with_agreements(config, code, True)
    letter = compose(
        definition,
        cfg.municipalities[code],
        cfg,
        "7500001",
        DAY,
        concept=True,
        previous=PREVIOUS,
    )
    assert letter.marks[0] == CONCEPT_MARK
    parts = xml_text(render_letter(letter, Assets.load(cfg, definition)))
    document = parts["word/document.xml"]
    assert f"Aan het college van B&W van de gemeente {MUNICIPALITIES[code]}" in document
    assert "Geacht college," in document and "Hoogachtend," in document
    headers = [text for name, text in parts.items() if name.startswith("word/header")]
    assert headers and all(CONCEPT_MARK in text for text in headers)
    assert all((SAMPLE_MARK in text) == (code != "GM0622") for text in headers)


# --- the converter pool: page bounds and the CONCEPT mark on every page ----------------


@pytest.fixture(scope="module")
def concept_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One letter per trede (longest name, previous letter, agreements) as PDF, one pool."""
    base = tmp_path_factory.mktemp("letters")
    root = copy_tree(base / "root")
    config = with_agreements(load_config(root), "GM0820", True)
    rendered: dict[str, tuple[LetterContext, bytes]] = {}
    for letter_id in TREDES:
        definition = load_letter(root, letter_id)
        letter = compose(
            definition,
            config.municipalities["GM0820"],
            config,
            "7500001",
            DAY,
            concept=True,
            previous=PREVIOUS,
        )
        rendered[letter_id] = (letter, render_letter(letter, Assets.load(config, definition)))
    return letter_pdfs(config, rendered, base / "pdf")


@pytest.mark.libreoffice
@pytest.mark.parametrize("letter_id", TREDES)
def test_pdf_pages_within_bounds_and_concept_on_every_page(
    letter_id: str, concept_pdfs: dict[str, Path]
) -> None:
    """The page count stays within the definition's bounds; CONCEPT tops every page."""
    definition = load_letter(REPO, letter_id)
    pages = [page.extract_text() for page in PdfReader(concept_pdfs[letter_id]).pages]
    assert definition.min_pages <= len(pages) <= definition.max_pages
    assert all(CONCEPT_MARK in text and SAMPLE_MARK in text for text in pages)
    first = " ".join(pages[0].split())
    assert "Aan het college van B&W van de gemeente Nuenen, Gerwen en Nederwetten" in first


def test_trede_4_announces_the_besluit_right(config: Config) -> None:
    """The voornemen (legal review 2026-12, §3): the besluit's term counts from its
    bekendmaking; the grace date only says when the minister refrains from the besluit; a
    category without shortfall is left out, in the letter and in the kennisgeving; the
    zienswijze may be given in writing or orally (Awb 4:9)."""
    four, five = load_letter(REPO, "trede-4"), load_letter(REPO, "trede-5")
    assert four.besluit_weeks == five.compliance_weeks == 6
    vlaardingen = config.municipalities["GM0622"]
    figures = config.figures["GM0622"]
    assert (figures.shortfall_regular, figures.shortfall_amv) == (100, 0)
    letter = compose(four, vlaardingen, config, "1", date(2026, 6, 1))
    body = " ".join(paragraphs(letter))
    assert (
        "Het voorgenomen besluit houdt in dat het college binnen zes weken na de "
        "bekendmaking van het besluit alsnog moet voorzien in:" in body
    )
    assert "100 reguliere opvangplekken." in body
    assert "0 opvangplekken" not in body and "(AMV)" not in body
    assert (
        "Toont uw gemeente uiterlijk 13 juli 2026 aan dat zij in deze asielopvangplekken "
        "heeft voorzien, dan ziet de minister af van het besluit." in body
    )
    assert [s for s in body.split(". ") if "13 juli 2026" in s] == [
        "Toont uw gemeente uiterlijk 13 juli 2026 aan dat zij in deze asielopvangplekken "
        "heeft voorzien, dan ziet de minister af van het besluit"
    ]
    assert "namens het college en ten laste van de gemeente daarin" in body
    assert "mondeling naar voren brengen (artikel 4:9 van de Algemene wet bestuursrecht)" in body
    assert "dan wordt het besluit genomen zonder uw zienswijze" in body
    assert " hij " not in body
    assert four.kennisgeving is not None
    notice = " ".join(
        paragraphs(compose(four.kennisgeving, vlaardingen, config, "1", date(2026, 6, 1)))
    )
    assert "op grond van artikel 124, vierde lid, van de Gemeentewet bekend" in notice
    assert (
        "binnen zes weken na de bekendmaking van het besluit alsnog moet voorzien in 100 "
        "reguliere opvangplekken. Toont de gemeente uiterlijk 13 juli 2026 aan" in notice
    )
    assert "(AMV)" not in notice and " hij " not in notice
    assert "Tegen een voornemen staat geen bezwaar of beroep open." in notice
    assert "[IN TE VULLEN: inzage_voornemen]" in notice


def test_trede_5_has_a_kennisgeving_and_trede_6_states_article_124f(config: Config) -> None:
    """The besluit is made known publicly too (art. 124 lid 4); the execution letter tells
    the college that belanghebbenden, not the gemeentebestuur, may object (art. 124f)."""
    five, six = load_letter(REPO, "trede-5"), load_letter(REPO, "trede-6")
    assert five.kennisgeving is not None
    vlaardingen = config.municipalities["GM0622"]
    notice = " ".join(
        paragraphs(compose(five.kennisgeving, vlaardingen, config, "1", date(2026, 7, 20)))
    )
    assert "heeft besloten tot indeplaatsstelling van het college" in notice
    assert (
        "binnen zes weken na de bekendmaking van het besluit moet voorzien in 100 "
        "reguliere opvangplekken." in notice
    )
    previous = PreviousLetter("trede-5", 5, "7500003", date(2026, 7, 20))
    body = " ".join(
        paragraphs(compose(six, vlaardingen, config, "1", date(2026, 9, 7), previous=previous))
    )
    assert (
        "Bezwaar tegen een besluit dat de minister in de plaats van het college neemt" not in body
    )
    assert "Belanghebbenden kunnen tegen een besluit" in body
    assert "(artikel 124f, derde lid, van de Gemeentewet)" in body
    assert "op grond van het besluit van 20 juli 2026 (onze referentie 7500003) en" in body
    assert "kenmerk" not in body and "sanctie" not in body
