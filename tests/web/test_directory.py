"""Katalogen: an administrator adds, edits, moves and deactivates units and staff of their own
principal, every change is in the change log, and deactivating someone signs them out, refuses
their sign-in and hands their open work to their unit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.accounts.models import CareUnit, Practitioner, UserSession
from app.accounts.oidc import LOA3
from app.directory.models import DirectoryChange
from app.messages.models import Thread
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanStatus
from tests.conftest import csrf_token
from tests.helpers import PERSONAS, thread_id, visible_text
from tests.web.test_matrix import handover
from tests.web.test_oidc import approve, start

REGION = "SE2321000230"
KOMMUN = "SE2120002817"


def post(client, path: str, data: dict[str, object]):  # noqa: ANN001, ANN201
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/sessioner")})


def unit_form(**changes: object) -> dict[str, object]:
    return {
        "name": "Hälsocentralen Bergnäset",
        "hsa_id": f"{REGION}-BERG",
        "phone": "0920-28 50 00",
        "address": "Bergnäsvägen 1, 973 45 Luleå",
        "response_working_days": "2",
        "reminder_working_days": "1",
        **changes,
    }


def staff_form(unit_id: int, **changes: object) -> dict[str, object]:
    return {
        "given_name": "Nora",
        "family_name": "Nyberg",
        "title": "Sjuksköterska",
        "hsa_id": f"{REGION}-NN01",
        "phone": "0920-28 50 10",
        "email": "nora.nyberg@example.org",
        "unit_id": str(unit_id),
        "roles": "care",
        **changes,
    }


def changes_of(db, object_type: str, object_id: int) -> list[tuple[str, dict]]:  # noqa: ANN001
    rows = db.execute(
        select(DirectoryChange.action, DirectoryChange.changes, DirectoryChange.source)
        .where(DirectoryChange.object_type == object_type, DirectoryChange.object_id == object_id)
        .order_by(DirectoryChange.id)
    ).all()
    return [(action, changes) for action, changes, _source in rows]


def count(db, model) -> int:  # noqa: ANN001
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_menu_offers_the_directory_to_administrators_only(auth, client) -> None:
    auth.sign_in("admin-region")
    assert "Katalog" in visible_text(client.get("/arbetslista"))
    menu = client.get("/katalog").get_data(as_text=True).split('class="main-nav"')[1]
    menu = menu.split("</nav>")[0]
    # an administrator without the care role is offered no patients, inbox or work list
    for care_page in ("Mina patienter", "Inkorg", "Arbetslista"):
        assert care_page not in menu
    page = client.get("/katalog")
    assert page.status_code == 200
    text = visible_text(page)
    assert "Region Norrbotten" in text
    assert "Hälsocentralen Kvarnen" in text
    assert "Hemsjukvården Luleå" not in text  # the municipality's
    auth.sign_out()
    auth.sign_in("staff-karin")
    assert "Katalog" not in visible_text(client.get("/arbetslista"))
    assert "Inkorg" in visible_text(client.get("/arbetslista"))


@pytest.mark.parametrize("persona", [p for p in PERSONAS if not p.startswith("admin-")])
def test_everyone_but_administrators_gets_404(auth, client, db, ids, persona) -> None:
    auth.sign_in(persona)
    unit = db.get(Practitioner, ids["staff-karin"]).unit_id
    for path in ("/katalog", "/katalog/personal", f"/katalog/enheter/{unit}",
                 f"/katalog/personal/{ids['staff-karin']}", "/katalog/enheter/ny"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    response = post(client, f"/katalog/personal/{ids['staff-karin']}/avsluta", {})
    assert response.status_code == 404
    assert db.get(Practitioner, ids["staff-karin"]).deactivated_at is None


def test_another_principals_units_and_staff_are_404(auth, client, db, ids) -> None:
    auth.sign_in("admin-kommun")
    karin = db.get(Practitioner, ids["staff-karin"])
    lena = db.get(Practitioner, ids["staff-lena"])
    assert client.get(f"/katalog/personal/{karin.id}").status_code == 404
    assert client.get(f"/katalog/enheter/{karin.unit_id}").status_code == 404
    assert post(client, f"/katalog/personal/{karin.id}/avsluta", {}).status_code == 404
    assert client.get(f"/katalog/personal/{lena.id}").status_code == 200
    # Lena may not be moved, nor given, a unit of the region
    before = count(db, DirectoryChange)
    moved = post(client, f"/katalog/personal/{lena.id}/flytta", {"unit_id": karin.unit_id})
    assert moved.status_code == 400
    assert "Välj en av huvudmannens öppna enheter" in visible_text(moved)
    db.expire_all()
    assert db.get(Practitioner, lena.id).unit_id == lena.unit_id
    # nor may the administrator give themself one
    olle = db.get(Practitioner, ids["admin-kommun"])
    form = staff_form(karin.unit_id)
    form.update(hsa_id=olle.hsa_id, given_name="Olle", family_name="Nyström", roles="admin")
    assert post(client, f"/katalog/personal/{olle.id}", form).status_code == 400
    assert count(db, DirectoryChange) == before


def test_admin_adds_a_unit_and_a_nurse_who_signs_in(auth, client, db, idp) -> None:
    auth.sign_in("admin-region")
    created = post(client, "/katalog/enheter/ny", unit_form())
    assert created.status_code == 303
    unit = db.scalars(select(CareUnit).where(CareUnit.hsa_id == f"{REGION}-BERG")).one()
    assert unit.response_working_days == 2
    assert unit.reminder_working_days == 1
    assert "Hälsocentralen Bergnäset" in visible_text(client.get(created.headers["Location"]))
    added = post(
        client, "/katalog/personal/ny", staff_form(unit.id, hsa_id=f"{REGION.lower()}-nn01")
    )
    assert added.status_code == 303
    nora = db.scalars(select(Practitioner).where(Practitioner.hsa_id == f"{REGION}-NN01")).one()
    assert (nora.unit_id, nora.roles, nora.email) == (unit.id, "care", "nora.nyberg@example.org")
    assert [a for a, _ in changes_of(db, "unit", unit.id)] == ["created"]
    [(action, changes)] = changes_of(db, "practitioner", nora.id)
    assert action == "created"
    assert changes["given_name"] == [None, "Nora"]
    # Nora signs in with the staff IdP the Monday she starts
    fresh = client.application.test_client()
    idp.set_user("nora", {"hsa_id": nora.hsa_id, "acr": LOA3})
    location, _ = start(fresh, "staff")
    assert fresh.get(approve(location, "nora")).status_code == 303
    page = visible_text(fresh.get("/arbetslista"))
    assert "Nora Nyberg, Hälsocentralen Bergnäset" in page
    assert "Katalog" not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hsa_id": "SE2321000230"}, "Skriv ett giltigt HSA-id"),
        ({"hsa_id": "SE2321000231-BERG"}, "Skriv ett giltigt HSA-id"),  # bad check digit
        ({"hsa_id": f"{KOMMUN}-BERG"}, f"måste börja med huvudmannens eget HSA-id, {REGION}"),
        ({"hsa_id": f"{REGION}-KVARNEN"}, "används redan"),
        ({"response_working_days": "0"}, "från 1 till 10"),
        ({"response_working_days": "11"}, "från 1 till 10"),
        ({"response_working_days": "٣"}, "från 1 till 10"),
        ({"reminder_working_days": "0"}, "från 1 till 5"),
        ({"reminder_working_days": "6"}, "från 1 till 5"),
        ({"reminder_working_days": ""}, "från 1 till 5"),
        ({"name": "  "}, "Skriv enhetens namn"),
        ({"phone": "ring mig"}, "Skriv ett telefonnummer"),
    ],
)
def test_bad_unit_input_gets_a_swedish_message_and_changes_nothing(
    auth, client, db, changes, message
) -> None:
    auth.sign_in("admin-region")
    units, logged = count(db, CareUnit), count(db, DirectoryChange)
    response = post(client, "/katalog/enheter/ny", unit_form(**changes))
    assert response.status_code == 400
    assert message in visible_text(response)
    assert (count(db, CareUnit), count(db, DirectoryChange)) == (units, logged)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hsa_id": "KB01"}, "Skriv ett giltigt HSA-id"),
        ({"hsa_id": f"{REGION}-KB01"}, "används redan"),
        ({"email": "nora@"}, "giltig e-postadress"),
        ({"roles": "superuser"}, "Välj minst en roll"),
        ({"given_name": ""}, "Skriv förnamnet"),
        ({"unit_id": "999999"}, "Välj en av huvudmannens öppna enheter"),
    ],
)
def test_bad_staff_input_changes_nothing(auth, client, db, ids, changes, message) -> None:
    auth.sign_in("admin-region")
    unit = db.get(Practitioner, ids["staff-karin"]).unit_id
    staff, logged = count(db, Practitioner), count(db, DirectoryChange)
    response = post(client, "/katalog/personal/ny", {**staff_form(unit), **changes})
    assert response.status_code == 400
    assert message in visible_text(response)
    assert (count(db, Practitioner), count(db, DirectoryChange)) == (staff, logged)


def test_editing_and_moving_are_recorded(auth, client, db, ids) -> None:
    auth.sign_in("admin-region")
    jonas = db.get(Practitioner, ids["staff-jonas"])
    kvarnen = db.get(Practitioner, ids["staff-karin"]).unit_id
    form = staff_form(jonas.unit_id, hsa_id=jonas.hsa_id, given_name="Jonas",
                      family_name="Åberg", title="Överläkare", email="")  # fmt: skip
    assert post(client, f"/katalog/personal/{jonas.id}", form).status_code == 303
    assert (
        post(client, f"/katalog/personal/{jonas.id}/flytta", {"unit_id": kvarnen}).status_code
        == 303
    )
    db.expire_all()
    jonas = db.get(Practitioner, ids["staff-jonas"])
    assert (jonas.title, jonas.unit_id) == ("Överläkare", kvarnen)
    log = changes_of(db, "practitioner", jonas.id)
    assert [action for action, _ in log] == ["updated", "moved"]
    assert log[0][1]["title"] == ["Läkare", "Överläkare"]
    assert log[1][1]["unit_id"][1] == kvarnen
    page = visible_text(client.get(f"/katalog/personal/{jonas.id}"))
    assert "Flyttad" in page
    assert "Befattning: Läkare → Överläkare" in page
    # the same form once more changes nothing and logs nothing
    form["unit_id"], form["title"] = str(kvarnen), "Överläkare"
    assert post(client, f"/katalog/personal/{jonas.id}", form).status_code == 303
    assert len(changes_of(db, "practitioner", jonas.id)) == 2


def test_a_unit_with_active_staff_cannot_be_closed(auth, client, db, ids) -> None:
    auth.sign_in("admin-region")
    jonas = db.get(Practitioner, ids["staff-jonas"])
    response = post(client, f"/katalog/enheter/{jonas.unit_id}/avsluta", {})
    assert response.status_code == 409
    assert "har fortfarande 1 aktiva medarbetare" in visible_text(response)
    assert db.get(CareUnit, jonas.unit_id).deactivated_at is None
    assert post(client, f"/katalog/personal/{jonas.id}/avsluta", {}).status_code == 303
    assert post(client, f"/katalog/enheter/{jonas.unit_id}/avsluta", {}).status_code == 303
    db.expire_all()
    assert db.get(CareUnit, jonas.unit_id).deactivated_at is not None
    # nobody is placed at a closed unit, and nobody returns to one
    kvarnen = db.get(Practitioner, ids["staff-karin"]).unit_id
    assert post(client, "/katalog/personal/ny", staff_form(jonas.unit_id)).status_code == 400
    assert post(client, f"/katalog/personal/{jonas.id}/aktivera", {}).status_code == 409
    assert post(client, f"/katalog/enheter/{jonas.unit_id}/aktivera", {}).status_code == 303
    assert post(client, f"/katalog/personal/{jonas.id}/aktivera", {}).status_code == 303
    db.expire_all()
    assert db.get(Practitioner, jonas.id).deactivated_at is None
    assert [a for a, _ in changes_of(db, "unit", jonas.unit_id)] == ["deactivated", "reactivated"]
    assert kvarnen != jonas.unit_id


def test_deactivating_karin_hands_her_work_to_her_unit(app, auth, client, db, ids) -> None:
    karin_id = ids["staff-karin"]
    offered = handover(db, ids)  # Karin offers the coordination of Maja's SIP to Erik
    db.commit()
    karin_client = app.test_client()
    karin_client.post(
        "/demo", data={"persona": "staff-karin", "csrf_token": csrf_token(karin_client)}
    )
    assert karin_client.get("/arbetslista").status_code == 200
    threads = db.scalars(select(Thread.id).where(Thread.assigned_to_id == karin_id)).all()
    assert threads
    members = db.scalars(
        select(CareTeamMember.id).where(
            CareTeamMember.practitioner_id == karin_id, CareTeamMember.valid_until.is_(None)
        )
    ).all()
    assert members

    auth.sign_in("admin-region")
    response = post(client, f"/katalog/personal/{karin_id}/avsluta", {})
    assert response.status_code == 303
    assert "har lämnats till enheten" in visible_text(client.get(response.headers["Location"]))
    db.expire_all()

    # signed out at once, on her next request
    assert karin_client.get("/arbetslista").status_code == 302
    assert (
        db.scalar(
            select(func.count(UserSession.id)).where(
                UserSession.practitioner_id == karin_id, UserSession.ended_at.is_(None)
            )
        )
        == 0
    )
    # her threads wait in the unit's queue, her handover is cancelled, her roles end today
    for thread in threads:
        row = db.get(Thread, thread)
        assert (row.assigned_to_id, row.offered_to_id) == (None, None)
    assert db.get(Handover, offered).cancelled_at is not None
    today = date.today()
    for member in members:
        assert db.get(CareTeamMember, member).valid_until <= today
    # nothing is deleted
    assert db.get(Practitioner, karin_id).deactivated_at is not None
    [(action, changes)] = changes_of(db, "practitioner", karin_id)
    assert action == "deactivated"
    assert changes["threads_to_unit"] == [None, len(threads)]
    assert changes["team_roles_ended"] == [None, len(members)]

    # Erik, at the same unit, sees her plans without a care contact and her thread in the queue
    auth.sign_out()
    auth.sign_in("staff-erik")
    worklist = client.get("/arbetslista")
    text = visible_text(worklist)
    assert "Planer utan fast vårdkontakt" in text
    active = db.scalars(
        select(CarePlan.id)
        .join(CareTeamMember, CareTeamMember.plan_id == CarePlan.id)
        .where(CareTeamMember.id.in_(members), CarePlan.status == PlanStatus.ACTIVE)
    ).all()
    assert len(active) == 3  # Maja's SIP and self-care plan, Ali's SIP
    for plan in active:
        assert f"/plan/{plan}" in worklist.get_data(as_text=True)
    queue = visible_text(client.get("/inkorg?flik=enheten"))
    assert db.get(Thread, thread_id(db, "Min vikt")).subject in queue
    assert "Enhetens kö" in queue
    # and can take it
    taken = post(client, f"/meddelanden/{thread_id(db, 'Min vikt')}/ta", {})
    assert taken.status_code == 303
    db.expire_all()
    assert db.get(Thread, thread_id(db, "Min vikt")).assigned_to_id == ids["staff-erik"]


def test_someone_who_left_cannot_sign_in(auth, client, db, ids, idp) -> None:
    auth.sign_in("admin-region")
    assert post(client, f"/katalog/personal/{ids['staff-karin']}/avsluta", {}).status_code == 303
    auth.sign_out()
    refused = client.post(
        "/demo", data={"persona": "staff-karin", "csrf_token": csrf_token(client)}
    )
    assert refused.status_code == 403
    assert "Din behörighet i Samplan har avslutats" in visible_text(refused)
    sessions = count(db, UserSession)
    karin = db.get(Practitioner, ids["staff-karin"])
    idp.set_user("karin-left", {"hsa_id": karin.hsa_id, "acr": LOA3})
    location, _ = start(client, "staff")
    response = client.get(approve(location, "karin-left"))
    assert response.status_code == 400
    assert "Din behörighet i Samplan har avslutats" in visible_text(response)
    assert count(db, UserSession) == sessions
    # reactivated, she may sign in again
    auth.sign_in("admin-region")
    assert post(client, f"/katalog/personal/{karin.id}/aktivera", {}).status_code == 303
    auth.sign_out()
    auth.sign_in("staff-karin")


def test_search_and_history_lists(auth, client, db, ids) -> None:
    auth.sign_in("admin-region")
    found = visible_text(client.get("/katalog/personal?q=berg"))
    assert "Karin Berg" in found
    assert "Erik Olsson" not in found
    assert "Lena Holm" not in found  # the municipality's
    assert "Karin Berg" not in visible_text(client.get("/katalog/personal?q=%25"))
    units = visible_text(client.get("/katalog?q=onkolog"))
    assert "Onkologkliniken" in units
    assert "Ortopedkliniken" not in units
    unit = db.get(Practitioner, ids["staff-sofia"]).unit_id
    form = unit_form(hsa_id=db.get(CareUnit, unit).hsa_id, name="Onkologen, Sunderby sjukhus",
                     response_working_days="3")  # fmt: skip
    assert post(client, f"/katalog/enheter/{unit}", form).status_code == 303
    overview = visible_text(client.get("/katalog"))
    assert "Senaste ändringarna" in overview
    assert "Av Eva Strand" in overview
    assert "Svarslöfte (arbetsdagar): 1 → 3" in overview


def test_an_administrator_cannot_lock_themself_out(auth, client, db, ids) -> None:
    """Eva cannot end her own access nor take away her own administrator role: nobody at her
    principal could give them back. Another administrator can."""
    eva = ids["admin-region"]
    auth.sign_in("admin-region")
    page = visible_text(client.get(f"/katalog/personal/{eva}"))
    assert "Det här är du" in page
    assert "Avsluta behörigheten" not in page

    response = post(client, f"/katalog/personal/{eva}/avsluta", {})
    assert response.status_code == 409
    assert "Du kan inte avsluta din egen behörighet" in visible_text(response)
    person = db.get(Practitioner, eva)
    unit_id, before = person.unit_id, person.roles
    response = post(
        client,
        f"/katalog/personal/{eva}",
        staff_form(
            unit_id,
            given_name=person.given_name,
            family_name=person.family_name,
            hsa_id=person.hsa_id,
            roles="care",
        ),
    )
    assert response.status_code == 400
    assert "Du kan inte ta bort din egen roll som administratör" in visible_text(response)
    db.expire_all()
    person = db.get(Practitioner, eva)
    assert (person.deactivated_at, person.roles) == (None, before)
    assert changes_of(db, "practitioner", eva) == []
