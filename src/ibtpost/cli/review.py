"""The review commands of the command line: diff and approve."""

from __future__ import annotations

import argparse
import os
import sys

from ibtpost.approval.approvals import APPROVALS, SNAPSHOTS
from ibtpost.cli.args import EXIT_OK, SubParsers
from ibtpost.review.diff import APPROVED, WORKING


def cmd_diff(args: argparse.Namespace) -> int:
    """ibtpost diff."""
    from ibtpost.service.review import diff

    result = diff(args.root, args.letter, args.old, args.new)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if result.old is None:
        print(
            f"{result.letter} has never been approved: nothing to compare the "
            f"{result.new.describe()} with"
        )
        if len(result.known) > 1:
            print("give --from VERSION to compare with one of:")
            for line in result.known:
                print(f"  {line}")
        return EXIT_OK
    if not result.files:
        print(
            f"no changes: {result.letter} {result.new.describe()} is the same as "
            f"{result.old.describe()}"
        )
        return EXIT_OK
    before, after = result.old.describe(), result.new.describe()
    print(f"{result.letter}: {before} -> {after}")
    for item in result.files:
        suffix = " (its text, one paragraph per line)" if item.path.endswith(".docx") else ""
        print()
        print(f"--- {item.path}{suffix}  {before}")
        print(f"+++ {item.path}{suffix}  {after}")
        if item.note:
            print(f"    {item.note}")
        width = len(str(max((changed.number for changed in item.lines), default=0)))
        for changed in item.lines:
            print(f"{changed.number:>{width}}: {changed.render(colour)}")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace) -> int:
    """ibtpost approve."""
    from ibtpost.service.review import approve

    done = approve(args.root, args.letter, args.by, args.note)
    approval = done.done.approval
    if not done.done.added:
        print("".join(line.text("en") for line in (done.summary, done.count) if line))
        return EXIT_OK
    print(done.summary.text("en"))
    if done.waiting is not None:
        print(done.waiting.text("en"), file=sys.stderr)
    for path, sha in sorted(approval.files.items()):
        print(f"  {path}  {sha[:12]}")
    print(
        f"next: commit {APPROVALS} and {SNAPSHOTS}/{approval.letter}-{approval.version}/ "
        "with the letter; a final batch of it may now be made",
        file=sys.stderr,
    )
    return EXIT_OK


def add_review_commands(sub: SubParsers) -> None:
    """ibtpost diff and approve."""
    p = sub.add_parser(
        "diff",
        help="what changed in a letter's text since its approval, word by word",
        description="Compare two versions of a letter (its definition and the templates it "
        "uses) word by word: by default the approved version with the working copy. "
        "Changed lines are shown with their line number and the changes marked "
        "[-old-]{+new+}. A version is a version id (or an unambiguous prefix) that the "
        f"register recorded or that was approved, '{APPROVED}' or '{WORKING}'.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-2")
    p.add_argument(
        "--from",
        dest="old",
        metavar="V",
        help=f"the older version (default: {APPROVED})",
    )
    p.add_argument(
        "--to",
        dest="new",
        metavar="V",
        help=f"the newer version (default: {WORKING}, the files as they are now)",
    )
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "approve",
        help="approve the current text of a letter for dispatch",
        description="Approve exactly the current version of LETTER: its definition and "
        f"the templates it uses, by hash. The approval is appended to {APPROVALS} (commit "
        "it) and recorded in the audit trail. Any later change to one of those files makes "
        "the letter unapproved again. A draft (status: draft) cannot be approved.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-2")
    p.add_argument("--by", required=True, metavar="NAME", help="who approves (one line)")
    p.add_argument("--note", metavar="TEXT", help="why, or on what basis (one line)")
    p.set_defaults(func=cmd_approve)
