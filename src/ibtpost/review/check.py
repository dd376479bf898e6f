"""``ibtpost check``: validate config/, letters/ and templates/ together, all problems at once.

Loading reports malformed files and values (addresses, e-mail addresses, dates, figures,
letter definitions and their mandatory blocks) with file, line and field;
:mod:`ibtpost.review.checkdata` adds what the letters need of each municipality's data and
composes every branch of every letter. Errors block letters; warnings (sample data, a
municipality or province without an e-mail address) do not.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docxtpl import DocxTemplate

from ibtpost.approval import gate
from ibtpost.approval.approvals import load_approvals
from ibtpost.core import validate
from ibtpost.core.domain import Config
from ibtpost.core.errors import (
    DefinitionError,
    Hint,
    IbtpostError,
    Location,
    NextAction,
    Problems,
    TemplateError,
    Words,
)
from ibtpost.core.layout import Layout
from ibtpost.data.addresses import OVERLAYS
from ibtpost.data.config import load_config
from ibtpost.documents.pdf.seal import Sealer
from ibtpost.documents.render import TEMPLATE_NAMES, docx_environment
from ibtpost.review.checkdata import Compositions, compose_problems, data_problems
from ibtpost.text.definitions import definition_files, load_definition
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class Finding:
    """One problem: an error blocks letters, a warning does not."""

    severity: str  # "error" or "warning"
    location: Location
    message: str
    hint: Hint = ""  # the step that resolves it, worded by the front end
    #: the error behind it, when it has a catalogue message with steps to word
    cause: IbtpostError | None = None

    def text(self, words: Words | None = None) -> str:
        """The finding in one line, its steps in ``words`` (a front end's)."""
        where = str(self.location)
        message = self.cause.text(words.lang, words) if self.cause and words else self.message
        return f"{self.severity}: {where}: {message}" if where else f"{self.severity}: {message}"

    def __str__(self) -> str:
        return self.text()


@dataclass
class Report:
    """All findings of one check."""

    findings: list[Finding] = field(default_factory=list)

    def error(self, exc: IbtpostError) -> None:
        """Record an error (each of a Problems)."""
        items = exc.problems if isinstance(exc, Problems) else [exc]
        for item in items:
            finding = Finding("error", item.location, item.message)
            if finding not in self.findings:
                self.findings.append(finding)

    def warn(
        self, location: Location, message: str, hint: Hint = "", cause: IbtpostError | None = None
    ) -> None:
        """Record a warning."""
        self.findings.append(Finding("warning", location, message, hint, cause))

    @property
    def errors(self) -> list[Finding]:
        """The errors only."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warnings only."""
        return [f for f in self.findings if f.severity == "warning"]


def check_template(root: Path, name: str, report: Report) -> None:
    """The Word template exists and uses only names render supplies."""
    path = Layout(root).template(name)
    label = f"templates/{name}"
    if not path.is_file():
        report.error(TemplateError("Word template not found", Location(label)))
        return
    try:
        tpl = DocxTemplate(io.BytesIO(path.read_bytes()))
        names = tpl.get_undeclared_template_variables(docx_environment())
    except Exception as exc:
        report.error(TemplateError(f"cannot read the Word template: {exc}", Location(label)))
        return
    for unknown in sorted(set(names) - TEMPLATE_NAMES):
        report.error(TemplateError(f"unknown placeholder {{{{ {unknown} }}}}", Location(label)))


def check_data(config: Config, report: Report) -> None:
    """Warnings about data that letters can do without but dispatch cannot."""
    for mun in config.municipalities.values():
        if mun.email is None and mun.ibt_email is None:
            report.warn(
                Location(mun.location.file, mun.location.line, "email"),
                f"{mun.name} ({mun.code}) has no e-mail address for the college: its letters "
                "go by post (the post room's print file)",
            )
    for prov in config.provinces.values():
        if prov.cdk_email is None:
            names = sorted(
                m.name for m in config.municipalities.values() if m.province == prov.name
            )
            report.warn(
                Location(prov.location.file, prov.location.line, "cdk_email"),
                f"no e-mail address of the Commissaris van de Koning of {prov.name}: the letters "
                f"to its {len(names)} municipalities go by post: {', '.join(names)}",
            )
        if prov.cdk_name is None:
            report.warn(
                Location(prov.location.file, prov.location.line, "cdk_name"),
                f"the Commissaris van de Koning of {prov.name} is unknown",
            )
    sample_colleges = [
        m.name
        for m in config.municipalities.values()
        if validate.is_sample_address(m.ibt_email or m.email or "")
    ]
    if sample_colleges:
        report.warn(
            Location("config/college-addresses.csv", None, "email"),
            f"{len(sample_colleges)} colleges have a sample e-mail address on a reserved "
            f"example domain (mail to it goes only to files): {', '.join(sample_colleges)}",
        )
    sample_cdks = [
        p.name for p in config.provinces.values() if validate.is_sample_address(p.cdk_email or "")
    ]
    if sample_cdks:
        report.warn(
            Location("config/cdk-addresses.csv", None, "email"),
            f"the Commissaris van de Koning of {len(sample_cdks)} provinces has a sample e-mail "
            f"address on a reserved example domain (mail to it goes only to files): "
            f"{', '.join(sample_cdks)}",
        )
    for fig in config.figures.values():
        if not fig.source:  # only sample figures may load without one (see load_figures)
            owner = config.municipalities.get(fig.code)
            report.warn(
                Location(fig.location.file, fig.location.line, "source"),
                f"sample figures of {fig.code} {owner.name if owner else ''}".rstrip()
                + " have no source (they are marked VOORBEELD; real figures need one)",
            )
    samples = sum(1 for f in config.figures.values() if f.sample)
    if samples:
        first = next(f for f in config.figures.values() if f.sample)
        report.warn(
            Location(first.location.file, None, "sample"),
            f"{samples} municipalities have sample figures; their letters carry VOORBEELD",
        )


def check_approvals(root: Path, definitions: list[LetterDefinition], report: Report) -> None:
    """letters/approvals.yaml is well formed; a final letter whose files are not its
    approved version is a warning (a final batch of it is refused until it is approved)."""
    try:
        load_approvals(root)
    except IbtpostError as exc:
        report.error(exc)
        return
    for definition in definitions:
        if definition.status == "final":
            try:
                gate.require_approved(root, definition.id)
            except gate.NotApproved as exc:
                report.warn(Location(f"letters/{definition.path.name}"), exc.message, cause=exc)


def check_legal(config: Config, definitions: list[LetterDefinition], report: Report) -> None:
    """Legal text (config/legal.yaml) that letters use but nobody verified: such a letter
    can only be made as a concept, and cannot be approved."""
    for definition in definitions:
        missing = gate.unverified(config, definition)
        if missing:
            report.warn(
                Location(f"letters/{definition.path.name}"),
                f"uses legal text that is not verified: {', '.join(missing)}; only a concept "
                "can be made of it",
            )


def check_copies(config: Config, definitions: list[LetterDefinition], report: Report) -> None:
    """Per letter and copy role (gemeenteraad, GS): the recipients without an e-mail address,
    whose copies go to the post room (and those without a postal address either)."""
    for definition in definitions:
        for role in definition.copy_roles():  # the CdK's address is checked with the data
            overlay = OVERLAYS[role]
            holders = config.municipalities if overlay.per_municipality else config.provinces
            without = sorted(
                h.name for h in holders.values() if getattr(h, overlay.attribute) is None
            )
            whom = "the gemeenteraad of" if role == "raad" else "gedeputeerde staten of"
            if not without:
                continue
            shown = ", ".join(without[:8]) + (
                f" and {len(without) - 8} more" if len(without) > 8 else ""
            )
            report.warn(
                Location(f"letters/{definition.path.name}", None, f"copies.{role}"),
                f"{definition.id}: no e-mail address of {whom} {len(without)} "
                f"{'municipalities' if overlay.per_municipality else 'provinces'} ({shown}): "
                "those copies go to the post room",
                NextAction("import-addresses", {"role": role}, why="hint.add_them"),
            )


def check_cdk(config: Config, report: Report) -> None:
    """The provinces whose Commissaris van de Koning has neither an e-mail address nor a
    postal address: a letter to one of their municipalities that goes by post (no e-mail
    address of the college) cannot be queued, as its CdK would not be informed."""
    without = sorted(
        p.name for p in config.provinces.values() if p.cdk_email is None and not p.postal_address
    )
    if not without:
        return
    report.warn(
        Location("config/provinces.csv", None, "postal_address"),
        f"no address of the Commissaris van de Koning of {len(without)} provinces "
        f"({', '.join(without)}), neither e-mail nor postal: a letter that goes by post to "
        "one of their municipalities cannot be queued",
        NextAction("import-cdk", {"file": "..."}, why="hint.add_them"),
    )


def check_signing(config: Config, report: Report) -> None:
    """With ``signing:`` configured: open the seal as a batch would (files, password or PIN,
    certificate valid and matching the key, chain to the trust roots, timestamp server)."""
    if config.settings.signing is None:
        return
    try:
        Sealer(config.settings.signing).close()
    except IbtpostError as exc:
        report.error(exc)


#: A check of a stage above this one (the mail templates against the letters), run with
#: the loaded config, the definitions and their composed branches: its problems are errors.
ExtraCheck = Callable[[Path, list[LetterDefinition], Compositions], list[IbtpostError]]


def run_check(root: Path, extra: Sequence[ExtraCheck] = ()) -> Report:
    """Check everything under ``root``; then ``extra``, when the config loaded."""
    report = Report()
    config: Config | None = None
    try:
        config = load_config(root)
    except IbtpostError as exc:
        report.error(exc)
    definitions: list[LetterDefinition] = []
    templates: set[str] = set()
    for path in definition_files(root):
        try:
            definition = load_definition(path, f"letters/{path.name}")
        except IbtpostError as exc:
            report.error(exc)
            continue
        definitions.append(definition)
        templates.add(definition.template)
    if not definitions and not report.errors:
        report.error(DefinitionError("no letter definitions", Location("letters/")))
    check_approvals(root, definitions, report)
    for name in sorted(templates):
        check_template(root, name, report)
    if config is not None:
        check_data(config, report)
        check_legal(config, definitions, report)
        check_copies(config, definitions, report)
        check_cdk(config, report)
        check_signing(config, report)
        compositions = Compositions(config)
        for problem in data_problems(config, definitions) + compose_problems(
            config, definitions, compositions
        ):
            report.error(problem)
        for check in extra:
            try:
                problems = check(root, definitions, compositions)
            except IbtpostError as exc:
                problems = [exc]
            for problem in problems:
                report.error(problem)
    return report
