"""Bad input found by the form fuzzer (test_fuzz_forms.py), each kept as a plain test."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_huge_id_in_the_path_is_not_found(auth, client, number) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    response = client.post(f"/sessioner/{number}/avsluta", data={"csrf_token": token})
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
    assert client.get(f"/plan/{number}").status_code == 404
    assert client.get("/sessioner").status_code == 200  # still signed in
