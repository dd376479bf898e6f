"""The procedure's records: publication and litigation."""

from __future__ import annotations

import argparse
from pathlib import Path

from ibtpost.cli.args import SubParsers, parse_date

EXIT_OK = 0


def cmd_publication(args: argparse.Namespace) -> int:
    """ibtpost publication."""
    from ibtpost.service.procedure import publication

    done = publication(args.root, args.reference, args.staatscourant, args.date, args.url)
    print(done.summary.text("en"))
    return EXIT_OK


def cmd_litigation(args: argparse.Namespace) -> int:
    """ibtpost litigation."""
    from ibtpost.service.procedure import litigation

    done = litigation(args.root, args.reference, args.event, args.date, args.note, args.file)
    print(done.summary.text("en"))
    return EXIT_OK


def add_procedure_commands(sub: SubParsers) -> None:
    """ibtpost publication and litigation."""
    p = sub.add_parser(
        "publication",
        help="record that a letter's kennisgeving was published in the Staatscourant",
        description="Record that the kennisgeving of the letter REFERENCE (a trede-4 "
        "voornemen or a trede-5 besluit) was published in the Staatscourant --staatscourant "
        "on --date. Audited; the same record again adds nothing. A besluit (trede 5) is made "
        "only after the voornemen's publication is recorded, and its text can recite it "
        "({{ publication.staatscourant }}, {{ publication.date }}, {{ publication.url }}).",
    )
    p.add_argument("reference", help="the Onze referentie of the letter")
    p.add_argument(
        "--staatscourant", required=True, help="the Staatscourant's number, e.g. 2026-12345"
    )
    p.add_argument(
        "--date", type=parse_date, required=True, help="the date of publication, YYYY-MM-DD"
    )
    p.add_argument("--url", help="where the publication can be read (https://...)")
    p.set_defaults(func=cmd_publication)

    p = sub.add_parser(
        "litigation",
        help="record what happens at the court about a besluit",
        description="Record an event at the court about the besluit REFERENCE (trede 5): "
        "beroep lodged, voorlopige voorziening asked, uitspraak, schorsing. An uitspraak ends "
        "the pending voorlopige voorziening if there is one, else the pending beroep. With "
        "--file the document (PDF, .docx or .eml) is copied into the case "
        "(outbox/cases/<code>/) and its SHA-256 kept. Audited; the same record again adds "
        "nothing. Trede 6 waits while a beroep or voorlopige voorziening is pending, and "
        "never follows a schorsing.",
    )
    p.add_argument("reference", help="the Onze referentie of the besluit")
    p.add_argument(
        "--event",
        required=True,
        choices=("beroep", "voorlopige-voorziening", "uitspraak", "schorsing"),
        help="what happened",
    )
    p.add_argument("--date", type=parse_date, required=True, help="when, YYYY-MM-DD")
    p.add_argument("--note", help="a note (one line), kept in the register and the audit trail")
    p.add_argument("--file", type=Path, help="the document (PDF, .docx or .eml)")
    p.set_defaults(func=cmd_litigation)
