"""Where a letter's e-mail goes: a file in the batch folder, or an SMTP server.

The file transport is the default: each message becomes ``<reference>.eml`` under the
batch's ``mail/`` folder and nothing leaves the machine. SMTP is used only when
``IBTPOST_SMTP_URL`` is set:

- ``smtp://host:port``: plain SMTP, allowed only to a loopback address;
- ``smtp+starttls://host:port``: STARTTLS with certificate verification;
- ``smtps://host:port``: TLS from the start, with certificate verification.

``IBTPOST_SMTP_USER`` and ``IBTPOST_SMTP_PASSWORD`` come from the environment, never
from files. One connection is kept for a whole run and re-opened when the server drops
it. The envelope is sent step by step (MAIL, RCPT per recipient, DATA), so a college
address the server refuses ends that letter before anyone, the copy included, receives
it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from ibtpost.core.errors import Location, UsageError
from ibtpost.core.files import write_atomic
from ibtpost.core.layout import BatchLayout

URL_VARIABLE = "IBTPOST_SMTP_URL"
USER_VARIABLE = "IBTPOST_SMTP_USER"
PASSWORD_VARIABLE = "IBTPOST_SMTP_PASSWORD"


class Verdict(StrEnum):
    """What the transport says of one message: taken, to be tried again, or refused."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Envelope:
    """Who the server is asked to deliver to: the college first, then the copies."""

    sender: str
    college: str
    copies: tuple[str, ...]


@dataclass(frozen=True)
class Outgoing:
    """One message ready for a transport: its bytes (CRLF, as sent) and where it goes."""

    reference: str
    data: bytes
    envelope: Envelope
    folder: Path  # the batch folder


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to, with the server's reply (or the file written)."""

    verdict: Verdict
    reply: str


class Transport(Protocol):
    """Something that delivers one message per call."""

    name: str
    live: bool  # True when messages leave the machine

    async def deliver(self, outgoing: Outgoing) -> Outcome:
        """Deliver one message."""

    async def close(self) -> None:
        """Release the connection, if any."""


class FileTransport:
    """Writes each message as an .eml file into the batch folder (nothing is sent)."""

    name = "file"
    live = False

    async def deliver(self, outgoing: Outgoing) -> Outcome:
        """Write ``mail/<reference>.eml`` atomically."""
        path = BatchLayout(outgoing.folder).eml(outgoing.reference)
        write_atomic(path, outgoing.data)
        return Outcome(Verdict.SENT, f"written to {path.relative_to(outgoing.folder.parent)}")

    async def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class SmtpSettings:
    """A parsed IBTPOST_SMTP_URL with the credentials from the environment."""

    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    timeout: float = 30.0


def smtp_settings(url: str, user: str | None, password: str | None) -> SmtpSettings:
    """Parse and check ``url``; plain SMTP is refused for any host that is not loopback."""
    where = Location(None, None, URL_VARIABLE)
    parts = urlsplit(url)
    defaults = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
    if parts.scheme not in defaults or not parts.hostname:
        raise UsageError(
            f"{url!r} is not an smtp://, smtp+starttls:// or smtps:// URL with a host", where
        )
    if parts.username or parts.password:
        raise UsageError(
            "credentials do not belong in the URL",
            where,
            hint=f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} instead",
        )
    if parts.scheme == "smtp" and not _is_loopback(parts.hostname):
        raise UsageError(
            f"plain SMTP to {parts.hostname} is refused: TLS is required off this machine",
            where,
            hint="use smtp+starttls:// or smtps://",
        )
    return SmtpSettings(
        parts.scheme,
        unquote(parts.hostname),
        parts.port or defaults[parts.scheme],
        user,
        password,
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host != "localhost":
        return False
    addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


class SmtpTransport:
    """Delivers over one reused SMTP connection (aiosmtplib)."""

    name = "smtp"
    live = True

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        # one TLS context for every connection (building one per connection costs ~40 ms)
        self.tls = ssl.create_default_context() if settings.scheme != "smtp" else None
        self.client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout,
            use_tls=s.scheme == "smtps",
            start_tls=s.scheme == "smtp+starttls",
            tls_context=self.tls,
        )
        await client.connect()
        if s.user is not None:
            await client.login(s.user, s.password or "")
        self.client = client
        return client

    async def deliver(self, outgoing: Outgoing) -> Outcome:
        """One attempt: 2xx sent, 4xx/timeouts/dropped connections retry, 5xx failed."""
        envelope = outgoing.envelope
        try:
            client = await self._connect()
            await client.mail(envelope.sender)
            try:
                await client.rcpt(envelope.college)
            except aiosmtplib.SMTPRecipientRefused as exc:
                await client.rset()
                return _verdict(exc.code, f"college {envelope.college}: {exc.message}")
            for copy in envelope.copies:
                try:
                    await client.rcpt(copy)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    await client.rset()
                    return _verdict(exc.code, f"copy {copy}: {exc.message}")
            response = await client.data(outgoing.data)
            return Outcome(Verdict.SENT, f"{response.code} {response.message}")
        except aiosmtplib.SMTPResponseException as exc:
            await self._drop()
            return _verdict(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop()
            return Outcome(Verdict.RETRY, f"{type(exc).__name__}: {exc}")

    async def _drop(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            with contextlib.suppress(Exception):  # the connection is gone either way
                client.close()

    async def close(self) -> None:
        """QUIT, or just close when the server is already gone."""
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                await self._drop()
        self.client = None


def _verdict(code: int, message: str) -> Outcome:
    reply = f"{code} {message}".strip()
    if 400 <= code < 500:
        return Outcome(Verdict.RETRY, reply)
    return Outcome(Verdict.FAILED, reply)
