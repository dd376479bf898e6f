"""The archive commands: export mdto and case."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ibtpost.cli.args import EXIT_OK, Parser, SubParsers


def cmd_export_mdto(args: argparse.Namespace) -> int:
    """ibtpost export mdto."""
    from ibtpost.archive.export import export_mdto

    result = export_mdto(args.root, args.out, batch=args.batch, case=args.case)
    for path in result.files:
        print(path)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    notices = f" and {result.notices} kennisgeving(en)" if result.notices else ""
    print(
        f"{len(result.letters)} letter(s){notices} exported with MDTO metadata to "
        f"{result.folder} ({len(result.files)} files, every XML valid against MDTO 1.0.2)",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_case(args: argparse.Namespace) -> int:
    """ibtpost case."""
    from ibtpost.archive.casefile import build_case_file

    result = build_case_file(args.root, args.municipality, args.out)
    print(result.folder)
    print(result.pdf)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"case file of {result.municipality.name} ({result.municipality.code}): "
        f"{len(result.letters)} letter(s), {result.replies} reply(ies), "
        f"{result.events} audit event(s) ({result.chain}); {result.pages} pages in "
        f"{result.pdf.name}",
        file=sys.stderr,
    )
    return EXIT_OK


def add_archive_commands(sub: SubParsers) -> None:
    """Register export and case."""
    export = sub.add_parser(
        "export",
        help="export letters for the archive (MDTO metadata)",
        description="Export records for the archive.",
    )
    kinds = export.add_subparsers(dest="kind", required=True, parser_class=Parser)
    p = kinds.add_parser(
        "mdto",
        help="the letters of a batch or a case with MDTO metadata (XML)",
        description="Per letter its PDF as sent (sealed, when letters are sealed) and its "
        "MDTO metadata (Nationaal Archief, MDTO 1.0.2): <stem>.mdto.xml (informatieobject: "
        "reference, name, archiefvormer, waardering, dekking in tijd, the verzending with "
        "date and time from the register, the college, the case it belongs to) and "
        "<stem>.pdf.bestand.mdto.xml (bestand: name, size, PRONOM fmt/477, SHA-256). With "
        "--case, every final letter of the municipality and the dossier IBT-<code>.mdto.xml. "
        "Every PDF is checked against the register, every XML against the schema, before "
        "anything is written. Policy values come from config/archive.yaml.",
    )
    p.add_argument("batch", nargs="?", help="batch id (its folder name under outbox/)")
    p.add_argument(
        "--case",
        metavar="MUNICIPALITY",
        help="instead of a batch: every final letter of this municipality (code or name)",
    )
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.set_defaults(func=cmd_export_mdto)

    p = sub.add_parser(
        "case",
        help="the case file of one municipality: letters, replies, delivery, audit",
        description="Everything about one municipality's supervision in one place: its "
        "letters in order (PDFs as sent), the replies and zienswijzen recorded with "
        "`ibtpost reply`, the delivery report of its letters, the audit events of its "
        "references and the verification of the whole audit chain; as a folder and as one "
        "PDF with bookmarks for reading (case-file.pdf). Default folder: "
        "outbox/cases/<code>/case-file/.",
    )
    p.add_argument("municipality", help="municipality code (GM0622) or name")
    p.add_argument("--out", type=Path, help="folder to write the case file into")
    p.set_defaults(func=cmd_case)
