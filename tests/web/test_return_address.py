"""Where a person returns after signing in or changing a setting (`next`): only a path on
Samplan itself. Anything else, however spelled, leads to the start page (issue #15)."""

from __future__ import annotations

import pytest

from app.web.security import safe_next
from tests.conftest import csrf_token
from tests.web.test_oidc import approve, eid_user, maja_number, start

REFUSED = [
    None,
    "",
    "plan/1",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: samplan=stolen",  # a second header: a server error before
    "/\nLocation: https://evil.example/",
    "/\t/evil.example",  # browsers drop tabs and newlines: //evil.example
    "/\r/evil.example",
    "/ /evil.example",
    "/\x00",
    "/\x7f",
    "/\u2028/evil.example",
    "/\u202e",
    "/" + "a" * 2001,
]


@pytest.mark.parametrize("target", REFUSED)
def test_anything_but_a_local_path_is_refused(target) -> None:  # noqa: ANN001
    assert safe_next(target) is None


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/", "/"),
        ("/plan/1", "/plan/1"),
        ("/meddelanden/nytt?plan=1&amne=Fr%C3%A5ga", "/meddelanden/nytt?plan=1&amne=Fr%C3%A5ga"),
        ("/sök?q=å", "/s%C3%B6k?q=%C3%A5"),  # a header carries ASCII only
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path, as browsers read it too
    ],
)
def test_a_local_path_is_kept(target: str, kept: str) -> None:
    assert safe_next(target) == kept


@pytest.mark.parametrize(
    "target", ["/\r\nSet-Cookie: samplan=stolen", "/\t/evil.example", "//evil.example"]
)
def test_forms_with_a_bad_return_address_lead_to_the_start_page(auth, client, target) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/")
    for path, data in (
        ("/session/forlang", {}),
        ("/sprak", {"lang": "en"}),
        ("/enkel-vy", {"on": "0"}),
    ):
        response = client.post(path, data={**data, "next": target, "csrf_token": token})
        assert response.status_code == 303, (path, response.status_code)
        assert response.headers["Location"] == "/", path
    assert client.get("/").status_code == 200


def test_a_local_return_address_is_followed(auth, client) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/")
    response = client.post("/sprak", data={"lang": "sv", "next": "/ombud", "csrf_token": token})
    assert response.headers["Location"] == "/ombud"


@pytest.mark.parametrize(
    "encoded", ["/%0D%0ASet-Cookie:%20samplan=stolen", "/%09/evil.example", "/%0A/evil.example"]
)
def test_signing_in_with_a_bad_return_address_leads_to_the_start_page(
    client, idp, db, ids, encoded
) -> None:
    eid_user(idp, "maja", maja_number(db, ids))
    page = client.get(f"/logga-in?next={encoded}").get_data(as_text=True)
    assert 'href="/logga-in/eid"' in page  # the address is not passed on
    location, _ = start(client, next_path=encoded)
    response = client.get(approve(location, "maja"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
