"""Import a directory file: units and staff as HSA names them, into the directory's services.

A file is UTF-8 CSV (comma or semicolon, a header row of attribute names) or JSON (a list of
objects with the same names). The attribute names are HSA's (the national directory's, as in an
LDAP export): one row is a unit or a person, told apart by `objectClass`.

- `objectClass`: `organizationalUnit` for a unit, `organizationalPerson` for a person.
- `hsaIdentity`: the unit's or the person's HSA-id.
- A unit: `ou` (its name); `street` (or `postalAddress`, lines separated by `$`), `postalCode`
  and `l` (the town) make its address; `telephoneNumber` (required).
- A person: `givenName`, `sn` (surname), `title`, `telephoneNumber`, `mail`, and
  `unitHsaIdentity`: the HSA-id of the unit they work at (in the same file or already in
  Samplan).

The principal (region or municipality) is the one whose HSA-id (Principal.hsa_id) the row's
hsaIdentity begins with. A person is created with the care role; an existing person keeps the
roles an administrator gave them. A unit's response promise is not in HSA: a new unit gets
Samplan's default, an existing one keeps its own.

All or nothing: the whole file is applied inside a savepoint, row by row through
app/directory/services.py; if any row is wrong, or on a dry run, the savepoint is rolled back
and nothing has changed. Running the same file twice changes nothing the second time. People
missing from the file are left alone, unless `complete` says the file holds every person of
its principals: then those missing are deactivated, through the same service as on the pages.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Practitioner, Principal, StaffRole
from app.clock import local_date
from app.directory import services
from app.directory.hsa import InvalidHsaId, normalise_hsa_id, organisation_of
from app.directory.services import DirectoryError, StaffData, UnitData

UNIT_CLASSES = {"organizationalunit", "hsahealthcareunit", "hsaorganizationalunit"}
PERSON_CLASSES = {"organizationalperson", "person", "inetorgperson", "hsaperson"}
UNIT_COLUMN = "unitHsaIdentity"
# Every attribute the import reads, in the order a file may give them.
COLUMNS_READ = [
    "objectClass", "hsaIdentity", "ou", "street", "postalAddress", "postalCode", "l",
    "telephoneNumber", "givenName", "sn", "title", "mail", UNIT_COLUMN,
]  # fmt: skip
MAX_BYTES = 50 * 1024 * 1024
DEFAULT_RESPONSE_DAYS = 2


class ImportFileError(ValueError):
    """The file cannot be read at all (not CSV or JSON of objects, not UTF-8, too large)."""


@dataclass(frozen=True)
class Row:
    where: str  # "rad 3" (CSV) or "post 3" (JSON)
    values: dict[str, str]

    def get(self, name: str) -> str:
        return " ".join((self.values.get(name) or "").split())


@dataclass
class ImportResult:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    deactivated: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.moved + self.deactivated


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a multi-valued attribute: its first value
        return _text(value[0]) if value else ""
    return str(value)


def read_rows(name: str, data: bytes) -> list[Row]:
    """The file's rows, with where each is (for messages)."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("Filen är för stor."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Filen är inte UTF-8.")) from None
    if "\x00" in text:
        raise ImportFileError(_("Filen innehåller tecken som inte går att läsa."))
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise ImportFileError(_("Filen är inte giltig JSON.")) from None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportFileError(_("JSON-filen ska vara en lista av objekt."))
        return [
            Row(_("post %(num)d", num=number), {str(k): _text(v) for k, v in item.items()})
            for number, item in enumerate(items, start=1)
        ]
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames or "hsaIdentity" not in [f.strip() for f in reader.fieldnames]:
        raise ImportFileError(_("Filen saknar kolumnen hsaIdentity på första raden."))
    rows = []
    try:
        for values in reader:
            cleaned = {(k or "").strip(): _text(v) for k, v in values.items() if k is not None}
            if any(cleaned.values()):
                rows.append(Row(_("rad %(num)d", num=reader.line_num), cleaned))
    except csv.Error:
        raise ImportFileError(
            _("Filen går inte att läsa som CSV (rad %(num)d).", num=reader.line_num)
        ) from None
    return rows


def _kind(row: Row) -> str | None:
    classes = {
        c.lower() for c in row.get("objectClass").replace(";", " ").replace("|", " ").split()
    }
    if classes & UNIT_CLASSES:
        return "unit"
    if classes & PERSON_CLASSES:
        return "person"
    return None


def _address(row: Row) -> str:
    street = row.get("street") or ", ".join(
        part.strip() for part in (row.values.get("postalAddress") or "").split("$") if part.strip()
    )
    town = " ".join(part for part in (row.get("postalCode"), row.get("l")) if part)
    return ", ".join(part for part in (street, town) if part)


def _describe(changes: dict[str, list[Any]]) -> str:
    return ", ".join(
        f"{name} ({before or '–'} → {after or '–'})" for name, (before, after) in changes.items()
    )


def import_directory(
    session: Session,
    name: str,
    data: bytes,
    now: datetime,
    dry_run: bool = False,
    complete: bool = False,
) -> ImportResult:
    """Apply the file (or, on a dry run, only say what would change). Raises ImportFileError
    for a file that cannot be read; every wrong row is in `errors`, and then nothing changes."""
    rows = read_rows(name, data)
    source = f"import:{Path(name).name}"
    result = ImportResult()
    principals = {p.hsa_id: p for p in session.scalars(select(Principal)) if p.hsa_id}
    try:
        with session.begin_nested():  # released when applied, rolled back by _Undo or an error
            _apply_rows(session, rows, principals, source, now, complete, result)
            if result.errors or dry_run:
                raise _Undo
    except _Undo:
        pass
    return result


class _Undo(Exception):  # noqa: N818 - not an error: the way out of the savepoint
    """Leave the savepoint without keeping anything (a dry run, or a file with errors)."""


def _apply_rows(
    session: Session,
    rows: list[Row],
    principals: dict[str, Principal],
    source: str,
    now: datetime,
    complete: bool,
    result: ImportResult,
) -> None:
    """Check and apply every row, collecting what changed and what is wrong, in file order."""
    order = {row.where: index for index, row in enumerate(rows)}
    errors: list[tuple[int, str]] = []
    lines: list[tuple[int, str]] = []
    # The directory as it is, read once: rows are matched here, not one query each.
    directory = Directory(
        units={u.hsa_id: u for u in session.scalars(select(CareUnit)) if u.hsa_id},
        people={p.hsa_id: p for p in session.scalars(select(Practitioner))},
        known=services.known_hsa_ids(session),
    )
    seen: dict[str, str] = {}
    checked: list[tuple[Row, str, str, Principal]] = []
    for row in rows:
        error = _check(row, seen, principals)
        if isinstance(error, str):
            errors.append((order[row.where], f"{row.where}: {error}"))
        else:
            checked.append((row, *error))
    # Units first, so that people may work at a unit the same file adds.
    ordered = sorted(checked, key=lambda item: item[1] != "unit")
    for row, kind, hsa_id, principal in ordered:
        try:
            if kind == "unit":
                line = _unit(session, directory, row, hsa_id, principal, source, now, result)
            else:
                line = _person(session, directory, row, hsa_id, principal, source, now, result)
        except DirectoryError as error:
            errors.append((order[row.where], f"{row.where} ({hsa_id}): {error.message}"))
            continue
        lines.append((order[row.where], f"{row.where} ({hsa_id}): {line}"))
    result.errors = [text for _, text in sorted(errors)]
    result.lines = [text for _, text in sorted(lines)]
    if complete and not result.errors:
        _deactivate_missing(session, seen, principals, source, now, result)


def _check(
    row: Row, seen: dict[str, str], principals: dict[str, Principal]
) -> str | tuple[str, str, Principal]:
    """The row's kind, HSA-id and principal, or what is wrong with it."""
    kind = _kind(row)
    if kind is None:
        return _(
            "objectClass ska vara organizationalUnit (enhet) eller organizationalPerson "
            "(person), inte ”%(value)s”.",
            value=row.get("objectClass")[:60],
        )
    raw = row.get("hsaIdentity")
    try:
        hsa_id = normalise_hsa_id(raw)
    except InvalidHsaId:
        return _("HSA-id ”%(value)s” är inte giltigt.", value=raw[:60])
    if hsa_id in seen:
        return _("HSA-id %(hsa)s finns redan på %(where)s.", hsa=hsa_id, where=seen[hsa_id])
    seen[hsa_id] = row.where
    principal = principals.get(organisation_of(hsa_id))
    if principal is None:
        return _("Ingen huvudman i Samplan har HSA-id %(org)s.", org=organisation_of(hsa_id))
    if kind == "unit" and not row.get("ou"):
        return _("Enheten saknar namn (ou).")
    if kind == "person" and not (row.get("givenName") and row.get("sn")):
        return _("Personen saknar förnamn (givenName) eller efternamn (sn).")
    if kind == "person" and not row.get(UNIT_COLUMN):
        return _("Personen saknar sin enhets HSA-id (%(column)s).", column=UNIT_COLUMN)
    return kind, hsa_id, principal


def _count(result: ImportResult, action: str) -> None:
    setattr(result, action, getattr(result, action) + 1)


@dataclass
class Directory:
    """The units and people of the database by HSA-id, kept up to date during an import."""

    units: dict[str, CareUnit]
    people: dict[str, Practitioner]
    known: services.Known


def _unit(
    session: Session,
    directory: Directory,
    row: Row,
    hsa_id: str,
    principal: Principal,
    source: str,
    now: datetime,
    result: ImportResult,
) -> str:
    unit = directory.units.get(hsa_id)
    if unit is not None and unit.principal_id != principal.id:
        raise DirectoryError("hsa_id", services.ERRORS["hsa_taken"])
    data = UnitData(
        hsa_id=hsa_id,
        name=row.get("ou"),
        phone=row.get("telephoneNumber"),
        address=_address(row),
        response_working_days=(
            unit.response_working_days if unit is not None else DEFAULT_RESPONSE_DAYS
        ),
        # Not in HSA either: kept as the administrator set it.
        reminder_working_days=unit.reminder_working_days if unit is not None else 1,
    )
    if unit is None:
        created = services.create_unit(session, principal, data, None, source, now, directory.known)
        directory.units[hsa_id] = created
        _count(result, "created")
        return _("enhet skapad")
    changes = services.update_unit(session, unit, data, None, source, now, directory.known)
    if not changes:
        _count(result, "unchanged")
        return _("enhet oförändrad")
    _count(result, "updated")
    return _("enhet ändrad: %(fields)s", fields=_describe(changes))


def _person(
    session: Session,
    directory: Directory,
    row: Row,
    hsa_id: str,
    principal: Principal,
    source: str,
    now: datetime,
    result: ImportResult,
) -> str:
    try:
        unit_hsa = normalise_hsa_id(row.get(UNIT_COLUMN))
    except InvalidHsaId:
        raise DirectoryError(
            UNIT_COLUMN,
            _("Enhetens HSA-id ”%(value)s” är inte giltigt.", value=row.get(UNIT_COLUMN)[:60]),
        ) from None
    unit = directory.units.get(unit_hsa)
    if unit is None or unit.principal_id != principal.id:
        raise DirectoryError(
            UNIT_COLUMN,
            _("Enheten %(hsa)s finns varken i filen eller hos huvudmannen.", hsa=unit_hsa),
        )
    if unit.deactivated_at is not None:
        raise DirectoryError(UNIT_COLUMN, _("Enheten %(hsa)s är avslutad.", hsa=unit_hsa))
    person = directory.people.get(hsa_id)
    data = StaffData(
        hsa_id=hsa_id,
        given_name=row.get("givenName"),
        family_name=row.get("sn"),
        title=row.get("title"),
        unit_id=unit.id,
        phone=row.get("telephoneNumber"),
        email=row.get("mail"),
        roles=tuple(person.roles.split()) if person is not None else (StaffRole.CARE.value,),
    )
    if person is None:
        created = services.create_staff(
            session, principal, data, None, source, now, directory.known
        )
        directory.people[hsa_id] = created
        _count(result, "created")
        return _("person skapad")
    if person.unit.principal_id != principal.id:
        raise DirectoryError("hsa_id", services.ERRORS["hsa_taken"])
    if person.deactivated_at is not None:
        _count(result, "unchanged")
        return _("avslutad i Samplan; återaktivera på sidan om personen ska arbeta här igen")
    before_unit = person.unit.name
    changes = services.update_staff(session, person, data, None, source, now, directory.known)
    if not changes:
        _count(result, "unchanged")
        return _("person oförändrad")
    if "unit_id" in changes:
        _count(result, "moved")
        changes = {**changes, "unit_id": [before_unit, unit.name]}
        return _("person flyttad: %(fields)s", fields=_describe(changes))
    _count(result, "updated")
    return _("person ändrad: %(fields)s", fields=_describe(changes))


def _deactivate_missing(
    session: Session,
    seen: dict[str, str],
    principals: dict[str, Principal],
    source: str,
    now: datetime,
    result: ImportResult,
) -> None:
    """The file is complete for the principals it names: deactivate their staff it lacks."""
    named = {
        principals[organisation_of(hsa)].id for hsa in seen if organisation_of(hsa) in principals
    }
    missing: Iterable[Practitioner] = session.scalars(
        select(Practitioner)
        .join(CareUnit, CareUnit.id == Practitioner.unit_id)
        .where(
            CareUnit.principal_id.in_(named),
            Practitioner.deactivated_at.is_(None),
            Practitioner.hsa_id.not_in(list(seen)),
        )
        .order_by(Practitioner.hsa_id)
    ).all()
    for person in missing:
        services.deactivate_staff(session, person, None, source, now, local_date(now))
        result.deactivated += 1
        result.lines.append(
            _("%(hsa)s: finns inte i filen, behörigheten avslutad", hsa=person.hsa_id)
        )


def summary(result: ImportResult, dry_run: bool) -> str:
    """The last line of the command's output."""
    if result.errors:
        return _("Inget har ändrats: rätta raderna ovan och kör igen.")
    counts = _(
        "%(created)d skapade, %(updated)d ändrade, %(moved)d flyttade, "
        "%(deactivated)d avslutade, %(unchanged)d oförändrade.",
        created=result.created,
        updated=result.updated,
        moved=result.moved,
        deactivated=result.deactivated,
        unchanged=result.unchanged,
    )
    if not result.changed:
        return _("Inget att ändra: katalogen stämmer redan med filen.") + " " + counts
    if dry_run:
        return _("Provkörning, inget har sparats.") + " " + counts
    return counts
