"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives and can
misbehave on purpose: 421 at connect, 451 on DATA, a connection dropped during DATA, 550
for chosen recipients, a delay before each reply to DATA."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    """One accepted message."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data, policy=default)


@dataclass
class Recorder:
    """The handler: records accepted messages; the counters make it misbehave."""

    refuse_connections: int = 0  # the next N connections get 421 and are closed
    fail_data: int = 0  # the next N DATA commands get 451
    drop_data: int = 0  # the next N DATA commands lose the connection, no reply
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply
    delay: float = 0.0  # seconds before each DATA reply (a slow server)
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.drop_data:
                self.drop_data -= 1
                if server.transport is not None:
                    server.transport.abort()
                return "421 dropped"  # never reaches the client
            if self.fail_data:
                self.fail_data -= 1
                return "451 4.3.0 try again later"
            data = envelope.original_content or b""
            self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), data))
        return "250 2.0.0 accepted"


class _Server(SMTP):
    async def _handle_client(self) -> None:
        recorder: Recorder = self.event_handler
        with recorder.lock:
            recorder.connections += 1
            refuse = recorder.refuse_connections > 0
            if refuse:
                recorder.refuse_connections -= 1
        if refuse:
            await self.push("421 4.3.2 service not available, closing")
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer(Controller):
    """aiosmtpd on 127.0.0.1, on a free port."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder, hostname="127.0.0.1", port=_free_port())
        self.recorder = recorder

    def factory(self) -> SMTP:
        return _Server(self.handler, hostname="ibtpost-test")

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
