"""The directory benchmark's generator (`benchmarks/directory_import.py`) at a tiny size: the
file it writes imports cleanly on top of the demo world, and a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.accounts.models import CareUnit, Practitioner
from app.directory.importing import import_directory
from benchmarks.directory_import import REGION_HSA, write_directory


def test_the_generated_file_imports_and_reimports(app, db, tmp_path) -> None:
    path = write_directory(tmp_path, staff=12, units=3)
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with app.test_request_context():
        first = import_directory(db, path.name, path.read_bytes(), now)
        assert first.errors == []
        assert first.created == 15
        again = import_directory(db, path.name, path.read_bytes(), now)
    assert (again.changed, again.unchanged) == (0, 15)
    units = db.scalar(
        select(func.count(CareUnit.id)).where(CareUnit.hsa_id.like(f"{REGION_HSA}-E%"))
    )
    staff = db.scalars(
        select(Practitioner.unit_id).where(Practitioner.hsa_id.like(f"{REGION_HSA}-P%"))
    ).all()
    assert units == 3
    assert len(staff) == 12
    assert len(set(staff)) == 3  # spread over every unit
