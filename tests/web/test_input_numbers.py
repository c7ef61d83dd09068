"""Numbers from outside are ASCII digits within an INTEGER column (issue #15).

"²" passes `str.isdigit()` and then fails `int()` (a server error); "٣" and "３" pass both and
read as 3, so one id or version had many spellings; a 20-digit number overflows the column (a
server error on SQLite). Each is refused, with a Swedish message or as the app answers an id
that names nothing, and nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.plans.models import CarePlan
from app.web.converters import MAX_ID, identifier, number
from tests.conftest import csrf_token
from tests.helpers import form_fields, plan_id, visible_text

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NOT_NUMBERS = ["²", "٣", "３", "12345678901234567890", "1" * 5000, str(MAX_ID + 1), "-1", " 1"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_only_ascii_digits_within_an_integer_column_are_numbers(text: str) -> None:
    assert number(text) is None
    assert identifier(text) is None


def test_numbers_and_ids() -> None:
    assert number("0") == 0
    assert identifier("0") is None  # no row has id 0
    assert number("0042") == identifier("0042") == 42
    assert number(str(MAX_ID)) == identifier(str(MAX_ID)) == MAX_ID


def test_an_id_in_other_digits_is_not_found(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    plan = plan_id(db, "trygg hemma")
    assert client.get(f"/plan/{plan}").status_code == 200
    for spelling in (str(plan).translate(ARABIC_INDIC), str(plan).translate(FULLWIDTH), "²"):
        assert client.get(f"/plan/{spelling}").status_code == 404, spelling
    token = csrf_token(client, "/sessioner")
    response = client.post("/sessioner/%D9%A3/avsluta", data={"csrf_token": token})
    assert response.status_code == 404
    assert client.get("/sessioner").status_code == 200  # still signed in


def _editor(auth, client, db) -> tuple[int, dict[str, str]]:  # noqa: ANN001
    auth.sign_in("staff-karin")
    plan = plan_id(db, "trygg hemma")
    page = client.get(f"/plan/{plan}/redigera")
    assert page.status_code == 200
    return plan, form_fields(page, f"/plan/{plan}/redigera")


def _stored(db, plan: int) -> tuple:  # noqa: ANN001
    db.expire_all()
    row = db.scalars(select(CarePlan).where(CarePlan.id == plan)).one()
    return row.version, row.title, row.draft


@pytest.mark.parametrize("spell", ["arabic-indic", "fullwidth", "superscript", "20 digits"])
def test_a_plan_version_in_other_digits_is_not_the_current_one(auth, client, db, spell) -> None:
    plan, fields = _editor(auth, client, db)
    before = _stored(db, plan)
    version = {
        "arabic-indic": fields["version"].translate(ARABIC_INDIC),
        "fullwidth": fields["version"].translate(FULLWIDTH),
        "superscript": "²",
        "20 digits": "12345678901234567890",
    }[spell]
    fields.update(version=version, title="Rubrik skriven på en gammal sida")
    response = client.post(f"/plan/{plan}/redigera", data=fields)
    assert response.status_code == 409  # as if someone else had saved: nothing overwritten
    assert "Rubrik skriven på en gammal sida" in response.get_data(as_text=True)  # kept in form
    assert _stored(db, plan) == before


@pytest.mark.parametrize("field", ["goal-count", "team-count", "goal-0-id", "team-0-id"])
@pytest.mark.parametrize("value", ["²", "٣", "12345678901234567890", "1" * 5000])
def test_a_bad_number_in_the_editors_own_fields_is_refused(auth, client, db, field, value):  # noqa: ANN001, ANN201
    plan, fields = _editor(auth, client, db)
    before = _stored(db, plan)
    assert field in fields
    fields.update({field: value, "title": "Ny rubrik"})
    response = client.post(f"/plan/{plan}/redigera", data=fields)
    assert response.status_code == 400
    assert "Formuläret gick inte att läsa. Ladda om sidan och försök igen." in visible_text(
        response
    )
    assert _stored(db, plan) == before


@pytest.mark.parametrize("value", ["12345678901234567890", "²", "٣", "0"])
def test_a_new_team_member_must_be_one_of_the_choices(auth, client, db, value) -> None:
    plan, fields = _editor(auth, client, db)
    before = _stored(db, plan)
    (new_row,) = [
        name for name, chosen in fields.items() if name.endswith("-practitioner") and not chosen
    ]
    fields[new_row] = value
    response = client.post(f"/plan/{plan}/redigera", data=fields)
    assert response.status_code == 400
    assert "Välj ett av alternativen." in visible_text(response)
    assert _stored(db, plan) == before


@pytest.mark.parametrize(("path", "extra"), [
    ("utkast/kasta", {}),
    ("publicera", {"summary": "Nytt mål"}),
    ("avsluta", {"reason": "goals_met"}),
])  # fmt: skip
def test_discard_publish_and_close_refuse_a_version_that_is_no_number(
    auth, client, db, path, extra
) -> None:
    plan, _ = _editor(auth, client, db)
    before = _stored(db, plan)
    token = csrf_token(client, f"/plan/{plan}/redigera")
    for version in ("²", "٣"):
        response = client.post(
            f"/plan/{plan}/{path}", data={**extra, "version": version, "csrf_token": token}
        )
        assert response.status_code == 409, (path, version)
    assert _stored(db, plan) == before
