"""Composing ahead in a child process: order, errors at their item, and clean stops."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable

import pytest

from ibtpost.ahead import _compose_all, compose_ahead
from ibtpost.errors import DataError, Location, RegisterError


def collect(make: Callable[[int], object], items: list[int], into: list[object]) -> None:
    async def run() -> None:
        async with contextlib.aclosing(compose_ahead(make, items)) as results:
            async for result in results:
                into.append(result)

    asyncio.run(run())


def square_in_child(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def test_results_in_order_made_in_another_process() -> None:
    out: list[object] = []
    collect(square_in_child, [1, 2, 3, 4], out)
    assert [r[0] for r in out] == [1, 4, 9, 16]  # type: ignore[index]
    pids = {r[1] for r in out}  # type: ignore[index]
    assert len(pids) == 1 and os.getpid() not in pids
    assert multiprocessing.active_children() == []


def test_an_error_is_raised_at_its_item_with_its_location() -> None:
    def make(item: int) -> int:
        if item == 3:
            raise DataError("no figures", Location("config/figures.csv", 7, "code"))
        return item

    out: list[object] = []
    with pytest.raises(DataError, match="no figures") as raised:
        collect(make, [1, 2, 3, 4], out)
    assert out == [1, 2]
    assert raised.value.location == Location("config/figures.csv", 7, "code")
    assert multiprocessing.active_children() == []


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def test_an_error_that_cannot_travel_keeps_its_message() -> None:
    def make(item: int) -> int:
        raise Unpicklable("kapot", "stuk")

    with pytest.raises(RegisterError, match="Unpicklable: kapot stuk"):
        collect(make, [1], [])


def test_a_child_that_dies_is_reported() -> None:
    def make(item: int) -> int:
        if item == 2:
            os._exit(3)
        return item

    out: list[object] = []
    with pytest.raises(RegisterError, match=r"stopped \(exit code 3\)"):
        collect(make, [1, 2, 3], out)
    assert out == [1]


def test_stopping_early_stops_the_child() -> None:
    """The caller takes one result of many and leaves: the child is gone at once."""

    async def run() -> int:
        async with contextlib.aclosing(compose_ahead(square_in_child, list(range(10**6)))) as it:
            async for first in it:
                return first[0]
        return -1

    assert asyncio.run(run()) == 0
    assert multiprocessing.active_children() == []


def test_nothing_to_make_starts_nothing() -> None:
    out: list[object] = []
    collect(square_in_child, [], out)
    assert out == []


def test_the_child_stops_when_its_reader_is_gone() -> None:
    """A parent that dies leaves no composer behind: with no reader left, its next send
    fails and it ends (here the reading end is closed by hand, as death would)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_compose_all, args=(lambda i: b"x" * 100_000, range(100), sender, receiver)
    )
    child.start()
    sender.close()
    receiver.recv()  # one message arrives
    receiver.close()
    child.join(10)
    assert child.exitcode == 0
