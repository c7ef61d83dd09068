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
