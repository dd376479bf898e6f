"""The register's schema: numbered migrations, applied in order (``PRAGMA user_version``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

MIGRATIONS: list[str] = [
    # 1: references
    """
    CREATE TABLE letters (
        reference     TEXT PRIMARY KEY,
        letter        TEXT NOT NULL,
        municipality  TEXT NOT NULL,
        letter_date   TEXT NOT NULL,
        allocated_at  TEXT NOT NULL,
        UNIQUE (letter, municipality, letter_date)
    );
    CREATE TABLE series (
        name  TEXT PRIMARY KEY,
        next  INTEGER NOT NULL
    );
    """,
    # 2: batches, files per letter, dispatch state, supervision cases
    """
    CREATE TABLE batches (
        id            TEXT PRIMARY KEY,
        letter        TEXT NOT NULL,
        letter_date   TEXT NOT NULL,
        concept       INTEGER NOT NULL,
        reason        TEXT,
        created_at    TEXT NOT NULL,
        completed_at  TEXT
    );
    ALTER TABLE letters ADD COLUMN batch TEXT REFERENCES batches(id);
    ALTER TABLE letters ADD COLUMN trede INTEGER;
    ALTER TABLE letters ADD COLUMN concept INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE letters ADD COLUMN term_deadline TEXT;
    ALTER TABLE letters ADD COLUMN reason TEXT;
    ALTER TABLE letters ADD COLUMN docx_sha256 TEXT;
    ALTER TABLE letters ADD COLUMN pdf_sha256 TEXT;
    ALTER TABLE letters ADD COLUMN pages INTEGER;
    ALTER TABLE letters ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE letters ADD COLUMN sent_on TEXT;
    ALTER TABLE letters ADD COLUMN sent_via TEXT;
    ALTER TABLE letters ADD COLUMN case_id INTEGER REFERENCES cases(id);
    CREATE INDEX letters_batch ON letters (batch);
    CREATE TABLE cases (
        id            INTEGER PRIMARY KEY,
        municipality  TEXT NOT NULL,
        opened_on     TEXT NOT NULL,
        closed_on     TEXT,
        closed_why    TEXT
    );
    CREATE UNIQUE INDEX one_open_case ON cases (municipality) WHERE closed_on IS NULL;
    """,
    # 3: the audit trail (append-only, hash-chained; see audit.py)
    """
    CREATE TABLE events (
        seq        INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        kind       TEXT NOT NULL,
        reference  TEXT,
        batch      TEXT,
        data       TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    );
    CREATE INDEX events_reference ON events (reference);
    CREATE INDEX events_batch ON events (batch);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused');
    END;
    """,
    # 4: the dispatch queue
    """
    CREATE TABLE dispatch (
        reference   TEXT PRIMARY KEY REFERENCES letters(reference),
        batch       TEXT NOT NULL REFERENCES batches(id),
        state       TEXT NOT NULL,
        only_file   TEXT,
        college     TEXT,
        copies      TEXT,
        message_id  TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        transport   TEXT,
        reply       TEXT,
        queued_at   TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX dispatch_batch_state ON dispatch (batch, state);
    """,
    # 5: letter versions and their texts (see review.py); the version a batch was made from
    """
    CREATE TABLE versions (
        letter      TEXT NOT NULL,
        version     TEXT NOT NULL,
        files       TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        PRIMARY KEY (letter, version)
    );
    CREATE TABLE texts (
        sha256  TEXT PRIMARY KEY,
        kind    TEXT NOT NULL,
        text    TEXT NOT NULL
    );
    ALTER TABLE batches ADD COLUMN version TEXT;
    """,
    # 6: the frozen message of a queued letter (envelope sender, spool file and its hash)
    # and the send run that holds a letter while it is being sent
    """
    ALTER TABLE dispatch ADD COLUMN sender TEXT;
    ALTER TABLE dispatch ADD COLUMN message_sha256 TEXT;
    ALTER TABLE dispatch ADD COLUMN spool TEXT;
    ALTER TABLE dispatch ADD COLUMN run TEXT;
    """,
    # 7: replies and zienswijzen of colleges on letters (see register/replies.py)
    """
    CREATE TABLE replies (
        id           INTEGER PRIMARY KEY,
        reference    TEXT NOT NULL REFERENCES letters(reference),
        kind         TEXT NOT NULL,
        received     TEXT NOT NULL,
        file         TEXT,
        sha256       TEXT,
        note         TEXT,
        recorded_at  TEXT NOT NULL
    );
    CREATE INDEX replies_reference ON replies (reference);
    """,
    # 8: letters that go by post as well as by e-mail (delivery: mail and post)
    """
    ALTER TABLE dispatch ADD COLUMN post_too INTEGER NOT NULL DEFAULT 0;
    """,
    # 9: a queue entry per letter and recipient role: the letter to the college (role
    # 'college', Cc the CdK) and each copy of it with a mail of its own (raad, gs)
    """
    CREATE TABLE dispatch_roles (
        reference       TEXT NOT NULL REFERENCES letters(reference),
        role            TEXT NOT NULL DEFAULT 'college',
        batch           TEXT NOT NULL REFERENCES batches(id),
        state           TEXT NOT NULL,
        only_file       TEXT,
        college         TEXT,
        copies          TEXT,
        message_id      TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        transport       TEXT,
        reply           TEXT,
        queued_at       TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        sent_at         TEXT,
        sender          TEXT,
        message_sha256  TEXT,
        spool           TEXT,
        run             TEXT,
        post_too        INTEGER NOT NULL DEFAULT 0,
        addressee       TEXT,
        PRIMARY KEY (reference, role)
    );
    INSERT INTO dispatch_roles (reference, role, batch, state, only_file, college, copies,
        message_id, attempts, transport, reply, queued_at, updated_at, sent_at, sender,
        message_sha256, spool, run, post_too)
    SELECT reference, 'college', batch, state, only_file, college, copies, message_id,
        attempts, transport, reply, queued_at, updated_at, sent_at, sender, message_sha256,
        spool, run, post_too FROM dispatch;
    DROP TABLE dispatch;
    ALTER TABLE dispatch_roles RENAME TO dispatch;
    CREATE INDEX dispatch_batch_state ON dispatch (batch, state);
    """,
    # 10: the records the procedure's gates read (see register/procedure.py): the
    # publication of a letter's kennisgeving, and what happens at the court about a besluit
    """
    CREATE TABLE publications (
        reference     TEXT PRIMARY KEY REFERENCES letters(reference),
        staatscourant TEXT NOT NULL,
        day           TEXT NOT NULL,
        url           TEXT,
        recorded_at   TEXT NOT NULL
    );
    CREATE TABLE litigation (
        id           INTEGER PRIMARY KEY,
        reference    TEXT NOT NULL REFERENCES letters(reference),
        event        TEXT NOT NULL,
        day          TEXT NOT NULL,
        note         TEXT,
        file         TEXT,
        sha256       TEXT,
        recorded_at  TEXT NOT NULL
    );
    CREATE INDEX litigation_reference ON litigation (reference);
    """,
    # 11: the motivering a person writes per case (see register/motivering.py): the summary
    # of a zienswijze and the reply to it, or the facts after a term, per letter answered,
    # every version kept
    """
    CREATE TABLE motivering (
        id           INTEGER PRIMARY KEY,
        reference    TEXT NOT NULL REFERENCES letters(reference),
        part         TEXT NOT NULL,
        version      INTEGER NOT NULL,
        text         TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        by           TEXT,
        recorded_at  TEXT NOT NULL,
        UNIQUE (reference, part, version)
    );
    """,
    # 12: the term a letter asks a reaction by, as its text states it (recorded when the
    # batch composes it; its e-mail, composed at queue, states the same): 'date' or
    # 'period' with the deadline and the weeks, 'none' when it states no such term; NULL
    # for letters made before
    """
    ALTER TABLE letters ADD COLUMN reaction_stated TEXT;
    ALTER TABLE letters ADD COLUMN reaction_deadline TEXT;
    ALTER TABLE letters ADD COLUMN reaction_weeks INTEGER;
    """,
    # 13: what a letter is ('ladder', 'herstel', 'intrekking', 'afsluiting') and the sent
    # letter a herstel corrects or an intrekking withdraws (its reference)
    """
    ALTER TABLE letters ADD COLUMN kind TEXT NOT NULL DEFAULT 'ladder';
    ALTER TABLE letters ADD COLUMN corrects TEXT REFERENCES letters(reference);
    CREATE INDEX letters_corrects ON letters(corrects);
    """,
    # 14: the kennisgeving of a letter as a record of its own (see register/notices.py): its
    # reference (the letter's with -K), its files' hashes, and the hash frozen at queue
    """
    CREATE TABLE notices (
        reference      TEXT PRIMARY KEY,
        letter         TEXT NOT NULL UNIQUE REFERENCES letters(reference),
        pdf_sha256     TEXT NOT NULL,
        docx_sha256    TEXT,
        pages          INTEGER,
        made_at        TEXT NOT NULL,
        frozen_sha256  TEXT,
        frozen_at      TEXT
    );
    """,
    # 15: the accounts of the people who use ibtpost (see register/accounts.py): login, full
    # name, roles, the argon2id hash of the password, and when disabled
    """
    CREATE TABLE accounts (
        login          TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        roles          TEXT NOT NULL,
        password_hash  TEXT,
        created_at     TEXT NOT NULL,
        disabled_at    TEXT
    );
    """,
]


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script; a trigger body's own ';' stays inside it."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending
