"""Compose the e-mails ahead of the sending loop, in a child process.

Composing a message (its headers, both text parts, the PDF in base64) takes about as
much CPU as handing it to an SMTP server. In a thread of the sending process it would
hold the GIL whenever the event loop wakes up for the server's next reply, and the
dialogue would wait for it. A forked child composes the messages in order and passes
each one back through a pipe; the pipe's buffer keeps it about one message ahead of the
sender.

The child is forked, not spawned: it inherits everything the composer has loaded
(configuration, templates, the register's rows) and starts in milliseconds. It never
touches the parent's register connection or event loop, and leaves with ``os._exit``
(multiprocessing's fork start), so nothing of the parent's is finalised twice. When the
sender stops early, or dies, the child is terminated or finds the pipe closed.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ibtpost.errors import RegisterError

Item = TypeVar("Item")
Result = TypeVar("Result")


async def compose_ahead(
    make: Callable[[Item], Result], items: Sequence[Item]
) -> AsyncGenerator[Result, None]:
    """``make(item)`` for every item, in order, computed in a forked child process.

    An exception raised by ``make`` is raised here, at the item that caused it. Use with
    :func:`contextlib.aclosing` so the child is stopped when the caller stops early.
    """
    if not items:
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_compose_all,
        args=(make, items, sender, receiver),
        name="ibtpost-compose",
        daemon=True,
    )
    child.start()
    sender.close()
    # A blocking recv in a thread: it waits in the read system call, without the GIL.
    reader = ThreadPoolExecutor(1, thread_name_prefix="ibtpost-receive")
    loop = asyncio.get_running_loop()
    try:
        for _ in items:
            try:
                kind, value = await loop.run_in_executor(reader, receiver.recv)
            except EOFError:
                child.join(5)
                raise RegisterError(
                    f"the process composing the e-mails stopped (exit code {child.exitcode})",
                    hint="run the same command again: a letter already sent is not sent twice",
                ) from None
            if kind == "error":
                raise value
            yield value
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        reader.shutdown(wait=True)
        receiver.close()


def _compose_all(
    make: Callable[[Any], Any], items: Sequence[Any], sender: Connection, receiver: Connection
) -> None:
    """In the child: make and send each item; stop at the first error or a closed pipe.

    The child's copy of the reading end is closed first: when the parent dies, the pipe
    has no reader left, and the next send fails instead of waiting forever."""
    receiver.close()
    try:
        for item in items:
            try:
                result: tuple[str, Any] = ("ok", make(item))
            except Exception as exc:  # handed to the parent, raised there
                sender.send(("error", _portable(exc)))
                return
            sender.send(result)
    except (BrokenPipeError, ConnectionResetError):
        return  # the sending process stopped
    finally:
        sender.close()


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else an error with its message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own object, in memory
    except Exception:  # any pickling problem
        return RegisterError(f"{type(exc).__name__}: {exc}")
    return exc
