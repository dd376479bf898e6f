"""One real batch for the archive tests: real LibreOffice, a real register, mail sent to a
real SMTP server on 127.0.0.1, a reply recorded; made once per test module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import copy_tree
from tests.realdata import ibtpost, import_real_data
from tests.smtpserver import Recorder, SmtpServer

from ibtpost.core import clock
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

CODES = ("GM0622", "GM0363")
DAY = "2026-04-09"


@dataclass
class Made:
    """The root and the batch id of the sent batch."""

    root: Path
    batch: str
    references: dict[str, str]  # code -> reference


def make_sent_batch(base: Path, *, seal_settings: str = "") -> Iterator[Made]:
    """A trede-2 batch for CODES, queued and sent by SMTP to 127.0.0.1, a reply recorded on
    the first letter. ``seal_settings`` is appended to config/settings.yaml."""
    root = copy_tree(base / "root")
    import_real_data(root, CODES, base)
    if seal_settings:
        with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
            handle.write(seal_settings)
    args = [a for code in CODES for a in ("-m", code)]
    assert ibtpost(root, "batch", "trede-2", "--date", DAY, *args) == 0
    (folder,) = [p for p in (root / "outbox").iterdir() if p.name.startswith("trede-2-")]
    assert ibtpost(root, "queue", folder.name) == 0
    server = SmtpServer(Recorder())
    server.start()
    old = os.environ.get("IBTPOST_SMTP_URL")
    os.environ["IBTPOST_SMTP_URL"] = server.url
    try:
        assert ibtpost(root, "send", "--batch", folder.name, "--retry-delay", "0") == 0
    finally:
        if old is None:
            del os.environ["IBTPOST_SMTP_URL"]
        else:
            os.environ["IBTPOST_SMTP_URL"] = old
        server.stop()
    with Register.for_root(root) as register:
        references = {
            r.municipality: r.reference
            for r in letter_register.batch_letters(register, folder.name)
        }
    answer = base / "antwoord.pdf"
    answer.write_bytes(b"%PDF-1.4\n% reactie\n%%EOF\n")
    assert (
        ibtpost(
            root,
            "reply",
            references["GM0622"],
            "--received",
            clock.today().isoformat(),
            "--file",
            str(answer),
        )
        == 0
    )
    yield Made(root, folder.name, references)
