"""The e-mail of a letter: headers, both parts in Dutch, the PDF attached unchanged."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import io
from datetime import UTC, date, datetime, timedelta, timezone
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from functools import cache
from pathlib import Path

import pytest
from tests.conftest import REPO

from ibtpost.core.domain import Config
from ibtpost.data.config import load_config
from ibtpost.data.recipients import MissingAddress, Recipients, mail_recipients
from ibtpost.mail.message import (
    ORIGINAL_CC,
    ORIGINAL_TO,
    MailError,
    MailMessage,
    MissingAddressError,
    compose_mail,
    load_mail_templates,
)
from ibtpost.mail.message import _set_boundaries as set_boundaries
from ibtpost.text.compose import compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import load_definition
from ibtpost.text.nodes import LetterDefinition

DAY = date(2026, 4, 9)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(REPO)


@cache
def definition(name: str) -> LetterDefinition:
    return load_definition(REPO / "letters" / f"{name}.yaml", f"letters/{name}.yaml")


def letter(
    config: Config, code: str, name: str = "trede-2", reference: str = "7500001"
) -> LetterContext:
    return compose(definition(name), config.municipalities[code], config, reference, DAY)


def parsed(mail: MailMessage) -> EmailMessage:
    """The mail as a receiver sees it: serialized for SMTP and parsed again."""
    message = email.message_from_bytes(
        mail.message.as_bytes(policy=email.policy.SMTP), policy=email.policy.default
    )
    assert isinstance(message, EmailMessage)
    return message


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def test_headers(config: Config) -> None:
    """To the college, Cc the CdK, From and Reply-To the ministry, the reference everywhere."""
    mail = compose_mail(letter(config, "GM0014"), PDF, "7500001-groningen.pdf", config)
    msg = parsed(mail)
    assert str(msg["To"]) == "College van B&W van Groningen <info@groningen.nl>"
    assert str(msg["Cc"]) == (
        "Commissaris van de Koning van de provincie Groningen <cdk@groningen.example>"
    )
    assert str(msg["From"]) == "Directoraat-Generaal Migratie <ibtspreidingswet@minjenv.nl>"
    assert str(msg["Reply-To"]) == "ibtspreidingswet@minjenv.nl"
    assert str(msg["Subject"]) == (
        "Onze referentie 7500001: Brief interbestuurlijk toezicht Wet gemeentelijke taak "
        "mogelijk maken asielopvangvoorzieningen"
    )
    assert msg["Message-ID"] == "<ibtpost.7500001@minjenv.nl>" == mail.message_id
    assert msg["Date"] is None  # the dispatcher sets it
    assert mail.to == ("info@groningen.nl",)
    assert mail.cc == ("cdk@groningen.example",)
    assert mail.envelope_recipients == ("info@groningen.nl", "cdk@groningen.example")
    assert mail.sender == "ibtspreidingswet@minjenv.nl"
    assert not mail.test


def test_same_letter_same_message_id_and_date(config: Config) -> None:
    """Composing again gives the same Message-ID; sent_at sets Date (with a time zone)."""
    context = letter(config, "GM0014")
    first = compose_mail(context, PDF, "7500001-groningen.pdf", config)
    sent = datetime(2026, 4, 9, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    again = compose_mail(context, PDF, "7500001-groningen.pdf", config, sent_at=sent)
    assert first.message_id == again.message_id
    assert parsed(again)["Date"] == "Thu, 09 Apr 2026 10:30:00 +0200"
    with pytest.raises(MailError, match="time zone"):
        compose_mail(context, PDF, "7500001-groningen.pdf", config, sent_at=datetime(2026, 4, 9))


def test_serialised_as_the_stdlib_would(config: Config) -> None:
    """as_bytes writes bodies in one piece; the bytes equal the stdlib generator's, also for
    a part with bare CR and LF line ends."""
    for code in ("GM0014", "GM1900", "GM0363"):
        mail = compose_mail(letter(config, code), PDF, "7500001-x.pdf", config)
        assert mail.as_bytes() == stdlib_bytes(mail.message)
    odd = EmailMessage(policy=email.policy.SMTP)
    odd["Subject"] = "regels"
    odd.set_payload("een\rtwee\ndrie\r\nvier\n\nvijf")
    mail = dataclasses.replace(mail, message=odd)
    assert mail.as_bytes() == stdlib_bytes(odd)
    assert mail.as_bytes().endswith(b"een\r\ntwee\r\ndrie\r\nvier\r\n\r\nvijf")


def stdlib_bytes(message: EmailMessage) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=email.policy.SMTP).flatten(message)
    return out.getvalue()


def test_boundaries_fixed_and_not_in_the_text(config: Config) -> None:
    """A message composed again is the same to the byte (given the Date); its boundaries
    follow from the PDF and are not in the text parts, else another one is chosen."""
    sent = datetime(2026, 4, 9, 10, 30, tzinfo=UTC)
    context = letter(config, "GM0014")
    first = compose_mail(context, PDF, "7500001-groningen.pdf", config, sent_at=sent)
    again = compose_mail(context, PDF, "7500001-groningen.pdf", config, sent_at=sent)
    assert first.as_bytes() == again.as_bytes()
    other = compose_mail(context, PDF + b"\n", "7500001-groningen.pdf", config, sent_at=sent)
    assert other.message.get_boundary() != first.message.get_boundary()
    boundary = first.message.get_boundary()
    assert boundary is not None
    assert boundary.startswith("=_ibtpost_")
    assert all(boundary not in str(p.get_payload()) for p in first.message.walk())

    clash = EmailMessage(policy=email.policy.SMTP)
    clash.set_content(f"zie --{boundary} hier")
    clash.add_alternative("<p>x</p>", subtype="html")
    clash.make_mixed()
    set_boundaries(clash, PDF)
    chosen = clash.get_boundary()
    assert chosen is not None and chosen != boundary and chosen.startswith("=_ibtpost_")
    reread = email.message_from_bytes(stdlib_bytes(clash), policy=email.policy.default)
    assert isinstance(reread, EmailMessage)
    assert f"--{boundary} hier" in part(reread, "plain")


def test_from_configured_in_sender_yaml(root: Path) -> None:
    """mail.from and mail.from_name of sender.yaml set From; Reply-To stays the mailbox."""
    path = root / "config" / "sender.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("  from: ibtspreidingswet@minjenv.nl", "  from: noreply@post.minjenv.nl")
        .replace("  from_name: Directoraat-Generaal Migratie", "  from_name: IBT Spreidingswet"),
        encoding="utf-8",
    )
    config = load_config(root)
    mail = compose_mail(letter(config, "GM0014"), PDF, "7500001-groningen.pdf", config)
    msg = parsed(mail)
    assert str(msg["From"]) == "IBT Spreidingswet <noreply@post.minjenv.nl>"
    assert str(msg["Reply-To"]) == "ibtspreidingswet@minjenv.nl"
    assert mail.message_id == "<ibtpost.7500001@post.minjenv.nl>"


def test_from_defaults_and_errors(root: Path) -> None:
    """Without mail: From is the mailbox and the organisation; a bad value names file:line."""
    path = root / "config" / "sender.yaml"
    text = path.read_text(encoding="utf-8")
    block = text[text.index("\nmail:") :]
    path.write_text(text.replace(block, "\n"), encoding="utf-8")
    from_ = load_config(root).sender.mail_from
    assert (from_.address, from_.name) == (
        "ibtspreidingswet@minjenv.nl",
        "Directoraat-Generaal Migratie",
    )

    path.write_text(
        text.replace("  from: ibtspreidingswet@minjenv.nl", "  from: a@b.nl, c@d.nl")
        + "  reply: x@y.nl\n",
        encoding="utf-8",
    )
    from ibtpost.core.errors import Problems

    with pytest.raises(Problems) as info:
        load_config(root)
    shown = [str(p) for p in info.value.problems]
    assert any(s.startswith("config/sender.yaml:") and "mail.from:" in s for s in shown), shown
    assert any("mail.reply: unknown key 'reply'" in s for s in shown), shown


def test_both_parts_in_dutch_with_reference_and_deadline(config: Config) -> None:
    """Plain text and HTML both carry the greeting, reference, reply term, mailbox and copy.
    The reply term is stated as the trede-2 letter states it, as a period from its date; it
    said "uiterlijk 30 april 2026", a date the letter does not give (legal review 2026-12,
    trede 2)."""
    msg = parsed(compose_mail(letter(config, "GM0622"), PDF, "7500001-vlaardingen.pdf", config))
    assert msg.get_content_type() == "multipart/mixed"
    for subtype in ("plain", "html"):
        text = part(msg, subtype)
        assert "Geacht college," in text
        assert "onze referentie 7500001" in text
        assert "Namens de minister van Asiel en Migratie" in text
        assert "Wij verzoeken u binnen drie weken na dagtekening van de brief te reageren." in text
        assert "30 april 2026" not in text
        assert "ibtspreidingswet@minjenv.nl" in text
        assert (
            "Commissaris van de Koning van de provincie Zuid-Holland ontvangt een afschrift" in text
        )
        assert "VOORBEELD" not in text  # Vlaardingen's figures are real
    html = part(msg, "html")
    assert html.startswith("<!doctype html>")
    assert '<html lang="nl"' in html
    assert "{{" not in html and "{%" not in html
    assert "https://" not in html and "<img" not in html  # nothing remote, no images
    assert "&ldquo;Brief interbestuurlijk toezicht" in html


def test_html_is_escaped(config: Config) -> None:
    """Letter text goes into the HTML escaped."""
    context = dataclasses.replace(letter(config, "GM0014"), subject="A & B <script>")
    html = part(parsed(compose_mail(context, PDF, "7500001-groningen.pdf", config)), "html")
    assert "A &amp; B &lt;script&gt;" in html
    assert "<script>" not in html


def test_no_term_no_deadline_sentence(config: Config) -> None:
    """A letter whose text states no term asks for no reaction by a term."""
    context = letter(config, "GM0014")
    assert context.reaction is not None
    msg = parsed(
        compose_mail(dataclasses.replace(context, reaction=None), PDF, "7500001-g.pdf", config)
    )
    for subtype in ("plain", "html"):
        assert "te reageren" not in part(msg, subtype)
        assert "binnen drie weken" not in part(msg, subtype)


def test_a_voornemen_asks_for_the_zienswijze_by_its_date(config: Config) -> None:
    """The mail of a voornemen (trede 4) asks a reaction by the zienswijze date the letter
    states, not by the end of its compliance term (legal review 2026-12, trede 4 point 2)."""
    context = letter(config, "GM0014", "trede-4")
    assert context.reply_deadline is None and context.compliance_deadline is not None
    assert context.zienswijze_deadline is not None
    text = part(parsed(compose_mail(context, PDF, "7500001-groningen.pdf", config)), "plain")
    assert "Wij verzoeken u uiterlijk 23 april 2026 te reageren." in text
    assert "21 mei 2026" not in text
    assert "CONCEPT" not in text


def test_a_besluit_asks_for_no_reaction(config: Config) -> None:
    """The mail that carries a besluit (trede 5) asks for no "reactie": its term is to
    comply, counted from the bekendmaking, and the letter states it as a period."""
    context = letter(config, "GM0014", "trede-5")
    assert context.besluit and context.compliance_deadline is not None
    text = part(parsed(compose_mail(context, PDF, "7500001-groningen.pdf", config)), "plain")
    assert "te reageren" not in text and "uiterlijk" not in text


def test_sample_marks_stated(config: Config) -> None:
    """A letter on sample figures says so at the top of both parts; so does a concept."""
    context = compose(
        definition("trede-2"), config.municipalities["GM0014"], config, "7500001", DAY, concept=True
    )
    msg = parsed(compose_mail(context, PDF, "7500001-groningen.pdf", config))
    plain = part(msg, "plain")
    assert plain.startswith("CONCEPT: ")
    assert "VOORBEELD: deze brief is gebaseerd op voorbeeldgegevens" in plain
    assert "VOORBEELD: deze brief is gebaseerd op voorbeeldgegevens" in part(msg, "html")


def test_attachment_unchanged_and_named(config: Config) -> None:
    """The PDF comes out byte for byte, as application/pdf, named after the reference."""
    mail = compose_mail(letter(config, "GM0014"), PDF, "7500001-groningen.pdf", config)
    attachments = list(parsed(mail).iter_attachments())
    assert len(attachments) == 1
    (pdf,) = attachments
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "7500001-groningen.pdf"
    assert pdf.get_content() == PDF


@pytest.mark.parametrize(
    "name",
    [
        "groningen.pdf",
        "7500002-groningen.pdf",
        "../7500001-x.pdf",
        "7500001-x.docx",
        "7500001-\n.pdf",
    ],
)
def test_attachment_name_checked(config: Config, name: str) -> None:
    """The attachment is a plain file name that starts with the letter's reference."""
    with pytest.raises(MailError):
        compose_mail(letter(config, "GM0014"), PDF, name, config)


def test_not_a_pdf_refused(config: Config) -> None:
    with pytest.raises(MailError, match="not a PDF"):
        compose_mail(letter(config, "GM0014"), b"PK\x03\x04", "7500001-groningen.pdf", config)


def test_non_ascii_names_round_trip(config: Config) -> None:
    """Súdwest-Fryslân and Fryslân survive SMTP encoding in the display names."""
    mail = compose_mail(letter(config, "GM1900"), PDF, "7500001-sudwest-fryslan.pdf", config)
    raw = mail.as_bytes()
    assert raw.isascii()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = parsed(mail)
    (to,) = msg["To"].addresses
    (cc,) = msg["Cc"].addresses
    assert to.display_name == "College van B&W van Súdwest-Fryslân"
    assert cc.display_name == "Commissaris van de Koning van de provincie Fryslân"
    assert cc.addr_spec == "cdk@fryslan.example"


def test_every_shipped_recipient_round_trips(config: Config) -> None:
    """For every municipality the names and addresses read back exactly as given."""
    base = letter(config, "GM0014")
    headers = BytesHeaderParser(policy=email.policy.default)
    for mun in config.municipalities.values():
        context = dataclasses.replace(base, municipality=mun)
        mail = compose_mail(context, PDF, "7500001-x.pdf", config)
        msg = headers.parsebytes(mail.as_bytes())
        (to,) = msg["To"].addresses
        (cc,) = msg["Cc"].addresses
        assert (to.display_name, to.addr_spec) == (mail.recipients.to_name, mail.recipients.to)
        assert (cc.display_name, cc.addr_spec) == (mail.recipients.cc_name, mail.recipients.cc)


def test_idn_domain_serializes(config: Config) -> None:
    """A test recipient on an IDN domain is written in its ASCII (punycode) form."""
    mail = compose_mail(
        letter(config, "GM0014"),
        PDF,
        "7500001-groningen.pdf",
        config,
        test_recipient="ibt@bücher.example",
    )
    assert mail.to == ("ibt@xn--bcher-kva.example",)
    assert parsed(mail)["To"] == "ibt@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "Betreft\r\nBcc: x@evil.example"},
        {"subject": "Betreft\nBcc: x@evil.example"},
        {"reference": "7500001\r\nBcc: x@evil.example"},
    ],
)
def test_header_injection_in_letter_refused(config: Config, change: dict[str, str]) -> None:
    """A line break in anything that becomes a header is a clear error, never a header."""
    context = dataclasses.replace(letter(config, "GM0014"), **change)  # type: ignore[arg-type]
    with pytest.raises(MailError, match="line break"):
        compose_mail(context, PDF, "7500001-groningen.pdf", config)


def test_header_injection_in_addresses_refused(config: Config) -> None:
    """Addresses and display names with a line break are refused too."""
    context = letter(config, "GM0014")
    with pytest.raises(MailError, match="line break"):
        compose_mail(
            context, PDF, "7500001-groningen.pdf", config, test_recipient="a@b.nl\r\nBcc: c@d.nl"
        )
    mun = dataclasses.replace(context.municipality, ibt_email="a@b.nl\nBcc: c@d.nl")
    with pytest.raises(MailError, match="line break"):
        compose_mail(
            dataclasses.replace(context, municipality=mun), PDF, "7500001-groningen.pdf", config
        )
    mun = dataclasses.replace(context.municipality, name="Groningen\r\nBcc: c@d.nl")
    with pytest.raises(MailError, match="line break"):
        compose_mail(
            dataclasses.replace(context, municipality=mun), PDF, "7500001-groningen.pdf", config
        )
    sender = dataclasses.replace(config.sender, mailbox="a@b.nl, c@d.nl")
    with pytest.raises(MailError, match="Reply-To"):
        compose_mail(
            context, PDF, "7500001-groningen.pdf", dataclasses.replace(config, sender=sender)
        )


def test_recipients_and_missing_address(config: Config) -> None:
    """ibt_email comes before the general address; an unknown address is MissingAddress."""
    mun = config.municipalities["GM0014"]
    found = mail_recipients(mun, config)
    assert found == Recipients(
        "info@groningen.nl",
        "College van B&W van Groningen",
        "cdk@groningen.example",
        "Commissaris van de Koning van de provincie Groningen",
    )
    ibt = dataclasses.replace(mun, ibt_email="ibt@groningen.nl")
    assert isinstance(found := mail_recipients(ibt, config), Recipients)
    assert found.to == "ibt@groningen.nl"

    nothing = dataclasses.replace(mun, email=None, ibt_email=None)
    missing = mail_recipients(nothing, config)
    assert missing == MissingAddress("GM0014", "Groningen", "Groningen", college=True, cdk=False)
    assert missing.missing == ("college",)

    provinces = dict(config.provinces)
    provinces["Groningen"] = dataclasses.replace(provinces["Groningen"], cdk_email=None)
    no_cdk = dataclasses.replace(config, provinces=provinces)
    both = mail_recipients(nothing, no_cdk)
    assert isinstance(both, MissingAddress)
    assert both.missing == ("college", "cdk")
    assert "ibtpost import addresses and ibtpost import cdk" in both.hint

    context = dataclasses.replace(letter(config, "GM0014"), municipality=nothing)
    with pytest.raises(MissingAddressError) as info:
        compose_mail(context, PDF, "7500001-groningen.pdf", config)
    assert info.value.missing.missing == ("college",)
    assert "no e-mail address of the college of Groningen (GM0014)" in str(info.value)


def test_test_recipient_redirects(config: Config) -> None:
    """In test mode To is the test address, no Cc, the real ones in X-Ibtpost-Original-*."""
    mail = compose_mail(
        letter(config, "GM1900"),
        PDF,
        "7500001-sudwest-fryslan.pdf",
        config,
        test_recipient="test@ibt.example",
    )
    msg = parsed(mail)
    assert mail.test
    assert mail.envelope_recipients == ("test@ibt.example",)
    assert msg["To"] == "test@ibt.example"
    assert msg["Cc"] is None
    assert msg[ORIGINAL_TO] == "info@gemeentesudwestfryslan.nl"
    assert msg[ORIGINAL_CC] == "cdk@fryslan.example"
    # a test mail is never taken for the real one
    assert mail.message_id == "<ibtpost.7500001.test@minjenv.nl>"


def test_sample_detection(config: Config) -> None:
    """Sample figures or an address on a reserved example domain mark the mail as sample."""
    vlaardingen = letter(config, "GM0622")  # real figures, sample college and CdK addresses
    assert not vlaardingen.figures.sample
    assert compose_mail(vlaardingen, PDF, "7500001-vlaardingen.pdf", config).sample

    limburg = letter(config, "GM0917")  # Heerlen: real addresses, sample figures
    assert limburg.figures.sample
    mail = compose_mail(limburg, PDF, "7500001-heerlen.pdf", config)
    assert not mail.recipients.sample
    assert mail.sample

    real = dataclasses.replace(limburg, figures=vlaardingen.figures, marks=())
    mail = compose_mail(real, PDF, "7500001-heerlen.pdf", config)
    assert not mail.sample
    redirected = compose_mail(
        real, PDF, "7500001-heerlen.pdf", config, test_recipient="t@ibt.example"
    )
    assert redirected.sample  # the test address itself is on an example domain


def test_templates_compiled_once_with_placeholders(config: Config) -> None:
    """The shipped MJML keeps its placeholders when compiled, so it is compiled only once."""
    templates = load_mail_templates(REPO)
    assert templates.precompiled
    assert load_mail_templates(REPO) is templates


def test_template_that_mjml_changes_is_rendered_first(root: Path, config: Config) -> None:
    """A placeholder MJML would alter (inside an attribute it rewrites) still renders right."""
    path = root / "templates" / "mail.mjml"
    text = path.read_text(encoding="utf-8").replace(
        '<mj-divider border-width="1px"', "<mj-divider border-width=\"{{ '1px' }}\""
    )
    path.write_text(text, encoding="utf-8")
    templates = load_mail_templates(root)
    mail = compose_mail(
        letter(config, "GM0014"), PDF, "7500001-groningen.pdf", config, templates=templates
    )
    html = part(parsed(mail), "html")
    assert "{{" not in html
    assert "onze referentie 7500001" in html


def test_unknown_placeholder_in_template(root: Path, config: Config) -> None:
    """A misspelt name in a mail template is an error naming the template."""
    from ibtpost.core.errors import TemplateError

    path = root / "templates" / "mail.txt"
    path.write_text(path.read_text(encoding="utf-8") + "{{ referentie }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="referentie") as info:
        compose_mail(
            letter(config, "GM0014"),
            PDF,
            "7500001-groningen.pdf",
            config,
            templates=load_mail_templates(root),
        )
    assert str(info.value).startswith("templates/mail.txt")
