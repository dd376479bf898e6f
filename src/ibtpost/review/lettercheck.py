"""Checks on every generated letter before it may be queued: its files as they are now.

A batch checks each PDF when it makes it (PDF/A, fonts, page bounds); these checks look
again at what will actually leave, the .docx and the PDF in the batch folder, and at more:

- both files are the ones the batch recorded (SHA-256 as in the register);
- no template tag (``{{``, ``}}``, ``{%``, ``%}``, ``{#``, ``#}``) in the text of any part
  of the .docx, nor on any page of the PDF;
- every mandatory block of the definition (``required:``) in the .docx and in the PDF;
- tagged PDF/A-2b with every font embedded
  (:func:`ibtpost.documents.pdf.finish.conformance_problems`);
- a page count within the definition's ``pages`` bounds;
- with ``signing:`` configured (a final batch), the seal: intact, covering the whole file,
  chaining to the configured trust roots, its timestamp valid when present
  (:func:`ibtpost.documents.pdf.sealcheck.seal_problems`);
- on every page "Onze referentie <reference>" and "Datum <date>": page 1 shows the date
  in the Datum line and the reference in the sender column, later pages both in the
  continuation column of the template.

Reading a PDF's text is the slow part (see :mod:`ibtpost.documents.pdf.pagetext`); letters
are read in a pool of processes and each outcome is kept in ``checks.json`` in the batch
folder, keyed by the PDF's SHA-256 with the .docx's hash and what was checked, so a run
after a re-run of the batch reads only the letters that changed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import multiprocessing
import os
import re
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from ibtpost.core import dutch
from ibtpost.core.domain import Settings
from ibtpost.core.files import letter_files, sha256_of, write_atomic
from ibtpost.core.layout import BatchLayout
from ibtpost.documents.pdf import pagetext
from ibtpost.documents.pdf.finish import conformance_problems, document_facts
from ibtpost.documents.pdf.sealcheck import (
    root_certificates,
    seal_problems,
    timestamp_root_certificates,
)
from ibtpost.register import LetterRecord
from ibtpost.text.nodes import LetterDefinition, pages_problem
from ibtpost.text.textengine import TEMPLATE_TAG, normalise

CHECKS_FILE = "checks.json"
#: Part of every cached outcome's key: a change to how letters are read or judged makes
#: the cache of every batch stale.
CHECKER_VERSION = 2
_XML_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>|<w:p/>", re.S)
_RUN_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(tab|br|cr)\b[^>]*/>")
#: Parts of .docx files found without template tags, by name, CRC-32 and size: the static
#: parts of a template (styles, theme, numbering) are the same bytes in every letter of a
#: batch, and are read once per process.
_CLEAN_PARTS: set[tuple[str, int, int]] = set()
#: Fewer letters than this to read are read in this process (a pool costs more).
_POOL_FROM = 12


@dataclass(frozen=True)
class Spec:
    """What one letter must show: everything the outcome depends on besides its files."""

    reference: str
    date_text: str
    min_pages: int
    max_pages: int
    definition: str  # "letters/trede-2.yaml"
    required: tuple[tuple[str, str, str], ...]  # (name, phrase, where it is defined)
    seal_roots: tuple[str, ...] = ()  # with signing: the trust roots (base64 DER) a seal needs
    timestamp_roots: tuple[str, ...] = ()  # and those its timestamp needs

    @classmethod
    def of(
        cls, letter: LetterRecord, definition: LetterDefinition, roots: SealRoots | None = None
    ) -> Spec:
        """The spec of a letter of ``definition``."""
        return cls(
            letter.reference,
            dutch.long_date(letter.day),
            definition.min_pages,
            definition.max_pages,
            f"letters/{definition.path.name}",
            tuple((r.name, r.text, str(r.location)) for r in definition.required),
            roots.seal if roots else (),
            roots.timestamp if roots else (),
        )

    def key(self) -> str:
        """A digest of the spec and the checker version, for the cache."""
        data = json.dumps([CHECKER_VERSION, asdict(self)], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LetterCheck:
    """The outcome for one letter: no problems means it may be queued."""

    reference: str
    name: str  # the PDF's file name, or the reference when there is none
    problems: tuple[str, ...]
    pdf_sha256: str | None = None
    docx_sha256: str | None = None
    pages: int | None = None

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.problems

    def __str__(self) -> str:
        return f"{self.name}: {'; '.join(self.problems) if self.problems else 'ok'}"


@dataclass
class BatchCheck:
    """The outcome for the letters of a batch that were checked."""

    batch: str
    letters: list[LetterCheck] = field(default_factory=list)
    read: int = 0  # letters whose files were read in this run
    cached: int = 0  # outcomes taken from checks.json
    seconds: float = 0.0

    @property
    def failed(self) -> list[LetterCheck]:
        """The letters that may not be queued."""
        return [c for c in self.letters if not c.ok]


# --- reading and judging one letter (runs in a worker process) ---------------------------


def docx_problems(data: bytes, spec: Spec) -> list[str]:
    """Template tags left in any part of a .docx, and mandatory blocks missing from it."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ["the Word file is not a .docx (zip) file"]
    problems = []
    texts: list[str] = []
    with package:
        for info in package.infolist():
            name = info.filename
            if not name.endswith((".xml", ".rels")):
                continue
            clean = (name, info.CRC, info.file_size) in _CLEAN_PARTS
            wanted = name in ("word/document.xml", "word/footnotes.xml")
            if clean and not wanted:
                continue  # the same bytes were found clean before (a template's static part)
            xml = package.read(name).decode("utf-8", "replace")
            text = html.unescape(_XML_TAG.sub("", xml))
            match = TEMPLATE_TAG.search(text)
            if match:
                problems.append(
                    f"template tag left in the Word file ({name}): {_around(text, match)}"
                )
            elif len(_CLEAN_PARTS) < 10_000:
                _CLEAN_PARTS.add((name, info.CRC, info.file_size))
            if wanted:
                texts.extend(_paragraphs(xml))
    wording = normalise(" ".join(texts))
    problems.extend(
        f"mandatory text {name!r} ({where}) missing from the Word file"
        for name, phrase, where in spec.required
        if phrase not in wording
    )
    return problems


def _paragraphs(xml: str) -> list[str]:
    """The text of each paragraph of a WordprocessingML part."""
    out = []
    for paragraph in _PARAGRAPH.finditer(xml):
        parts = [
            html.unescape(m.group(1)) if m.group(1) is not None else " "
            for m in _RUN_TEXT.finditer(paragraph.group(0))
        ]
        out.append("".join(parts))
    return out


def _around(text: str, match: re.Match[str]) -> str:
    start = max(match.start() - 30, 0)
    return repr(normalise(text[start : match.end() + 30]))


def pdf_problems(data: bytes, spec: Spec) -> tuple[int | None, list[str]]:
    """The page count of a letter's PDF and everything wrong with it."""
    try:
        with pikepdf.open(io.BytesIO(data)) as doc:
            facts = document_facts(doc)
            read = pagetext.read_pages(doc)
    except (pikepdf.PdfError, ValueError, KeyError) as exc:
        return None, [f"the PDF cannot be read: {exc}"]
    problems = conformance_problems(facts)
    if read.unreadable:
        problems.append(
            f"the text of the PDF cannot be read (no Unicode map for {', '.join(read.unreadable)})"
        )
    outside = pages_problem(facts.pages, spec.min_pages, spec.max_pages)
    if outside is not None:
        problems.append(f"{outside} ({spec.definition}: pages)")
    texts = [pagetext.page_text(page) for page in read.pages]
    for number, text in enumerate(texts, start=1):
        match = TEMPLATE_TAG.search(text)
        if match:
            problems.append(f"template tag on page {number} of the PDF: {_around(text, match)}")
    for label, value in (("Onze referentie", spec.reference), ("Datum", spec.date_text)):
        pattern = re.compile(rf"{label} {re.escape(value)}(?![\w-])")
        missing = [str(n) for n, text in enumerate(texts, start=1) if not pattern.search(text)]
        if missing:
            pages = "page" if len(missing) == 1 else "pages"
            problems.append(f"{pages} {', '.join(missing)} without '{label} {value}'")
    if spec.seal_roots:
        roots = [base64.b64decode(r) for r in spec.seal_roots]
        stamps = [base64.b64decode(r) for r in spec.timestamp_roots] or roots
        problems.extend(seal_problems(data, roots, stamps))
    flow = pagetext.flow_text(read.pages)
    notes = pagetext.footnote_text(read.pages)
    problems.extend(
        f"mandatory text {name!r} ({where}) missing from the PDF"
        for name, phrase, where in spec.required
        if phrase not in flow and phrase not in notes
    )
    return facts.pages, problems


@dataclass(frozen=True)
class _Job:
    pdf: str
    docx: str
    spec: Spec


def _check_files(job: _Job) -> tuple[str, str, int | None, list[str]]:
    """Read and judge one letter's files: (PDF hash, .docx hash, pages, problems)."""
    try:
        pdf = Path(job.pdf).read_bytes()
        docx = Path(job.docx).read_bytes()
    except OSError as exc:
        return "", "", None, [f"cannot read {exc.filename}: {exc.strerror}"]
    pages, problems = pdf_problems(pdf, job.spec)
    return sha256_of(pdf), sha256_of(docx), pages, docx_problems(docx, job.spec) + problems


# --- a batch --------------------------------------------------------------------------------


def _load_cache(path: Path) -> dict[str, Any]:
    """The outcomes kept in checks.json; an unreadable file is an empty cache."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    letters = data.get("letters") if isinstance(data, dict) else None
    return letters if isinstance(letters, dict) and data.get("version") == 1 else {}


def check_letters(
    folder: Path,
    letters: list[LetterRecord],
    definition: LetterDefinition,
    processes: int | None = None,
    seal_roots: SealRoots | None = None,
) -> BatchCheck:
    """Check ``letters`` (of the batch in ``folder``) against ``definition``; with
    ``seal_roots`` (see :func:`seal_roots_of`) each PDF's seal too."""
    started = time.perf_counter()
    result = BatchCheck(folder.name)
    cache_path = BatchLayout(folder).checks
    cache = _load_cache(cache_path)
    files = letter_files(folder)
    outcomes: dict[str, LetterCheck] = {}
    todo: list[tuple[LetterRecord, _Job]] = []
    hashed: dict[str, str] = {}  # PDF file name -> SHA-256, each file hashed once
    for letter in letters:
        own = files.get(letter.reference, {})
        pdfs, docxs = own.get(".pdf", []), own.get(".docx", [])
        name = pdfs[0].name if len(pdfs) == 1 else letter.reference
        missing = [
            f"no single {kind} file for {letter.reference} (found {len(found)})"
            for kind, found in (("PDF", pdfs), ("Word", docxs))
            if len(found) != 1
        ]
        if missing:
            outcomes[letter.reference] = LetterCheck(letter.reference, name, tuple(missing))
            continue
        spec = Spec.of(letter, definition, seal_roots)
        pdf_sha = hashed[pdfs[0].name] = sha256_of(pdfs[0].read_bytes())
        docx_sha = sha256_of(docxs[0].read_bytes())
        kept = cache.get(pdf_sha)
        if (
            isinstance(kept, dict)
            and kept.get("docx_sha256") == docx_sha
            and kept.get("spec") == spec.key()
            and isinstance(kept.get("problems"), list)
        ):
            pages = kept.get("pages")
            outcomes[letter.reference] = _with_register(
                letter,
                LetterCheck(
                    letter.reference,
                    name,
                    tuple(str(p) for p in kept["problems"]),
                    pdf_sha,
                    docx_sha,
                    pages if isinstance(pages, int) else None,
                ),
            )
            result.cached += 1
        else:
            todo.append((letter, _Job(str(pdfs[0]), str(docxs[0]), spec)))
    for (letter, job), (pdf_sha, docx_sha, pages, problems) in zip(
        todo, _run(todo, processes), strict=True
    ):
        cache[pdf_sha] = {
            "reference": letter.reference,
            "docx_sha256": docx_sha,
            "spec": job.spec.key(),
            "pages": pages,
            "problems": problems,
        }
        outcomes[letter.reference] = _with_register(
            letter,
            LetterCheck(
                letter.reference, Path(job.pdf).name, tuple(problems), pdf_sha, docx_sha, pages
            ),
        )
    result.read = len(todo)
    result.letters = [outcomes[letter.reference] for letter in letters]
    if todo:
        _save_cache(cache_path, cache, folder, hashed)
    result.seconds = time.perf_counter() - started
    return result


@dataclass(frozen=True)
class SealRoots:
    """The trust roots (base64 DER) a final letter's seal must chain to, and those its
    timestamp must chain to (``signing.timestamp_trust_roots``, else the same)."""

    seal: tuple[str, ...]
    timestamp: tuple[str, ...]


def seal_roots_of(settings: Settings, concept: bool) -> SealRoots | None:
    """The roots a final letter's seal is judged against when ``signing:`` is configured;
    None for a concept batch (never sealed) or without signing."""
    if settings.signing is None or concept:
        return None

    def encoded(found: list[bytes]) -> tuple[str, ...]:
        return tuple(base64.b64encode(r).decode("ascii") for r in found)

    return SealRoots(
        encoded(root_certificates(settings.signing)),
        encoded(timestamp_root_certificates(settings.signing)),
    )


def _run(
    todo: list[tuple[LetterRecord, _Job]], processes: int | None
) -> list[tuple[str, str, int | None, list[str]]]:
    """Read the letters: in this process when there are few, else in a pool (fork: the
    workers need nothing but the files and these functions)."""
    jobs = [job for _, job in todo]
    size = processes if processes is not None else (os.cpu_count() or 1)
    if size <= 1 or len(jobs) < _POOL_FROM:
        return [_check_files(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(size, len(jobs)), mp_context=context) as pool:
        return list(pool.map(_check_files, jobs, chunksize=max(1, len(jobs) // (4 * size))))


def _with_register(letter: LetterRecord, check: LetterCheck) -> LetterCheck:
    """Add the files' agreement with the register, which is not part of a cached outcome."""
    extra = []
    if letter.pdf_sha256 != check.pdf_sha256:
        extra.append("the PDF differs from the one the batch recorded (run the batch again)")
    if letter.docx_sha256 != check.docx_sha256:
        extra.append("the Word file differs from the one the batch recorded (run the batch again)")
    if not extra:
        return check
    return LetterCheck(
        check.reference,
        check.name,
        (*extra, *check.problems),
        check.pdf_sha256,
        check.docx_sha256,
        check.pages,
    )


def _save_cache(path: Path, cache: dict[str, Any], folder: Path, hashed: dict[str, str]) -> None:
    """Write checks.json atomically, keeping only outcomes of PDFs still in the folder
    (``hashed``: the PDFs this run has hashed already, by file name)."""
    present = {
        hashed.get(p.name) or sha256_of(p.read_bytes())
        for p in folder.glob("*.pdf")
        if p.name.partition("-")[0].isdigit()
    }
    kept = {sha: entry for sha, entry in cache.items() if sha in present}
    body = json.dumps({"version": 1, "letters": kept}, indent=1, sort_keys=True)
    write_atomic(path, (body + "\n").encode("utf-8"))
