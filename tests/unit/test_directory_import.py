"""The import of a directory file (app/directory/importing.py and `flask directory-import`):
units and people created from HSA's attribute names, a second run that changes nothing, a dry
run that only tells, and a file with broken rows that changes nothing at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.accounts.models import CareUnit, Practitioner
from app.directory.importing import import_directory, summary
from app.directory.models import DirectoryChange

REGION = "SE2321000230"
KOMMUN = "SE2120002817"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

UNIT = {
    "objectClass": "organizationalUnit",
    "hsaIdentity": f"{REGION}-BERG",
    "ou": "Hälsocentralen Bergnäset",
    "street": "Bergnäsvägen 1",
    "postalCode": "973 45",
    "l": "Luleå",
    "telephoneNumber": "0920-28 50 00",
}
NORA = {
    "objectClass": "organizationalPerson",
    "hsaIdentity": f"{REGION}-NN01",
    "givenName": "Nora",
    "sn": "Nyberg",
    "title": "Sjuksköterska",
    "telephoneNumber": "0920-28 50 10",
    "mail": "nora.nyberg@example.org",
    "unitHsaIdentity": f"{REGION}-BERG",
}
COLUMNS = [
    "objectClass", "hsaIdentity", "ou", "street", "postalCode", "l", "telephoneNumber",
    "givenName", "sn", "title", "mail", "unitHsaIdentity",
]  # fmt: skip


def csv_file(rows: list[dict[str, str]], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(COLUMNS)]
    lines += [delimiter.join(row.get(c, "") for c in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def counts(db) -> tuple[int, int, int]:  # noqa: ANN001
    return tuple(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (CareUnit, Practitioner, DirectoryChange)
    )


@pytest.fixture
def ctx(app):  # noqa: ANN001, ANN201
    with app.test_request_context():
        yield


@pytest.mark.parametrize("kind", ["csv-semicolon", "csv-comma", "json"])
def test_import_creates_then_changes_nothing(db, ctx, kind) -> None:
    karin_move = {**NORA, "hsaIdentity": f"{REGION}-KB01", "givenName": "Karin", "sn": "Berg",
                  "title": "Distriktssköterska", "mail": "karin.berg@example.org",
                  "telephoneNumber": "0920-28 40 12"}  # fmt: skip
    rows = [NORA, UNIT, karin_move]  # a person before her new unit: units go first
    if kind == "json":
        name, data = "katalog.json", json.dumps(rows).encode()
    else:
        name, data = "katalog.csv", csv_file(rows, ";" if kind == "csv-semicolon" else ",")
    before = counts(db)
    result = import_directory(db, name, data, NOW)
    assert result.errors == []
    assert (result.created, result.moved, result.unchanged) == (2, 1, 0)
    unit = db.scalars(select(CareUnit).where(CareUnit.hsa_id == f"{REGION}-BERG")).one()
    assert unit.address == "Bergnäsvägen 1, 973 45 Luleå"
    assert unit.response_working_days == 2
    nora = db.scalars(select(Practitioner).where(Practitioner.hsa_id == f"{REGION}-NN01")).one()
    assert (nora.unit_id, nora.title, nora.roles) == (unit.id, "Sjuksköterska", "care")
    karin = db.scalars(select(Practitioner).where(Practitioner.hsa_id == f"{REGION}-KB01")).one()
    assert karin.unit_id == unit.id
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 3)
    sources = set(db.scalars(select(DirectoryChange.source).where(DirectoryChange.at == NOW)))
    assert sources == {f"import:{name}"}
    actions = db.scalars(
        select(DirectoryChange.action).where(DirectoryChange.object_id == karin.id,
                                             DirectoryChange.object_type == "practitioner")
    ).all()  # fmt: skip
    assert actions == ["moved"]
    moved_line = next(line for line in result.lines if f"{REGION}-KB01" in line)
    assert "flyttad" in moved_line
    assert "Hälsocentralen Bergnäset" in moved_line

    again = import_directory(db, name, data, NOW)
    assert again.errors == []
    assert (again.changed, again.unchanged) == (0, 3)
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 3)
    assert summary(again, False).startswith("Inget att ändra")


def test_dry_run_tells_and_changes_nothing(db, ctx) -> None:
    before = counts(db)
    renamed = {**NORA, "hsaIdentity": f"{REGION}-SE01", "givenName": "Sofia", "sn": "Ek",
               "title": "Överläkare", "unitHsaIdentity": f"{REGION}-ONKOLOGI",
               "mail": "sofia.ek@example.org", "telephoneNumber": "0920-28 21 55"}  # fmt: skip
    result = import_directory(db, "k.csv", csv_file([UNIT, NORA, renamed]), NOW, dry_run=True)
    assert result.errors == []
    assert (result.created, result.updated) == (2, 1)
    assert any("enhet skapad" in line and "rad 2" in line for line in result.lines)
    assert any("title (Kontaktsjuksköterska → Överläkare)" in line for line in result.lines)
    assert summary(result, True).startswith("Provkörning, inget har sparats.")
    assert counts(db) == before
    sofia = db.scalars(select(Practitioner).where(Practitioner.hsa_id == f"{REGION}-SE01")).one()
    db.refresh(sofia)
    assert sofia.title == "Kontaktsjuksköterska"


def test_broken_rows_are_named_and_nothing_changes(db, ctx) -> None:
    before = counts(db)
    rows = [
        UNIT,  # fine on its own
        {**NORA, "hsaIdentity": "SE2321000230NN02"},  # malformed
        {**NORA, "hsaIdentity": f"{REGION}-NN03", "unitHsaIdentity": f"{REGION}-NOWHERE"},
        {**NORA, "hsaIdentity": "SE5560000001-NN04"},  # no such principal (a valid orgnr)
        {**NORA, "hsaIdentity": f"{REGION}-NN05", "sn": ""},
        {**NORA},
        {**NORA},  # the same hsaIdentity again
        {**UNIT, "hsaIdentity": f"{REGION}-TOM", "ou": "Tom", "telephoneNumber": ""},
    ]
    result = import_directory(db, "k.csv", csv_file(rows), NOW)
    messages = "\n".join(result.errors)
    assert "rad 3: HSA-id ”SE2321000230NN02” är inte giltigt." in messages
    assert f"rad 4 ({REGION}-NN03): Enheten {REGION}-NOWHERE finns varken" in messages
    assert "rad 5: Ingen huvudman i Samplan har HSA-id SE5560000001." in messages
    assert "rad 6: Personen saknar förnamn (givenName) eller efternamn (sn)." in messages
    assert f"rad 8: HSA-id {REGION}-NN01 finns redan på rad 7." in messages
    assert f"rad 9 ({REGION}-TOM): Skriv ett telefonnummer" in messages
    assert len(result.errors) == 6
    assert summary(result, False).startswith("Inget har ändrats")
    assert counts(db) == before
    assert db.scalar(select(CareUnit.id).where(CareUnit.hsa_id == f"{REGION}-BERG")) is None


def test_a_person_of_another_principals_unit_is_refused(db, ctx) -> None:
    lena_at_kvarnen = {**NORA, "hsaIdentity": f"{KOMMUN}-LH01", "givenName": "Lena",
                       "sn": "Holm", "unitHsaIdentity": f"{REGION}-KVARNEN"}  # fmt: skip
    before = counts(db)
    result = import_directory(db, "k.json", json.dumps([lena_at_kvarnen]).encode(), NOW)
    assert len(result.errors) == 1
    assert "finns varken i filen eller hos huvudmannen" in result.errors[0]
    assert counts(db) == before


def test_a_complete_file_deactivates_those_it_lacks(db, ctx, ids) -> None:
    municipality = [
        {**UNIT, "hsaIdentity": f"{KOMMUN}-HEMSJUKVARDEN", "ou": "Hemsjukvården Luleå",
         "street": "Hemsjukvården, Smedjegatan 12", "postalCode": "972 32",
         "telephoneNumber": "0920-45 37 00"},
        {**NORA, "hsaIdentity": f"{KOMMUN}-ON01", "givenName": "Olle", "sn": "Nyström",
         "title": "Systemförvaltare", "unitHsaIdentity": f"{KOMMUN}-SOCIALFORVALTNINGEN"},
    ]  # fmt: skip
    result = import_directory(db, "kommun.json", json.dumps(municipality).encode(), NOW,
                              complete=True)  # fmt: skip
    assert result.errors == []
    assert result.deactivated == 1  # Lena, the only other one of Luleå kommun
    lena = db.get(Practitioner, ids["staff-lena"])
    db.refresh(lena)
    assert lena.deactivated_at is not None
    assert db.get(Practitioner, ids["staff-karin"]).deactivated_at is None  # the region's


def test_the_command(app, db, tmp_path) -> None:
    path = tmp_path / "katalog.csv"
    path.write_bytes(csv_file([UNIT, NORA]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["directory-import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Provkörning, inget har sparats. 2 skapade" in dry.output
    assert db.scalar(select(CareUnit.id).where(CareUnit.hsa_id == f"{REGION}-BERG")) is None
    first = runner.invoke(args=["directory-import", str(path)])
    assert first.exit_code == 0, first.output
    assert "rad 3 (SE2321000230-NN01): person skapad" in first.output
    second = runner.invoke(args=["directory-import", str(path)])
    assert "Inget att ändra: katalogen stämmer redan med filen." in second.output
    path.write_bytes(csv_file([{**NORA, "hsaIdentity": "bad"}]))
    broken = runner.invoke(args=["directory-import", str(path)])
    assert broken.exit_code == 1
    assert "rad 2: HSA-id ”bad” är inte giltigt." in broken.output
    path.write_bytes(b"\xff\xfe not utf-8")
    unreadable = runner.invoke(args=["directory-import", str(path)])
    assert unreadable.exit_code == 1
    assert "Filen är inte UTF-8." in unreadable.output
