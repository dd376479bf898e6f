"""config/sender.yaml: the sending organisation, its signatory and the From of the e-mail."""

from __future__ import annotations

import re
from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.domain import MailFrom, Sender, Signatory
from ibtpost.core.errors import DataError, Location
from ibtpost.core.yamlsource import YList, YMap, load_yaml
from ibtpost.data.collect import Collector


def _text(c: Collector, data: YMap, key: str, label: str, prefix: str = "") -> str:
    value = data.get(key)
    where = Location(label, data.line_of(key), prefix + key)
    if not isinstance(value, str) or not value.strip():
        c.add(DataError("missing or not text", where))
        return ""
    return c.field(validate.clean_text, value, where) or ""


def _lines(c: Collector, data: YMap, key: str, label: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, YList) or not all(isinstance(v, str) for v in value):
        c.add(DataError("must be a list of lines", Location(label, data.line_of(key), key)))
        return ()
    return tuple(validate.clean_text(v) for v in value)


def load_sender(path: Path, label: str, c: Collector) -> Sender | None:
    """Read config/sender.yaml."""
    data = load_yaml(path, DataError, label)
    if not isinstance(data, YMap):
        c.add(DataError("must be a mapping of keys to values", Location(label, 1)))
        return None
    sig = data.get("signatory")
    if not isinstance(sig, YMap):
        c.add(
            DataError(
                "missing signatory block", Location(label, data.line_of("signatory"), "signatory")
            )
        )
        sig = YMap()
        sig.line, sig.key_lines = data.line, {}
    signatory = Signatory(
        on_behalf=_text(c, sig, "on_behalf", label),
        name=_text(c, sig, "name", label),
        function=_text(c, sig, "function", label),
        image=_text(c, sig, "image", label),
    )
    mailbox = _text(c, data, "mailbox", label)
    c.field(validate.email, mailbox, Location(label, data.line_of("mailbox"), "mailbox"))
    signatories = _signatories(c, data, label)
    organisation = _text(c, data, "organisation", label)
    return Sender(
        organisation=organisation,
        department=_text(c, data, "department", label),
        visit_lines=_lines(c, data, "visiting_address", label),
        postal_lines=_lines(c, data, "postal_address", label),
        website=_text(c, data, "website", label),
        return_address=_text(c, data, "return_address", label),
        mailbox=mailbox,
        signatory=signatory,
        mail=_mail_from(c, data, label, mailbox, organisation),
        signatories=signatories,
    )


SIGNATORY_KEYS = {"on_behalf", "name", "function", "image", "mandate"}
_SIGNATORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


def _signatories(c: Collector, data: YMap, label: str) -> dict[str, Signatory]:
    """``signatories:`` of sender.yaml: the signatories a letter definition can name, each
    with the mandate under which it signs a besluit (optional: null until a lawyer fills it
    in)."""
    block = data.get("signatories")
    if block is None:
        return {}
    if not isinstance(block, YMap):
        c.add(
            DataError(
                "must be a mapping of signatory names to signature blocks",
                Location(label, data.line_of("signatories"), "signatories"),
            )
        )
        return {}
    found = {}
    for key, raw in block.items():
        field = f"signatories.{key}"
        where = Location(label, block.line_of(key), field)
        if not isinstance(key, str) or not _SIGNATORY_ID.match(key):
            c.add(DataError("a signatory's name is lower-case letters, digits and -", where))
            continue
        if not isinstance(raw, YMap):
            c.add(DataError("must have on_behalf, name, function, image and mandate", where))
            continue
        for extra in sorted(set(raw) - SIGNATORY_KEYS):
            c.add(
                DataError(
                    f"unknown key {extra!r}",
                    Location(label, raw.line_of(extra), f"{field}.{extra}"),
                )
            )
        mandate = raw.get("mandate")
        if mandate is not None and (not isinstance(mandate, str) or not mandate.strip()):
            c.add(
                DataError(
                    "must be text (the mandate) or null",
                    Location(label, raw.line_of("mandate"), f"{field}.mandate"),
                )
            )
            mandate = None
        found[key] = Signatory(
            on_behalf=_text(c, raw, "on_behalf", label, f"{field}."),
            name=_text(c, raw, "name", label, f"{field}."),
            function=_text(c, raw, "function", label, f"{field}."),
            image=_text(c, raw, "image", label, f"{field}."),
            mandate=validate.clean_text(mandate) if isinstance(mandate, str) else None,
            id=key,
            location=where,
        )
    return found


MAIL_KEYS = {"from", "from_name"}


def _mail_from(c: Collector, data: YMap, label: str, mailbox: str, name: str) -> MailFrom | None:
    """``mail:`` of sender.yaml: the From of the e-mail (optional; defaults per key)."""
    if "mail" not in data or data.get("mail") is None:
        return None
    block = data.get("mail")
    if not isinstance(block, YMap):
        c.add(
            DataError(
                "must be a mapping with from and from_name",
                Location(label, data.line_of("mail"), "mail"),
            )
        )
        return None
    for key in sorted(set(block) - MAIL_KEYS):
        c.add(DataError(f"unknown key {key!r}", Location(label, block.line_of(key), f"mail.{key}")))
    address, display = mailbox, name
    raw_from = block.get("from")
    where = Location(label, block.line_of("from"), "mail.from")
    if raw_from is not None:
        checked = c.field(validate.mailbox, raw_from, where) if isinstance(raw_from, str) else None
        if not isinstance(raw_from, str):
            c.add(DataError("must be one e-mail address", where))
        address = checked or address
    raw_name = block.get("from_name")
    where = Location(label, block.line_of("from_name"), "mail.from_name")
    if raw_name is not None:
        checked = (
            c.field(validate.clean_text, raw_name, where) if isinstance(raw_name, str) else None
        )
        if not isinstance(raw_name, str):
            c.add(DataError("must be a line of text", where))
        display = checked or display
    return MailFrom(address, display)
