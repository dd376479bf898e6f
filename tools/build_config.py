"""Build ibtpost's configuration tables from the shared public data.

Reads the derived municipality table, the original Organisaties-overheid export and the
provinces/Commissaris-van-de-Koning compilation from ``--shared-data`` and writes three
CSV files to ``--out``:

* ``municipalities.csv``: one row per municipality (342), names and addresses with
  place names in normal case instead of the export's capitals;
* ``provinces.csv``: the 12 provinces with their Commissaris van de Koning;
* ``figures.csv``: the verdeelbesluit task and realisation per municipality. Only
  Vlaardingen's figures are real; all others are SAMPLE data from a fixed seed.

Every run on the same inputs gives byte-identical output. Nothing is written unless
every row of every file passed validation. See ``config/SOURCES.md`` for provenance.

Usage::

    python tools/build_config.py --shared-data /work/shared/data --out config
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DERIVED_FILE = "gemeenten_2026_adressen_provincie.csv"
EXPORT_FILE = "oo_gemeenten_export_2026-03.csv"
PROVINCES_FILE = "provincies_cdk.csv"

MUNICIPALITY_COLUMNS = (
    "code", "cbs_code", "name", "official_name", "short_name", "province",
    "visit_street", "visit_number", "visit_postcode", "visit_place",
    "postal_pobox", "postal_street", "postal_number", "postal_postcode", "postal_place",
    "email", "population", "source",
)  # fmt: skip
PROVINCE_COLUMNS = (
    "province", "cdk_name", "cdk_status", "cdk_email",
    "postal_address", "visiting_address", "source_cdk", "source_address",
)  # fmt: skip
FIGURE_COLUMNS = (
    "code", "verdeelbesluit", "peildatum", "task_regular", "task_amv",
    "realised_regular", "realised_amv", "sample", "source",
)  # fmt: skip

EXPECTED_MUNICIPALITIES = 342
MUNICIPALITY_SOURCE = "Organisaties overheid, export Gemeenten 2026-03 (laatste mutatie {date})"

# Provinces in CBS code order (PV20 Groningen ... PV31 Limburg); provinces.csv is sorted so.
PROVINCE_ORDER = (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland",
    "Utrecht", "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)  # fmt: skip

VERDEELBESLUIT = "2024-12-20"
PEILDATUM = "2025-07-01"
TOTAL_TASK = 96_000
SEED = 2026
AMV_PER_MILLE = 85  # about 8.5 % of each municipality's total task is AMV
SAMPLE_SOURCE = (
    f"VOORBEELD: gegenereerd door tools/build_config.py (seed {SEED}), geen echte cijfers"
)


@dataclass(frozen=True)
class RealFigures:
    """Figures taken from a real letter rather than generated."""

    task_regular: int
    task_amv: int
    realised_regular: int
    realised_amv: int
    source: str


REAL_FIGURES: Mapping[str, RealFigures] = {
    "GM0622": RealFigures(
        task_regular=100,
        task_amv=0,
        realised_regular=0,
        realised_amv=0,
        source=(
            "Brief IBT Spreidingswet aan gemeente Vlaardingen, 9 april 2026 (referentie 7468089)"
        ),
    ),
}

# Realisation bands for the sample figures: (cumulative probability, lowest, highest share).
REALISATION_BANDS = (
    (0.30, 1.00, 1.30),  # meets or exceeds the task
    (0.75, 0.10, 0.95),  # realises part of the task
    (1.00, 0.00, 0.05),  # realises nothing or almost nothing
)

# PostNL adds a province suffix to place names that occur more than once ("ELST GLD").
PLACE_SUFFIXES = frozenset(
    {"GR", "GN", "FR", "DR", "OV", "FL", "GLD", "GD", "UT", "NH", "ZH", "ZL", "NB", "LB", "L"}
)
# Words written in lower case inside a place name (never as the first word): particles,
# and "ca" (cum annexis) as in the BAG name "Bleskensgraaf ca".
PLACE_PARTICLES = frozenset(
    {"aan", "de", "den", "der", "het", "op", "in", "bij", "en", "van", "ter", "te", "ca"}
)
# Words always written in lower case, also as the first word ('s-Gravenhage, 't Harde).
PLACE_ELISIONS = frozenset({"'s", "'t"})
# PostNL abbreviations that the Bevat-plaatsen lists do not contain, spelled out. Each
# target must appear in the municipality's own Bevat-plaatsen list (checked).
PLACE_ABBREVIATIONS: Mapping[str, str] = {
    "NIEUWERKERK AD IJSSEL": "Nieuwerkerk aan den IJssel",
}

GM_CODE = re.compile(r"GM[0-9]{4}")
POSTCODE = re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})")
CBS_CODE = re.compile(r"[0-9]{4}")
DIGITS = re.compile(r"[0-9]+")
HOUSE_NUMBER = re.compile(r"[0-9]+[A-Za-z]?")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
ADDRESS_REMARK = re.compile(r"\s*\(([^()]*)\)\s*$")
POSTAL_ADDRESS = re.compile(r"Postbus [0-9]+ [1-9][0-9]{3} [A-Z]{2} \S.*")
VISITING_ADDRESS = re.compile(
    r"(?:bezoekadres )?(\S.* [0-9]+[A-Za-z]? [1-9][0-9]{3} [A-Z]{2} \S.*)"
)
LOW_CONFIDENCE = ("lage zekerheid", "vergaderlocatie")


class BuildError(Exception):
    """Raised for input that cannot be turned into a valid configuration row."""


@dataclass(frozen=True)
class Row:
    """One input CSV record with the file and line it came from."""

    where: str
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        """Return the cleaned value of ``column``; raise if the column is missing."""
        if column not in self.values:
            raise BuildError(f"{self.where}: column {column!r} missing")
        return clean(self.values[column], f"{self.where}: {column}")


def clean(value: str, where: str) -> str:
    """Strip surrounding whitespace and reject newlines, ``<``, ``>`` and control characters."""
    text = value.strip()
    for char in text:
        if char in "<>" or unicodedata.category(char).startswith("C"):
            raise BuildError(f"{where}: forbidden character {char!r} in {text!r}")
    return text


def read_csv(path: Path, delimiter: str = ",") -> list[Row]:
    """Read a UTF-8 CSV file with a header row into :class:`Row` records."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        rows = []
        for record in reader:
            where = f"{path}:{reader.line_num}"
            if None in record or any(value is None for value in record.values()):
                raise BuildError(f"{where}: wrong number of fields")
            rows.append(Row(where, record))
    return rows


def postcode(value: str, where: str) -> str:
    """Return a Dutch postcode in ``1234 AB`` form."""
    match = POSTCODE.fullmatch(value.upper())
    if match is None:
        raise BuildError(f"{where}: not a Dutch postcode: {value!r}")
    return f"{match.group(1)} {match.group(2)}"


def matching(value: str, pattern: re.Pattern[str], what: str, where: str) -> str:
    """Return ``value`` if it is empty or matches ``pattern``; raise otherwise."""
    if value and pattern.fullmatch(value) is None:
        raise BuildError(f"{where}: not {what}: {value!r}")
    return value


# --- place names -----------------------------------------------------------------------


def capitalise(word: str) -> str:
    """Capitalise one word, keeping the Dutch IJ digraph together (IJsselstein)."""
    lower = word.lower()
    if lower.startswith("ij"):
        return "IJ" + lower[2:]
    return lower[:1].upper() + lower[1:]


def title_case(name: str) -> str:
    """Write a place name given in capitals in normal Dutch case.

    Particles are lower case except as the first word, 's and 't always lower case, each
    hyphen part capitalised, the IJ digraph upper case, and a trailing PostNL province
    suffix kept in capitals: ``KRIMPEN AAN DEN IJSSEL`` -> ``Krimpen aan den IJssel``,
    ``'S-GRAVENHAGE`` -> ``'s-Gravenhage``, ``ELST GLD`` -> ``Elst GLD``.
    """
    words = name.split()
    suffix = words.pop() if len(words) > 1 and words[-1].upper() in PLACE_SUFFIXES else ""
    out = []
    for index, word in enumerate(words):
        parts: list[str] = []
        for part in word.split("-"):
            lower = part.lower()
            if lower in PLACE_ELISIONS or (index > 0 and not parts and lower in PLACE_PARTICLES):
                parts.append(lower)
            else:
                parts.append(capitalise(part))
        out.append("-".join(parts))
    if suffix:
        out.append(suffix.upper())
    return " ".join(out)


@dataclass(frozen=True)
class PlaceIndex:
    """Spellings of place names from the export's "Bevat plaatsen" lists."""

    per_municipality: Mapping[str, Mapping[str, str]]
    everywhere: Mapping[str, str]

    @classmethod
    def from_lists(cls, lists: Mapping[str, Sequence[str]]) -> PlaceIndex:
        """Index each municipality's list by upper-case name; the first code wins overall."""
        per_municipality = {code: {p.upper(): p for p in places} for code, places in lists.items()}
        everywhere: dict[str, str] = {}
        for code in sorted(per_municipality):
            for key, spelling in per_municipality[code].items():
                everywhere.setdefault(key, spelling)
        return cls(per_municipality, everywhere)

    def lookup(self, name: str, code: str) -> str | None:
        """Return the listed spelling of ``name``, own municipality first, else ``None``.

        Particles after the first word are lower-cased, because the lists themselves
        sometimes capitalise them ("Bergen Op Zoom", "Bleskensgraaf Ca").
        """
        key = name.upper()
        own = self.per_municipality.get(code, {})
        listed = own.get(key) or self.everywhere.get(key)
        if listed is None:
            return None
        first, *rest = listed.split(" ")
        return " ".join([first, *(w.lower() if w.lower() in PLACE_PARTICLES else w for w in rest)])


@dataclass
class PlaceNamer:
    """Turns the export's capitalised place names into normal case and notes guesses."""

    index: PlaceIndex
    not_listed: dict[str, str]

    def name(self, raw: str, code: str, where: str) -> str:
        """Return the normal-case spelling of ``raw`` for municipality ``code``."""
        listed = self.index.lookup(raw, code)
        if listed is not None:
            return listed
        key = raw.upper()
        if key in PLACE_ABBREVIATIONS:
            result = PLACE_ABBREVIATIONS[key]
            if self.index.lookup(result, code) != result:
                raise BuildError(f"{where}: abbreviation target {result!r} not listed")
            how = "PostNL abbreviation spelled out"
        else:
            words = raw.split()
            if len(words) > 1 and words[-1].upper() in PLACE_SUFFIXES:
                base = self.index.lookup(" ".join(words[:-1]), code)
                if base is not None:
                    result = f"{base} {words[-1].upper()}"
                    how = "base name listed, PostNL suffix kept"
                else:
                    result, how = title_case(raw), "title-case rules"
            else:
                result, how = title_case(raw), "title-case rules"
        self.not_listed[raw] = f"{result!r} ({how})"
        return result


def bevat_plaatsen(export: Iterable[Row]) -> dict[str, list[str]]:
    """Return each municipality's "Bevat plaatsen" list keyed by GM code."""
    lists = {}
    for row in export:
        lists[gm_code(row.get("TOOi URI"), row.where)] = [
            place.strip() for place in row.get("Bevat plaatsen").split(",") if place.strip()
        ]
    return lists


def gm_code(tooi_uri: str, where: str) -> str:
    """Return ``GM0622`` from a TOOi URI ending in ``gm0622``."""
    code = tooi_uri.rsplit("/", 1)[-1].upper()
    if GM_CODE.fullmatch(code) is None:
        raise BuildError(f"{where}: no GM code in TOOi URI {tooi_uri!r}")
    return code


# --- municipalities --------------------------------------------------------------------


def build_municipalities(
    derived: Sequence[Row], export: Sequence[Row], namer: PlaceNamer
) -> list[dict[str, str]]:
    """Return the rows of municipalities.csv, sorted by code."""
    official = {gm_code(r.get("TOOi URI"), r.where): r for r in export}
    if len(official) != len(export):
        raise BuildError("the export lists a municipality code more than once")
    rows = []
    for row in derived:
        where = row.where
        code = matching(row.get("gemeentecode_gm"), GM_CODE, "a GM code", where)
        cbs_code = matching(row.get("gemeentecode"), CBS_CODE, "a CBS code", where)
        if code != f"GM{cbs_code}":
            raise BuildError(f"{where}: {code} does not match CBS code {cbs_code}")
        official_name = row.get("officiele_naam")
        source_row = official.get(code)
        if source_row is None or source_row.get("Officiële naam") != official_name:
            raise BuildError(f"{where}: {code} {official_name!r} not in the export as such")
        if not official_name.startswith("Gemeente "):
            raise BuildError(f"{where}: official name {official_name!r} lacks 'Gemeente '")
        pobox = matching(row.get("postadres_postbus"), DIGITS, "a Postbus number", where)
        postal_street = row.get("postadres_straat")
        if bool(pobox) == bool(postal_street):
            raise BuildError(f"{where}: need exactly one of Postbus and postal street")
        if row.get("postadres_antwoordnummer"):
            # An antwoordnummer is a freepost address for replies from the public; a
            # letter to the college never goes there. Note it and use the other fields.
            print(f"{where}: antwoordnummer ignored", file=sys.stderr)
        email = matching(row.get("email_algemeen"), EMAIL, "an e-mail address", where)
        rows.append(
            {
                "code": code,
                "cbs_code": cbs_code,
                "name": official_name.removeprefix("Gemeente "),
                "official_name": official_name,
                "short_name": row.get("naam_kort"),
                "province": row.get("provincie"),
                "visit_street": row.get("bezoekadres_straat"),
                "visit_number": matching(
                    row.get("bezoekadres_huisnummer"), HOUSE_NUMBER, "a house number", where
                ),
                "visit_postcode": postcode(row.get("bezoekadres_postcode"), where),
                "visit_place": namer.name(row.get("bezoekadres_plaats"), code, where),
                "postal_pobox": pobox,
                "postal_street": postal_street,
                "postal_number": matching(
                    row.get("postadres_huisnummer"), HOUSE_NUMBER, "a house number", where
                ),
                "postal_postcode": postcode(row.get("postadres_postcode"), where),
                "postal_place": namer.name(row.get("postadres_plaats"), code, where),
                "email": email,
                "population": matching(row.get("aantal_inwoners_oo"), DIGITS, "a number", where),
                "source": MUNICIPALITY_SOURCE.format(date=row.get("oo_laatste_mutatie")),
            }
        )
    codes = [r["code"] for r in rows]
    if len(set(codes)) != len(codes) or set(codes) != set(official):
        raise BuildError("derived table and export do not hold the same municipality codes")
    if len(rows) != EXPECTED_MUNICIPALITIES:
        raise BuildError(f"expected {EXPECTED_MUNICIPALITIES} municipalities, got {len(rows)}")
    return sorted(rows, key=lambda r: r["code"])


# --- provinces -------------------------------------------------------------------------


def split_outside_parentheses(text: str, separator: str) -> list[str]:
    """Split ``text`` at ``separator`` where it is not inside parentheses; strip the parts."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def split_address(text: str, where: str) -> tuple[str, str, str]:
    """Split free-text ``adres_gevonden`` into (postal, visiting, CdK e-mail).

    Parts are separated by ``;``. A part counts only if it is a complete address with
    postcode and is not marked as low confidence or as a meeting venue; an e-mail
    address counts as the CdK's only if its remark names the CdK. Everything else
    (general mailboxes, servicedesk antwoordnummers, "niet gevonden") is left out.
    """
    postal = visiting = email = ""
    for part in split_outside_parentheses(text, ";"):
        remark_match = ADDRESS_REMARK.search(part)
        remark = remark_match.group(1) if remark_match else ""
        body = part[: remark_match.start()].strip() if remark_match else part
        if any(marker in remark for marker in LOW_CONFIDENCE):
            continue
        if "antwoordnummer" in body.lower():
            continue  # a freepost number for the public (servicedesk), not the CdK's address
        if EMAIL.fullmatch(body) and "CdK" in remark:
            email = email or body
        elif POSTAL_ADDRESS.fullmatch(body):
            if postal:
                raise BuildError(f"{where}: two postal addresses in {text!r}")
            postal = body
        elif (visit := VISITING_ADDRESS.fullmatch(body)) and not body.startswith("Postbus"):
            if visiting:
                raise BuildError(f"{where}: two visiting addresses in {text!r}")
            visiting = visit.group(1)
    return postal, visiting, email


def build_provinces(source: Sequence[Row]) -> list[dict[str, str]]:
    """Return the rows of provinces.csv in CBS province order."""
    rows = []
    for row in source:
        province = row.get("provincie")
        if province not in PROVINCE_ORDER:
            raise BuildError(f"{row.where}: unknown province {province!r}")
        postal, visiting, email = split_address(row.get("adres_gevonden"), row.where)
        rows.append(
            {
                "province": province,
                "cdk_name": row.get("commissaris_van_de_koning"),
                "cdk_status": row.get("sinds_of_status"),
                "cdk_email": email,
                "postal_address": postal,
                "visiting_address": visiting,
                "source_cdk": row.get("bron_cdk"),
                "source_address": row.get("bron_adres") if postal or visiting or email else "",
            }
        )
    names = sorted(r["province"] for r in rows)
    if names != sorted(PROVINCE_ORDER):
        raise BuildError(f"expected each of the 12 provinces once, got {names}")
    return sorted(rows, key=lambda r: PROVINCE_ORDER.index(r["province"]))


# --- figures ---------------------------------------------------------------------------


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Share ``total`` in proportion to ``weights`` in integers that add up exactly.

    Each key gets the floor of its exact quota; the places left go one each to the
    largest remainders (ties broken by key, so the result is deterministic).
    """
    weight_sum = sum(weights.values())
    if weight_sum <= 0 or any(w < 0 for w in weights.values()):
        raise BuildError("weights must be non-negative with a positive sum")
    shares = {key: total * w // weight_sum for key, w in weights.items()}
    remainders = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in remainders[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def sample_realisation(rng: random.Random, task: int) -> int:
    """Draw a realised number of places for ``task`` from :data:`REALISATION_BANDS`.

    Always draws two numbers, so the random stream does not depend on the task.
    """
    band_draw, share_draw = rng.random(), rng.random()
    band = next(
        i for i, (cumulative, _, _) in enumerate(REALISATION_BANDS) if band_draw < cumulative
    )
    _, low, high = REALISATION_BANDS[band]
    realised = int(task * (low + (high - low) * share_draw) + 0.5)
    if band == 1 and task >= 2:  # a partial realisation stays strictly partial
        realised = min(max(realised, 1), task - 1)
    return realised


def build_figures(municipalities: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Return the rows of figures.csv: real figures where known, seeded samples elsewhere."""
    real_total = sum(f.task_regular + f.task_amv for f in REAL_FIGURES.values())
    population = {
        m["code"]: int(m["population"]) for m in municipalities if m["code"] not in REAL_FIGURES
    }
    totals = largest_remainder(TOTAL_TASK - real_total, population)
    rng = random.Random(SEED)
    rows = []
    for municipality in sorted(municipalities, key=lambda m: m["code"]):
        code = municipality["code"]
        real = REAL_FIGURES.get(code)
        if real is not None:
            values = (real.task_regular, real.task_amv, real.realised_regular, real.realised_amv)
            sample, source = "no", real.source
        else:
            task_amv = (totals[code] * AMV_PER_MILLE + 500) // 1000
            task_regular = totals[code] - task_amv
            realised_regular = sample_realisation(rng, task_regular)
            realised_amv = sample_realisation(rng, task_amv)
            values = (task_regular, task_amv, realised_regular, realised_amv)
            sample, source = "yes", SAMPLE_SOURCE
        if min(values) < 0:
            raise BuildError(f"{code}: negative figure {values}")
        rows.append(
            {
                "code": code,
                "verdeelbesluit": VERDEELBESLUIT,
                "peildatum": PEILDATUM,
                "task_regular": str(values[0]),
                "task_amv": str(values[1]),
                "realised_regular": str(values[2]),
                "realised_amv": str(values[3]),
                "sample": sample,
                "source": source,
            }
        )
    task_sum = sum(int(r["task_regular"]) + int(r["task_amv"]) for r in rows)
    if task_sum != TOTAL_TASK:
        raise BuildError(f"tasks add up to {task_sum}, not {TOTAL_TASK}")
    return rows


# --- output ----------------------------------------------------------------------------


def render_csv(columns: Sequence[str], rows: Iterable[Mapping[str, str]], name: str) -> str:
    """Render rows as CSV text with a header, ``\\n`` line ends; validate every value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for number, row in enumerate(rows, start=2):
        if set(row) != set(columns):
            raise BuildError(f"{name}:{number}: columns {sorted(row)} differ from header")
        values = [row[column] for column in columns]
        for column, value in zip(columns, values, strict=True):
            if clean(value, f"{name}:{number}: {column}") != value:
                raise BuildError(f"{name}:{number}: {column} has surrounding whitespace")
        writer.writerow(values)
    return buffer.getvalue()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` via a temporary file, so it is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; these are ordinary repo files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build(shared_data: Path, out: Path) -> None:
    """Read the shared data, build and validate all three tables, then write them."""
    export = read_csv(shared_data / EXPORT_FILE, delimiter=";")
    derived = read_csv(shared_data / DERIVED_FILE)
    namer = PlaceNamer(PlaceIndex.from_lists(bevat_plaatsen(export)), {})
    municipalities = build_municipalities(derived, export, namer)
    provinces = build_provinces(read_csv(shared_data / PROVINCES_FILE))
    known = {p["province"] for p in provinces}
    for municipality in municipalities:
        if municipality["province"] not in known:
            raise BuildError(f"{municipality['code']}: province {municipality['province']!r}")
    figures = build_figures(municipalities)

    outputs = {
        "municipalities.csv": render_csv(
            MUNICIPALITY_COLUMNS, municipalities, "municipalities.csv"
        ),
        "provinces.csv": render_csv(PROVINCE_COLUMNS, provinces, "provinces.csv"),
        "figures.csv": render_csv(FIGURE_COLUMNS, figures, "figures.csv"),
    }
    for raw, result in sorted(namer.not_listed.items()):
        print(f"place not in any Bevat-plaatsen list: {raw!r} -> {result}", file=sys.stderr)
    for name, text in outputs.items():
        write_atomically(out / name, text)
        data_rows = text.count("\n") - 1
        print(f"wrote {out / name} ({data_rows} rows)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 ok, 1 bad data)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared-data", type=Path, required=True, help="folder with the inputs")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSVs to")
    args = parser.parse_args(argv)
    try:
        build(args.shared_data, args.out)
    except (BuildError, OSError) as error:
        print(f"build_config: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
