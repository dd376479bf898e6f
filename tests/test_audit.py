"""The audit trail: hash chain, tamper detection, triggers, wiring and CLI (real SQLite)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import Result

from ibtpost.data.config import load_config
from ibtpost.register import LetterKey, Register, audit
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.register import references as reference_register
from ibtpost.register.schema import MIGRATIONS

COLUMNS = ("at", "kind", "reference", "batch", "data", "prev_hash", "hash")


def _events(register: Register) -> list[audit.Event]:
    """Five events of different kinds, as the code records them."""
    made = [
        audit.record(
            register,
            audit.IMPORT_FIGURES,
            data={"file": "cijfers.xlsx", "sha256": "a" * 64, "rows": 3, "changed": 2},
        ),
        audit.record(
            register,
            audit.LETTER_GENERATED,
            reference="7500003",
            batch="trede-2-2026-04-09-e84ee3",
            data={"letter": "trede-2", "municipality": "GM0622", "reason": None, "sample": False},
        ),
        audit.record(
            register,
            audit.LETTER_GENERATED,
            reference="7500004",
            batch="trede-2-2026-04-09-e84ee3",
            data={"letter": "trede-2", "municipality": "GM1900", "reason": "Súdwest-Fryslân"},
        ),
        audit.record(
            register,
            audit.BATCH_COMPLETED,
            batch="trede-2-2026-04-09-e84ee3",
            data={"letters": 2, "converted": 2},
        ),
        audit.record(
            register,
            audit.LETTER_POSTED,
            reference="7500003",
            batch="trede-2-2026-04-09-e84ee3",
            data={"municipality": "GM0622", "via": "post", "date": "2026-04-10"},
        ),
    ]
    return made


def _raw(path: Path) -> sqlite3.Connection:
    """A plain connection as an attacker would open it, triggers dropped."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.execute("DROP TRIGGER IF EXISTS events_no_delete")
    return db


def _flip(text: str, position: int) -> str:
    """``text`` with the character at ``position`` changed to another ASCII character."""
    old = text[position]
    new = chr(ord(old) ^ 1) if ord(old) < 128 and old not in "\x00\x01" else "x"
    if new == old:
        new = "y"
    return text[:position] + new + text[position + 1 :]


def _verify(path: Path) -> audit.VerifyResult:
    with Register(path) as register:
        return audit.verify(register)


def test_a_chain_of_events_verifies_and_follows_the_documented_formula(tmp_path: Path) -> None:
    """Every hash is sha256(prev_hash + canonical JSON of the event); the chain verifies."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        made = _events(register)
        result = audit.verify(register)
        stored = list(audit.events(register))
    assert result.ok
    assert str(result) == "5 events, chain intact"
    assert stored == made
    assert [e.seq for e in made] == [1, 2, 3, 4, 5]
    prev = "0" * 64
    for event in made:
        body = json.dumps(
            {
                "seq": event.seq,
                "at": event.at,
                "kind": event.kind,
                "reference": event.reference,
                "batch": event.batch,
                "data": event.data,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert event.prev_hash == prev
        assert event.hash == hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        prev = event.hash
    assert result.last_hash == prev


def test_an_empty_register_verifies(tmp_path: Path) -> None:
    """No events is an intact chain of length zero."""
    result = _verify(tmp_path / "r.sqlite")
    assert (result.ok, result.count, str(result)) == (True, 0, "0 events, chain intact")


def test_the_triggers_refuse_update_and_delete(tmp_path: Path) -> None:
    """Ordinary code cannot change or remove an event."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        _events(register)
        with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE refused"):
            register.db.execute("UPDATE events SET kind='x' WHERE seq=2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE refused"):
            register.db.execute("DELETE FROM events WHERE seq=5")
        assert audit.verify(register).count == 5


def test_an_event_rolls_back_with_its_transaction(tmp_path: Path) -> None:
    """record() joins the caller's transaction: a failed state change leaves no event."""
    with Register(tmp_path / "r.sqlite") as register:

        def close_and_fail() -> None:
            with register.transaction():
                audit.record(register, audit.CASE_CLOSED, data={"municipality": "GM0622"})
                raise RuntimeError

        with pytest.raises(RuntimeError):
            close_and_fail()
        assert list(audit.events(register)) == []
        with pytest.raises(ValueError, match="unknown audit event kind"):
            audit.record(register, "letter.shredded", data={})


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("seq", [1, 2, 3, 4, 5])
def test_one_changed_byte_in_any_column_names_that_event(
    tmp_path: Path, column: str, seq: int
) -> None:
    """Changing one character of any column of any event makes verify name that event."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        _events(register)
    db = _raw(path)
    (value,) = db.execute(f"SELECT {column} FROM events WHERE seq=?", (seq,)).fetchone()  # noqa: S608
    changed = "x" if value is None else _flip(value, len(value) // 2)
    db.execute(f"UPDATE events SET {column}=? WHERE seq=?", (changed, seq))  # noqa: S608
    db.close()
    result = _verify(path)
    assert not result.ok
    assert result.seq == seq
    expected = "chain broken" if column == "prev_hash" else "content changed"
    assert expected in (result.problem or "")


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_changed_seq_is_found(tmp_path: Path, seq: int) -> None:
    """Renumbering an event leaves a gap (or a bad first number) that verify names."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        _events(register)
    db = _raw(path)
    new = {1: 0, 3: 13, 5: 9}[seq]
    db.execute("UPDATE events SET seq=? WHERE seq=?", (new, seq))
    db.close()
    result = _verify(path)
    assert not result.ok
    if seq == 1:
        assert (result.seq, result.problem) == (0, "out of sequence (expected 1)")
    elif seq == 3:
        assert (result.seq, result.problem) == (4, "event 3 missing before it")
    else:
        assert (result.seq, result.problem) == (9, "events 5 to 8 missing before it")


def test_a_deleted_event_is_named_by_the_gap(tmp_path: Path) -> None:
    """Deleting an event (triggers dropped) is found at the first event after the gap."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        _events(register)
    db = _raw(path)
    db.execute("DELETE FROM events WHERE seq IN (2, 3)")
    db.close()
    result = _verify(path)
    assert (result.seq, result.kind, result.problem) == (
        4,
        "batch.completed",
        "events 2 to 3 missing before it",
    )
    assert str(result) == (
        "audit event 4 (batch.completed, trede-2-2026-04-09-e84ee3): "
        "events 2 to 3 missing before it"
    )


def test_a_cut_off_tail_shows_only_in_the_last_hash(tmp_path: Path) -> None:
    """Removing the last events leaves a valid, shorter chain: the last hash differs."""
    path = tmp_path / "r.sqlite"
    with Register(path) as register:
        _events(register)
    before = _verify(path)
    db = _raw(path)
    db.execute("DELETE FROM events WHERE seq=5")
    db.close()
    after = _verify(path)
    assert after.ok and after.count == 4
    assert after.last_hash != before.last_hash


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_value = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), _text)
_event = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(audit.KINDS),
        "reference": st.one_of(st.none(), st.from_regex(r"\A[0-9]{1,12}\Z")),
        "batch": st.one_of(st.none(), _text),
        "data": st.dictionaries(st.text(min_size=1, max_size=8), _value, max_size=4),
    }
)


@dataclass(frozen=True)
class _Tamper:
    delete: bool
    index: int  # which event (0-based, modulo the count)
    column: str
    position: int  # which ASCII byte of the column (modulo their count)


_tamper = st.builds(
    _Tamper,
    delete=st.booleans(),
    index=st.integers(0, 10**6),
    column=st.sampled_from(COLUMNS),
    position=st.integers(0, 10**6),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_event, min_size=2, max_size=12), _tamper)
def test_any_single_tamper_is_found_at_its_event(
    made: list[dict[str, Any]], tamper: _Tamper
) -> None:
    """A random chain, one random byte changed (or one event deleted): verify names exactly
    the changed event, or the first event after the deleted one."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.sqlite"
        with Register(path) as register:
            for item in made:
                audit.record(register, item.pop("kind"), **item)
            assert audit.verify(register).ok
        db = _raw(path)
        if tamper.delete:
            seq = 1 + tamper.index % (len(made) - 1)  # not the last: see the test above
            db.execute("DELETE FROM events WHERE seq=?", (seq,))
            expected = seq + 1
        else:
            expected = 1 + tamper.index % len(made)
            (value,) = db.execute(
                f"SELECT {tamper.column} FROM events WHERE seq=?",  # noqa: S608
                (expected,),
            ).fetchone()
            if value is None:
                changed = "0"
            else:
                ascii_positions = [i for i, c in enumerate(value) if ord(c) < 128]
                if not ascii_positions:
                    changed = value + "x"
                else:
                    position = ascii_positions[tamper.position % len(ascii_positions)]
                    changed = _flip(value, position)
            db.execute(
                f"UPDATE events SET {tamper.column}=? WHERE seq=?",  # noqa: S608
                (changed, expected),
            )
        db.close()
        result = _verify(path)
    assert not result.ok
    assert result.seq == expected


def test_a_register_of_schema_2_gains_the_events_table(tmp_path: Path) -> None:
    """An existing register of schema 2 is migrated to the current schema, events included."""
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Register(path) as register:
        assert register.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        triggers = register.db.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger' ORDER BY name"
        ).fetchall()
        assert triggers == [("events_no_delete",), ("events_no_update",)]
        assert audit.record(register, audit.APPROVAL, data={}).seq == 1


def test_sending_the_afsluiting_closes_the_case_and_records_it(root: Path) -> None:
    """The case closes when its afsluiting is sent (not before, and not silently), with its
    event; a herstel sent in the same case leaves it open."""
    config = load_config(root)
    code = next(c for c, f in config.figures.items() if f.meets_task)
    series = config.settings.references
    with Register.for_root(root) as register:
        register.db.execute(
            "INSERT INTO cases (municipality, opened_on) VALUES (?, '2026-01-05')", (code,)
        )
        made = {}
        for kind, day in (("herstel", date(2026, 5, 1)), ("afsluiting", date(2026, 6, 1))):
            key = LetterKey(kind, code, day)
            made[kind] = reference_register.reference_for(register, key, series)
            letter_register.mark_kind(register, made[kind], kind, None)
        case_register.mark_sent(register, made["herstel"], "post", date(2026, 5, 2))
        assert code in case_register.open_cases(register)
        assert list(audit.events(register)) == []
        case_register.mark_sent(register, made["afsluiting"], "post", date(2026, 6, 2))
        assert code not in case_register.open_cases(register)
        (event,) = audit.events(register)
        assert audit.verify(register).ok
    assert (event.kind, event.reference) == ("case.closed", made["afsluiting"])
    assert event.data == {
        "municipality": code,
        "case": 1,
        "date": "2026-06-02",
        "why": f"afsluiting {made['afsluiting']}",
    }


def test_an_import_records_the_file(root: Path, cli: Callable[..., Result]) -> None:
    """A successful import records the file's name and hash; a failed one records nothing."""
    good = root / "colleges.csv"
    good.write_text("gemeentecode,email\nGM0622,ibt@vlaardingen.nl\n", "utf-8")
    bad = root / "bad.csv"
    bad.write_text("gemeentecode,email\nGM9999,nobody\n", "utf-8")
    assert cli(root, "import", "addresses", str(bad)).code == 2
    assert cli(root, "import", "addresses", str(good)).code == 0
    with Register.for_root(root) as register:
        (event,) = audit.events(register)
    assert event.kind == "import.addresses"
    assert event.data == {
        "file": "colleges.csv",
        "sha256": hashlib.sha256(good.read_bytes()).hexdigest(),
        "rows": 1,
        "changed": 1,
        "target": "config/college-addresses.csv",
    }


def _tampered_register(root: Path) -> None:
    path = root / "outbox" / "register.sqlite"
    with Register(path) as register:
        _events(register)
    db = _raw(path)
    db.execute("UPDATE events SET data=replace(data, 'GM0622', 'GM0623') WHERE seq=2")
    db.close()


def test_cli_verify(root: Path, cli: Callable[..., Result]) -> None:
    """verify: exit 0 and the count, or exit 1 and one line naming the first broken event."""
    with Register.for_root(root) as register:
        _events(register)
        last = audit.verify(register).last_hash
    ok = cli(root, "audit", "verify")
    assert (ok.code, ok.out) == (0, "5 events, chain intact\n")
    assert last in ok.err

    _tampered_register(root)
    broken = cli(root, "audit", "verify")
    assert broken.code == 1
    assert broken.out == ""
    assert broken.err == "error: audit event 2 (letter.generated, 7500003): content changed\n"


def test_cli_show_and_export(root: Path, cli: Callable[..., Result]) -> None:
    """show lists events as a table (filtered); export prints JSON Lines that verify alone."""
    with Register.for_root(root) as register:
        made = _events(register)
    shown = cli(root, "audit", "show")
    assert shown.code == 0
    for kind in ("import.figures", "letter.generated", "batch.completed", "letter.posted"):
        assert kind in shown.out
    assert "5 event(s)" in shown.out
    only = cli(root, "audit", "show", "--reference", "7500003")
    assert "7500004" not in only.out and "2 event(s)" in only.out
    bad = cli(root, "audit", "show", "--reference", "abc")
    assert bad.code == 2

    exported = cli(root, "audit", "export")
    assert exported.code == 0
    lines = [json.loads(line) for line in exported.out.splitlines()]
    assert lines == [e.as_json() for e in made]
    prev = "0" * 64
    for line in lines:  # the chain checked from the export alone
        body = {k: line[k] for k in ("seq", "at", "kind", "reference", "batch", "data")}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line["prev_hash"] == prev
        assert hashlib.sha256((prev + text).encode()).hexdigest() == line["hash"]
        prev = line["hash"]
    batch = cli(root, "audit", "export", "--batch", "trede-2-2026-04-09-e84ee3")
    assert len(batch.out.splitlines()) == 4


@pytest.mark.libreoffice
def test_a_batch_records_each_letter_once_and_its_completion(
    root: Path, cli: Callable[..., Result]
) -> None:
    """letter.generated per letter and batch.completed; a re-run that changes nothing adds
    no event; posting records letter.posted; the chain stays intact."""
    codes = ("GM0622", "GM0363")
    args = ["batch", "trede-2", "--date", "2026-04-09", "-m", codes[0], "-m", codes[1]]
    first = cli(root, *args)
    assert first.code == 0, first.err
    folder = Path(first.out.strip().splitlines()[-1])
    rows = json.loads((folder / "manifest.json").read_text("utf-8"))["letters"]
    again = cli(root, *args)
    assert again.code == 0, again.err
    assert "(0 converted, 2 unchanged)" in again.err
    assert cli(root, "post", folder.name, "--date", "2026-04-10").code == 0

    with Register.for_root(root) as register:
        found = list(audit.events(register))
        assert audit.verify(register).ok
    kinds = [e.kind for e in found]
    assert kinds == [
        "letter.generated",
        "letter.generated",
        "batch.completed",
        "letter.posted",
        "letter.posted",
    ]
    generated = {e.reference: e for e in found if e.kind == "letter.generated"}
    assert set(generated) == {r["reference"] for r in rows}
    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    for row in rows:
        event = generated[row["reference"]]
        assert event.batch == folder.name
        data = event.data
        assert (data["municipality"], data["letter"], data["trede"], data["date"]) == (
            row["municipality"],
            "trede-2",
            2,
            "2026-04-09",
        )
        assert data["docx_sha256"] == sha(folder / row["docx"])
        assert data["pdf_sha256"] == sha(folder / row["pdf"])
        assert data["definition_sha256"] == sha(root / "letters" / "trede-2.yaml")
        assert data["template_sha256"] == sha(root / "templates" / "brief.docx")
        assert len(data["data_sha256"]) == 64
        assert data["concept"] is False
        assert data["sample"] is (row["municipality"] != "GM0622")
    data_hashes = {e.data["data_sha256"] for e in generated.values()}
    assert len(data_hashes) == 2
    completed = [e for e in found if e.kind == "batch.completed"]
    assert [(e.data["letters"], e.data["converted"]) for e in completed] == [(2, 2)]
    assert completed[0].data["print_sha256"] == sha(folder / "print.pdf")
    assert completed[0].data["manifest_sha256"] == sha(folder / "manifest.json")


def test_the_audit_page_reads_only_the_events_it_shows(tmp_path: Path) -> None:
    """``latest_events``: the last N events that match each filter, in order, and how many
    match in all; the filters run in SQL, so the page never reads the whole trail."""
    with Register(tmp_path / "r.sqlite") as register:
        for n in range(12):
            audit.record(
                register,
                audit.LETTER_GENERATED if n % 3 else audit.BATCH_COMPLETED,
                reference=f"75000{n:02d}",
                batch="b1" if n < 6 else "b2",
                data={"n": n},
            )
        everything = list(audit.events(register))
        found, total = audit.latest_events(register, limit=4)
        assert (total, [e.seq for e in found]) == (12, [e.seq for e in everything[-4:]])
        found, total = audit.latest_events(register, kind=audit.BATCH_COMPLETED, batch="b2")
        assert total == 2 and [e.data["n"] for e in found] == [6, 9]
        found, total = audit.latest_events(register, reference="7500005")
        assert total == 1 and found[0].data["n"] == 5
        day = everything[0].at[:10]
        assert audit.latest_events(register, day=day)[1] == 12
        assert audit.latest_events(register, day="1999-01-01") == ([], 0)
        statements: list[str] = []
        register.db.set_trace_callback(statements.append)
        audit.latest_events(register, kind=audit.BATCH_COMPLETED, limit=1)
        register.db.set_trace_callback(None)
        assert any("LIMIT" in s and "kind = " in s for s in statements), statements
