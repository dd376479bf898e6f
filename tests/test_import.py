"""ibtpost import: figures, college and CdK addresses from CSV or XLSX into config/."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from tests.conftest import Result, files_under

from ibtpost.core.errors import Problems
from ibtpost.core.files import replace_all
from ibtpost.core.validate import loose_municipality_code, mailbox
from ibtpost.data.config import load_config
from ibtpost.data.importing import import_addresses, import_cdk
from ibtpost.data.sheets import whole_number

FIGURE_HEADER = "gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv"


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under config/, to prove that nothing changed."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files_under(root / "config")
    }


def csv_file(path: Path, text: str, *, bom: bool = False) -> Path:
    """Write a CSV file as a spreadsheet program would (``\\r\\n``, optional BOM)."""
    data = text.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def xlsx_file(path: Path, rows: list[list[object]], *, sheet: str = "Blad1") -> Path:
    """Write an XLSX workbook; a first sheet of notes precedes ``sheet`` when it is not first."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def figures_lines(root: Path) -> dict[str, str]:
    """config/figures.csv as {code: line}."""
    lines = (root / "config" / "figures.csv").read_text(encoding="utf-8").splitlines()
    return {line.split(",", 1)[0]: line for line in lines[1:]}


# --- figures ---------------------------------------------------------------------------


def test_figures_csv_replaces_sample_rows(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Imported rows become real data with source and dates; other rows stay byte for byte."""
    before = figures_lines(root)
    path = csv_file(
        tmp_path / "cijfers.csv",
        "gemeentenaam,Gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv\n"
        "Groningen,GM0014,1200,110,1500,120\n"
        "Almere,0034,1100,100,0,0\n"
        "Stadskanaal,37,150,15,160,20\n",
    )
    result = cli(
        root,
        "import",
        "figures",
        str(path),
        "--source",
        "Verdeelbesluit 2026, bijlage 2",
        "--peildatum",
        "2026-01-01",
        "--verdeelbesluit",
        "2025-12-19",
    )
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "imported 3 rows from cijfers.csv into config/figures.csv (3 changed)",
        "next: ibtpost check, then ibtpost letter trede-2 --municipality CODE --date YYYY-MM-DD",
    ]
    assert result.err == "warning: cijfers.csv: ignored column(s) gemeentenaam\n"
    after = figures_lines(root)
    assert after["GM0014"] == (
        'GM0014,2025-12-19,2026-01-01,1200,110,1500,120,no,"Verdeelbesluit 2026, bijlage 2"'
    )
    changed = {code for code in before if before[code] != after[code]}
    assert changed == {"GM0014", "GM0034", "GM0037"}
    assert list(after) == list(before)  # same rows, same order

    config = load_config(root)
    groningen = config.figures["GM0014"]
    assert not groningen.sample
    assert groningen.source == "Verdeelbesluit 2026, bijlage 2"
    assert (groningen.peildatum, groningen.verdeelbesluit) == (date(2026, 1, 1), date(2025, 12, 19))
    assert groningen.realised_total > groningen.task_total  # realisation may exceed the task
    assert config.figures["GM0047"].sample  # not in the file: untouched


def test_figures_semicolon_bom_keeps_dates(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """A Dutch Excel export (';', BOM) without date options keeps each row's dates."""
    path = csv_file(
        tmp_path / "cijfers.csv", FIGURE_HEADER.replace(",", ";") + "\n622;100;5;20;3\n", bom=True
    )
    result = cli(root, "import", "figures", str(path), "--source", "Opgave gemeente")
    assert result.code == 0, result.err
    assert result.err == ""
    fig = load_config(root).figures["GM0622"]
    assert (fig.task_regular, fig.task_amv, fig.realised_regular, fig.realised_amv) == (
        100,
        5,
        20,
        3,
    )
    assert (fig.verdeelbesluit, fig.peildatum) == (date(2024, 12, 20), date(2025, 7, 1))
    assert fig.source == "Opgave gemeente" and not fig.sample


def test_figures_xlsx_numbers_and_sheet(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """XLSX: any column order, codes as numbers, 3.0 as a whole number, --sheet picks a sheet."""
    path = tmp_path / "cijfers.xlsx"
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Toelichting"
    notes.append(["Cijfers per gemeente, zie blad Cijfers"])
    ws = book.create_sheet("Cijfers")
    ws.append(
        ["realisatie_amv", "TAAK_REGULIER", "gemeentecode", "taak_amv", "realisatie_regulier"]
    )
    ws.append([3.0, 100, 622, 5, 20])
    ws.append([None, None, None, None, None])  # a blank row is skipped
    ws.append([0, 1200.0, "GM0014", 110, 1500])
    book.save(path)

    result = cli(root, "import", "figures", str(path), "--sheet", "Cijfers", "--source", "X")
    assert result.code == 0, result.err
    assert result.out.startswith("imported 2 rows from cijfers.xlsx into config/figures.csv")
    config = load_config(root)
    assert config.figures["GM0622"].realised_amv == 3
    assert config.figures["GM0014"].task_regular == 1200

    wrong = cli(root, "import", "figures", str(path), "--sheet", "Nope", "--source", "X")
    assert wrong.code == 2
    assert "no sheet 'Nope' in cijfers.xlsx (hint: sheets: Toelichting, Cijfers)" in wrong.err


def test_bad_csv_reports_every_problem_and_writes_nothing(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Every bad cell is named with file, row and column; exit 2; config/ byte-identical."""
    before = snapshot(root)
    path = csv_file(
        tmp_path / "figures.csv",
        FIGURE_HEADER + "\nGM0622,100,0,0,0\n9999,1,x,3.5,-2\n\n0622,1,1,1,1\nabc,1,,1,1,stray\n",
    )
    result = cli(root, "import", "figures", str(path), "--source", "S")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        "error: figures.csv:row 3: gemeentecode: unknown municipality code GM9999 "
        "(hint: codes as in config/municipalities.csv)",
        "error: figures.csv:row 3: taak_amv: 'x' is not a whole number",
        "error: figures.csv:row 3: realisatie_regulier: '3.5' is not a whole number",
        "error: figures.csv:row 3: realisatie_amv: '-2' is negative; give zero or more",
        "error: figures.csv:row 5: gemeentecode: GM0622 appears twice (also on row 2)",
        "error: figures.csv:row 6: gemeentecode: 'abc' is not a municipality code like "
        "GM0622, 0622 or 622",
        "error: figures.csv:row 6: taak_amv: is empty",
        "error: figures.csv:row 6: column 6: 'stray' stands in a column without a header",
        "error: 8 problems in figures.csv; nothing imported",
    ]
    assert snapshot(root) == before


def test_bad_xlsx_reports_every_problem_and_writes_nothing(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The same for XLSX: numbers that are not whole, bad codes, duplicates, bad e-mail."""
    before = snapshot(root)
    figures = xlsx_file(
        tmp_path / "figures.xlsx",
        [
            FIGURE_HEADER.split(","),
            [622, 100, 0, 0, 0],
            [14, 10, 2.5, True, "7"],
            [12345, 1, 1, 1, 1],
            ["GM0014", 1, 1, 1, 1],
        ],
    )
    result = cli(root, "import", "figures", str(figures), "--source", "S")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: figures.xlsx:row 3: taak_amv: 2.5 is not a whole number",
        "error: figures.xlsx:row 3: realisatie_regulier: True is not a whole number",
        "error: figures.xlsx:row 4: gemeentecode: '12345' is not a municipality code like "
        "GM0622, 0622 or 622",
        "error: figures.xlsx:row 5: gemeentecode: GM0014 appears twice (also on row 3)",
        "error: 4 problems in figures.xlsx; nothing imported",
    ]

    addresses = xlsx_file(
        tmp_path / "adressen.xlsx",
        [
            ["gemeentecode", "email"],
            [622, "ibt@vlaardingen.example"],
            [14, "a@groningen.nl, b@groningen.nl"],
            [34, "Almere <ibt@almere.nl>"],
            [37, None],
        ],
    )
    result = cli(root, "import", "addresses", str(addresses))
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: adressen.xlsx:row 3: email: 'a@groningen.nl, b@groningen.nl' is not one "
        "e-mail address (contains ',')",
        "error: adressen.xlsx:row 4: email: 'Almere <ibt@almere.nl>' is not one e-mail "
        "address (contains a space)",
        "error: adressen.xlsx:row 5: email: is empty",
        "error: 3 problems in adressen.xlsx; nothing imported",
    ]
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "gemeentecode,taak_regulier,taak_amv,taak_amv\n622,1,1,1\n",
            [
                "error: f.csv:row 1: taak_amv: column appears twice",
                "error: f.csv:row 1: realisatie_regulier: missing column (hint: the header row "
                "needs gemeentecode, taak_regulier, taak_amv, realisatie_regulier, "
                "realisatie_amv)",
                "error: f.csv:row 1: realisatie_amv: missing column (hint: the header row needs "
                "gemeentecode, taak_regulier, taak_amv, realisatie_regulier, realisatie_amv)",
                "error: 3 problems in f.csv; nothing imported",
            ],
        ),
        ("", ["error: f.csv:row 1: empty file", "error: 1 problem in f.csv; nothing imported"]),
        (
            FIGURE_HEADER + "\n",
            [
                "error: f.csv:row 1: no data rows below the header",
                "error: 1 problem in f.csv; nothing imported",
            ],
        ),
    ],
)
def test_bad_header_or_empty_file(
    root: Path, cli: Callable[..., Result], tmp_path: Path, text: str, expected: list[str]
) -> None:
    """Missing and duplicate columns, an empty file, a header without rows."""
    before = snapshot(root)
    result = cli(
        root, "import", "figures", str(csv_file(tmp_path / "f.csv", text)), "--source", "S"
    )
    assert result.code == 2
    assert result.err.splitlines() == expected
    assert snapshot(root) == before


def test_not_utf8_and_unknown_file_type(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """A Latin-1 CSV and an .ods file are refused with a hint."""
    latin = tmp_path / "adressen.csv"
    latin.write_bytes(
        "gemeentecode,email\n622,ibt@vlaardingen.example\n# Fryslân\n".encode("latin-1")
    )
    result = cli(root, "import", "addresses", str(latin))
    assert result.code == 2
    assert "error: adressen.csv: not UTF-8 text" in result.err
    assert "hint: save it as 'CSV UTF-8' or as .xlsx" in result.err
    ods = tmp_path / "adressen.ods"
    ods.write_bytes(b"x")
    result = cli(root, "import", "addresses", str(ods))
    assert result.code == 2
    assert "cannot read .ods" in result.err
    result = cli(root, "import", "addresses", str(latin), "--sheet", "Blad1")
    assert result.err.splitlines() == [
        "error: --sheet: is only for XLSX files",
        "error: 1 problem on the command line; nothing imported",
    ]


def test_figures_rerun_is_idempotent(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The same import twice gives the same bytes; re-importing current figures changes none."""
    path = csv_file(tmp_path / "f.csv", FIGURE_HEADER + "\nGM0014,1,2,3,4\n")
    args = ("import", "figures", str(path), "--source", "S", "--peildatum", "2026-01-01")
    assert cli(root, *args).code == 0
    first = snapshot(root)
    again = cli(root, *args)
    assert again.code == 0
    assert "(already up to date)" in again.out
    assert snapshot(root) == first

    # Vlaardingen's shipped row, imported with its own source: the file stays the same.
    same = csv_file(tmp_path / "vl.csv", FIGURE_HEADER + "\n622,100,0,0,0\n")
    source = load_config(root).figures["GM0622"].source
    assert cli(root, "import", "figures", str(same), "--source", source).code == 0
    assert snapshot(root) == first


# --- addresses and cdk -----------------------------------------------------------------


def test_addresses_overlay_loaded_by_config(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """College addresses land in config/college-addresses.csv and in Municipality.ibt_email."""
    path = csv_file(
        tmp_path / "colleges.csv",
        "gemeentecode;email\nGM0622;ibt@vlaardingen.example\n14;toezicht@groningen.nl\n",
        bom=True,
    )
    result = cli(root, "import", "addresses", str(path))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "imported 2 rows from colleges.csv into config/college-addresses.csv (2 changed)",
        "next: ibtpost check",
    ]
    today = date.today().isoformat()
    lines = (root / "config" / "college-addresses.csv").read_text(encoding="utf-8").splitlines()
    # merged into the shipped sample rows: GM0014 added, GM0622's sample row replaced
    assert lines[:3] == [
        "code,email,source",
        f'GM0014,toezicht@groningen.nl,"colleges.csv, imported {today}"',
        "GM0202,college@arnhem.example,sample (reserved .example domain)",
    ]
    assert f'GM0622,ibt@vlaardingen.example,"colleges.csv, imported {today}"' in lines
    assert len(lines) == 17
    config = load_config(root)
    assert config.municipalities["GM0622"].ibt_email == "ibt@vlaardingen.example"
    assert config.municipalities["GM0622"].email is None  # the general address stays
    assert config.municipalities["GM0014"].email == "info@groningen.nl"
    assert config.municipalities["GM0034"].ibt_email is None

    check = cli(root, "check")
    (sample,) = [line for line in check.out.splitlines() if "colleges have a sample" in line]
    assert "15 colleges" in sample and "Rotterdam" in sample
    assert "Vlaardingen" in sample  # the imported address is on .example too
    assert "has no e-mail address" not in check.out


def test_unknown_columns_are_ignored_even_twice(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Columns the import does not use may repeat; they are named once in a warning."""
    path = csv_file(
        tmp_path / "a.csv",
        "opmerking,gemeentecode,email,opmerking\nzie brief,622,ibt@vlaardingen.example,\n",
    )
    result = cli(root, "import", "addresses", str(path))
    assert result.code == 0, result.err
    assert result.err == "warning: a.csv: ignored column(s) opmerking\n"


def test_addresses_merge_and_idempotent(root: Path, tmp_path: Path) -> None:
    """A later import replaces per code, keeps the rest; an unchanged address keeps its source."""
    first = csv_file(
        tmp_path / "a.csv", "gemeentecode,email\n622,old@vlaardingen.example\n14,g@x.nl\n"
    )
    import_addresses(root, first, today=date(2026, 5, 1))
    target = root / "config" / "college-addresses.csv"
    before = target.read_bytes()
    import_addresses(root, first, today=date(2026, 6, 1))  # same file a month later
    assert target.read_bytes() == before

    second = csv_file(
        tmp_path / "b.csv", "gemeentecode,email\n622,new@vlaardingen.example\n14,g@x.nl\n"
    )
    result = import_addresses(root, second, today=date(2026, 6, 2))
    assert result.changed == 1
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [x for x in lines if x.startswith(("GM0014,", "GM0622,"))] == [
        'GM0014,g@x.nl,"a.csv, imported 2026-05-01"',
        'GM0622,new@vlaardingen.example,"b.csv, imported 2026-06-02"',
    ]
    # the shipped sample rows of other municipalities stay
    assert "GM0599,college@rotterdam.example,sample (reserved .example domain)" in lines


def test_cdk_overlay_overrides_province(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """CdK addresses override provinces.csv; names match in any case, unknown ones get a hint."""
    before = snapshot(root)
    bad = csv_file(
        tmp_path / "cdk.csv",
        "provincie,email\nFriesland,cdk@fryslan.example\nzuid-holland,cdk@zh.example\n,x@y.nl\n",
    )
    result = cli(root, "import", "cdk", str(bad))
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: cdk.csv:row 2: provincie: unknown province 'Friesland' (hint: one of Groningen, "
        "Fryslân, Drenthe, Overijssel, Flevoland, Gelderland, Utrecht, Noord-Holland, "
        "Zuid-Holland, Zeeland, Noord-Brabant, Limburg)",
        "error: cdk.csv:row 4: provincie: is empty",
        "error: 2 problems in cdk.csv; nothing imported",
    ]
    assert snapshot(root) == before

    good = xlsx_file(
        tmp_path / "cdk.xlsx",
        [
            ["Provincie", "Email"],
            ["FRYSLÂN", "commissaris@fryslan.example"],
            ["Limburg", "cdk@lb.example"],
        ],
    )
    result = import_cdk(root, good, today=date(2026, 5, 4))
    assert (result.rows, result.changed) == (2, 2)
    lines = (root / "config" / "cdk-addresses.csv").read_text(encoding="utf-8").splitlines()
    # Fryslân's shipped sample row is replaced; Limburg is new and goes last, in the order
    # of provinces.csv; the other sample rows stay
    assert lines[0] == "province,email,source"
    assert lines[2] == 'Fryslân,commissaris@fryslan.example,"cdk.xlsx, imported 2026-05-04"'
    assert lines[-1] == 'Limburg,cdk@lb.example,"cdk.xlsx, imported 2026-05-04"'
    assert len(lines) == 13
    provinces = load_config(root).provinces
    assert provinces["Fryslân"].cdk_email == "commissaris@fryslan.example"
    assert provinces["Limburg"].cdk_email == "cdk@lb.example"  # overrides the shipped one
    assert provinces["Drenthe"].cdk_email == "cdk@drenthe.example"  # shipped sample row


def test_bad_overlay_file_is_a_config_error(root: Path) -> None:
    """A hand-edited overlay is checked like every other config file."""
    (root / "config" / "college-addresses.csv").write_text(
        "code,email,source\nGM0622,a@b.nl\\nBcc: c@d.nl,x\nGM9999,a@b.nl,x\n", encoding="utf-8"
    )
    with pytest.raises(Problems) as info:
        load_config(root)
    shown = [str(p) for p in info.value.problems]
    assert shown[0].startswith("config/college-addresses.csv:2: email: ")
    assert "config/college-addresses.csv:3: code: unknown municipality GM9999" in shown


# --- validators and atomic replacement --------------------------------------------------


@pytest.mark.parametrize(
    "good", ["ibt@vlaardingen.nl", "info@groningen.example", "o'brien+ibt@sub.gemeente.nl"]
)
def test_mailbox_accepts(good: str) -> None:
    """Plain addresses pass, also the reserved .example domain."""
    assert mailbox(f" {good} ") == good


@pytest.mark.parametrize(
    "bad",
    [
        "a@b.nl, c@d.nl",
        "a@b.nl;c@d.nl",
        "Naam <a@b.nl>",
        "a@b.nl\r\nBcc: x@y.nl",
        "a b@c.nl",
        "a@b",
        "a..b@c.nl",
        "@b.nl",
        "a@-b.nl",
        "a@b.n1",
    ],
)
def test_mailbox_refuses(bad: str) -> None:
    """Lists, display names, header injection and malformed addresses are refused."""
    with pytest.raises(ValueError, match="e-mail address"):
        mailbox(bad)


def test_codes_and_numbers() -> None:
    """Codes lose their leading zeros in spreadsheets; counts must be whole and not negative."""
    assert {loose_municipality_code(c) for c in ("GM0622", "gm622", "0622", "622")} == {"GM0622"}
    assert whole_number(3.0) == 3 and whole_number(" 12 ") == 12 and whole_number(0) == 0
    for bad in (3.5, "1.234", "1e3", -1, "٣", True):
        with pytest.raises(ValueError, match=r"whole number|negative"):
            whole_number(bad)


def test_replace_all_replaces_nothing_when_verification_fails(tmp_path: Path) -> None:
    """Both files are staged and verified first; a failure leaves both old and no debris."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a")
    b.write_text("old b")

    def verify(target: Path, staged: Path) -> None:
        if target == b:
            raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        replace_all({a: b"new a", b: b"new b"}, verify)
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]

    replace_all({a: b"new a", b: b"new b"}, lambda target, staged: None)
    assert (a.read_text(), b.read_text()) == ("new a", "new b")


def test_figures_no_municipality_could_have_are_refused(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """A task of 10^30 places (or any count past 100,000) is a typing or unit error, not a
    fact to print in a letter: exit 2 naming file, row and column; config/ unchanged."""
    before = snapshot(root)
    path = csv_file(
        tmp_path / "figures.csv",
        FIGURE_HEADER + f"\nGM0622,{10**30},0,0,0\nGM0014,100,0,100001,0\n",
    )
    result = cli(root, "import", "figures", str(path), "--source", "S")
    assert result.code == 2
    assert result.err.splitlines()[:2] == [
        f"error: figures.csv:row 2: taak_regulier: {10**30} places is more than any "
        "municipality could have (at most 100000)",
        "error: figures.csv:row 3: realisatie_regulier: 100001 places is more than any "
        "municipality could have (at most 100000)",
    ]
    assert snapshot(root) == before
    # the same in config/figures.csv itself: `check` names the line and field
    figures = root / "config" / "figures.csv"
    lines = figures.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("task_regular")] = "2000000"
    figures.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", "utf-8")
    checked = cli(root, "check")
    assert checked.code == 2
    assert (
        "config/figures.csv:2: task_regular: 2000000 places is more than any"
        in checked.out + checked.err
    )
