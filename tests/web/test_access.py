"""Wrong ids give 404, never another person's data."""

from __future__ import annotations

import pytest

from tests.helpers import plan_id

PLANS = {
    "maja_sip": "trygg hemma",
    "maja_self_care": "Egenvård vid hjärtsvikt",
    "per": "tjocktarmscancer",
    "elias": "diabetes typ 1",
    "ali": "efter stroke",
}
ALLOWED = {
    "patient-maja": {"maja_sip", "maja_self_care"},
    "proxy-anna": {"maja_sip", "maja_self_care"},
    "patient-per": {"per"},
    "patient-elias": {"elias"},
    "guardian-sara": {"elias"},
    "patient-ali": {"ali"},
    "staff-karin": {"maja_sip", "maja_self_care", "ali"},
    "staff-erik": {"maja_sip", "maja_self_care", "ali"},
    "staff-lena": {"maja_sip", "ali"},
    "staff-sofia": {"per"},
    "staff-amir": {"elias"},
    "staff-jonas": set(),
}


@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_plan_page_matrix(auth, client, db, persona) -> None:
    auth.sign_in(persona)
    for key, title in PLANS.items():
        response = client.get(f"/plan/{plan_id(db, title)}")
        expected = 200 if key in ALLOWED[persona] else 404
        assert response.status_code == expected, (persona, key)
        if expected == 404:
            assert title not in response.get_data(as_text=True)


def test_a_plan_id_that_does_not_exist_is_404(auth, client) -> None:
    auth.sign_in("patient-maja")
    assert client.get("/plan/999999").status_code == 404


def test_switching_to_someone_you_do_not_act_for_is_404(auth, client, ids) -> None:
    from tests.conftest import csrf_token

    auth.sign_in("proxy-anna")
    token = csrf_token(client, "/vem")
    response = client.post("/vem", data={"patient_id": ids["patient-per"], "csrf_token": token})
    assert response.status_code == 404
    response = client.post("/vem", data={"patient_id": ids["patient-maja"], "csrf_token": token})
    assert response.status_code == 303


def test_the_menu_offers_ones_own_proxies_only_while_acting_for_oneself(auth, client, ids):
    """Sara acting for Elias is not offered "Ombud och närstående" (her own, which answers 404
    for Elias) on any page, pages that do not name Elias included; for herself she is."""
    from tests.conftest import csrf_token
    from tests.helpers import visible_text

    auth.sign_in("guardian-sara")
    token = csrf_token(client, "/vem")
    chosen = client.post("/vem", data={"patient_id": ids["patient-elias"], "csrf_token": token})
    assert chosen.status_code == 303
    for path in ("/", "/vem-har-tittat", "/sessioner", "/installningar/kontakt"):
        assert "Ombud och närstående" not in visible_text(client.get(path)), path
    assert client.get("/ombud").status_code == 404
    mine = client.post("/vem", data={"patient_id": "self", "csrf_token": token})
    assert mine.status_code == 303
    assert "Ombud och närstående" in visible_text(client.get("/vem-har-tittat"))
    assert client.get("/ombud").status_code == 200
