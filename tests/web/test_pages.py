"""What each persona sees on the start page and the plan page."""

from __future__ import annotations

import pytest

from tests.helpers import PERSONAS, plan_id, visible_text


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "patient-maja",
            [
                "Min överenskommelse",
                "Nästa steg",
                "stugan i Kallax",
                "Samordnad individuell plan – trygg hemma",
                "Karin Berg",
                "Egenvård vid hjärtsvikt",
                "Samordnar",
                "Arkiv: avslutade planer",
                "Rehabilitering efter höftfraktur",
                "Målen är uppnådda",
            ],
        ),
        (
            "proxy-anna",
            [
                "Du agerar för Maja Lind",
                "Maja Linds överenskommelse",
                "Samordnad individuell plan – trygg hemma",
            ],
        ),
        (
            "patient-per",
            [
                "Nästa cytostatikabehandling",
                "Sofia Ek",
                "Kontaktsjuksköterska",
                "Min vårdplan cancer",
            ],
        ),
        ("patient-elias", ["Vård- och behandlingsplan – diabetes typ 1", "Amir Haddad"]),
        ("guardian-sara", ["Du agerar för Elias Svensson", "Amir Haddad"]),
        (
            "patient-ali",
            ["Samordnad individuell plan efter stroke", "Karin Berg"],
        ),
    ],
)
def test_start_page_shows_the_whole_agreement(auth, client, persona, expected) -> None:
    auth.sign_in(persona)
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    text = visible_text(response)
    for part in expected:
        assert part in text, f"{persona}: {part!r} missing"


def test_start_page_does_not_leak_other_patients(auth, client) -> None:
    auth.sign_in("patient-maja")
    text = visible_text(client.get("/"))
    for other in ("Per Nilsson", "Elias", "Ali Hassan", "tjocktarmscancer", "stroke"):
        assert other not in text


def test_next_step_prefers_the_explicit_step_set_by_care(auth, client) -> None:
    auth.sign_in("patient-per")
    text = visible_text(client.get("/"))
    step = text.split("Nästa steg", 1)[1].split("Det här är viktigt", 1)[0]
    assert "Nästa cytostatikabehandling" in step
    assert "Onkologiska dagvården" in step


def test_contact_card_has_a_phone_link(auth, client) -> None:
    auth.sign_in("patient-maja")
    body = client.get("/").get_data(as_text=True)
    assert 'href="tel:0920284012"' in body


def test_plan_page_in_the_order_a_patient_reads_it(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    response = client.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert response.status_code == 200
    text = visible_text(response)
    order = [
        "Det här är viktigt för mig",
        "Huvudmål",
        "Delmål",
        "Vem gör vad",
        "Det här gör du",
        "Det här gör vården",
        "Det här gör kommunen",
        "Vem du kan kontakta",
        "Samtycke",
        "Uppföljning",
        "Ändringar i planen",
    ]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "Jag vill bo kvar hemma" in text
    assert "Väga mig varje morgon" in text
    assert "Anna Lind (dotter)" in text
    assert "Region Norrbotten" in text
    assert "Luleå kommun" in text


def test_self_care_plan_shows_all_seven_points(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    text = visible_text(client.get(f"/plan/{plan_id(db, 'Egenvård vid hjärtsvikt')}"))
    for heading in (
        "Vad du gör",
        "Vem som gör det",
        "Hur du får instruktioner",
        "Om något går fel",
        "Om det blir annorlunda",
        "Hur och när vi följer upp",
        "När vi tänker om",
    ):
        assert heading in text
    assert "Inte ifyllt ännu" not in text


def use_full_view_in_swedish(client) -> None:  # noqa: ANN001
    from tests.conftest import csrf_token

    token = csrf_token(client, "/sessioner")
    client.post("/enkel-vy", data={"csrf_token": token, "on": "0"})
    client.post("/sprak", data={"csrf_token": token, "lang": "sv"})


def test_sip_shows_consent_and_external_actor(auth, client, db) -> None:
    auth.sign_in("patient-ali")
    use_full_view_in_swedish(client)
    text = visible_text(client.get(f"/plan/{plan_id(db, 'efter stroke')}"))
    assert "Du gav ditt samtycke" in text
    assert "Försäkringskassan" in text
    assert "Andra aktörer" in text


def test_closed_plan_shows_as_closed_with_reason(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    text = visible_text(client.get(f"/plan/{plan_id(db, 'höftfraktur')}"))
    assert "Planen är avslutad" in text
    assert "Målen är uppnådda" in text


def test_staff_see_their_patients_and_the_plan_in_a_staff_frame(auth, client, db) -> None:
    auth.sign_in("staff-karin")
    text = visible_text(client.get("/"))
    assert "Maja Lind" in text
    assert "Ali Hassan" in text
    assert "Per Nilsson" not in text
    assert "Elias" not in text
    response = client.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert "Patient: Maja Lind" in visible_text(response)


def test_staff_without_relationship_see_no_one(auth, client) -> None:
    auth.sign_in("staff-jonas")
    text = visible_text(client.get("/"))
    assert "Du har ingen vårdrelation med någon patient just nu." in text
    for name in ("Maja", "Per Nilsson", "Elias", "Ali"):
        assert name not in text


def test_signed_out_visitors_are_sent_to_sign_in(client, db) -> None:
    response = client.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_demo_page_lists_all_twelve_personas(client) -> None:
    body = client.get("/demo").get_data(as_text=True)
    for key in PERSONAS:
        assert f'value="{key}"' in body


def test_demo_sign_in_needs_the_csrf_token(client) -> None:
    assert client.post("/demo", data={"persona": "patient-maja"}).status_code == 400


def test_sign_out_ends_the_session_server_side(app, auth, client) -> None:
    auth.sign_in("patient-maja")
    copied = client.get_cookie("samplan").value
    auth.sign_out()
    assert client.get("/").status_code == 302
    other = app.test_client()
    other.set_cookie("samplan", copied)
    assert other.get("/").status_code == 302


def test_staff_search_and_paging(auth, client) -> None:
    auth.sign_in("staff-karin")
    text = visible_text(client.get("/?q=maja"))
    assert "Maja Lind" in text
    assert "Ali Hassan" not in text
    assert "Ingen av dina patienter matchar" in visible_text(client.get("/?q=zzz"))
    assert client.get("/?sida=0").status_code == 404
    fragment = client.get("/?q=ali", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="patients">')
    assert "Ali Hassan" in fragment
    assert "<html" not in fragment
