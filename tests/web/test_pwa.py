"""The installable app: manifest and icons, the service worker's cache list, offline copies only
by choice, hashed and compressed static files, and 'Den här telefonen'."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.accounts.models import UserSession
from app.pwa.models import PushSubscription
from tests.conftest import csrf_token, html
from tests.helpers import plan_id, visible_text

HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.\w+")


def shell_files(client) -> list[str]:  # noqa: ANN001
    body = client.get("/service-worker.js").get_data(as_text=True)
    match = re.search(r"var SHELL_FILES = (\[.*?\]);", body)
    assert match, body[:300]
    return json.loads(match.group(1))


def turn_offline(client, on: bool) -> None:  # noqa: ANN001
    token = csrf_token(client, "/den-har-telefonen")
    response = client.post(
        "/den-har-telefonen/offline", data={"on": "1" if on else "0", "csrf_token": token}
    )
    assert response.status_code == 303


def test_manifest_has_swedish_names_standalone_display_and_real_icons(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Samplan – min plan med vården"
    assert manifest["short_name"] == "Samplan"
    assert manifest["lang"] == "sv"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5a7a"
    assert manifest["background_color"] == "#f3f5f7"
    purposes = {}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon
        assert image.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(image.data)).size
        assert f"{width}x{height}" == icon["sizes"], icon
        purposes.setdefault(icon.get("purpose", "any"), set()).add(icon["sizes"])
        image.close()
    assert {"192x192", "512x512"} <= purposes["any"]
    assert "512x512" in purposes["maskable"]


def test_every_page_links_the_manifest_and_registers_the_worker(client) -> None:
    page = html(client.get("/logga-in"))
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-service-worker="/service-worker.js"' in page
    assert re.search(r'<script src="/static/js/offline\.[0-9a-f]{12}\.js" defer>', page)


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client) -> None:
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert 'self.addEventListener("fetch"' in response.get_data(as_text=True)


def test_the_cache_list_holds_only_public_files_for_everyone(auth, client) -> None:
    signed_out = shell_files(client)
    assert signed_out[0] == "/offline"
    for url in signed_out:
        response = client.get(url)
        assert response.status_code == 200, url  # never a redirect to the sign-in page
        assert url == "/offline" or HASHED.fullmatch(url), url
        response.close()
    offline_text = visible_text(client.get("/offline"))
    assert "Skriva och skicka meddelanden till vården." in offline_text
    assert "Det här fungerar utan internet" in offline_text
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    assert shell_files(client) == signed_out  # the same list, setting on or off
    page = visible_text(client.get("/offline"))
    assert "Maja" not in page
    assert "Logga ut" not in page


def test_without_the_setting_no_page_may_be_kept(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    for path in ("/", f"/plan/{plan_id(db, 'trygg hemma')}", "/meddelanden"):
        response = client.get(path)
        assert "X-Samplan-Offline" not in response.headers, path
        assert response.headers["Cache-Control"] == "no-store"
        assert 'id="offline-note"' not in html(response)


def test_with_the_setting_the_start_page_and_plans_are_kept_until_the_session_ends(
    app, auth, client, db, ids
) -> None:
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    row = db.scalars(
        select(UserSession).where(
            UserSession.person_id == ids["patient-maja"], UserSession.ended_at.is_(None)
        )
    ).one()
    assert row.offline_copy_since is not None
    until = row.created_at + timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    expected = f"save; until={int(until.timestamp() * 1000)}"
    for path in ("/", f"/plan/{plan_id(db, 'trygg hemma')}"):
        response = client.get(path)
        assert response.headers["X-Samplan-Offline"] == expected, path
        assert response.headers["Cache-Control"] == "no-store"  # never in the HTTP cache
        note = re.search(r'<p id="offline-note" hidden[^>]*>(.*?)</p>', html(response))
        assert note, path
        assert "Sparad på den här telefonen" in note.group(1), path
    # Other pages: the setting is on, but they are not kept.
    assert client.get("/meddelanden").headers["X-Samplan-Offline"] == "keep"
    assert client.get("/den-har-telefonen").headers["X-Samplan-Offline"] == "keep"
    # An htmx fragment of the start page is never kept as if it were the page.
    fragment = client.get("/", headers={"HX-Request": "true", "HX-Target": "unread"})
    assert fragment.headers.get("X-Samplan-Offline") == "keep"


def test_turning_the_setting_off_or_signing_out_tells_the_worker_to_delete(auth, client) -> None:
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    turn_offline(client, False)
    assert "X-Samplan-Offline" not in client.get("/").headers
    assert "Kopian på den här telefonen är borttagen." in visible_text(
        client.get("/den-har-telefonen?sparat=offline-0")
    )
    turn_offline(client, True)
    response = client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/sessioner")})
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "X-Samplan-Offline" not in client.get("/logga-in").headers


def test_the_setting_is_per_device_a_new_sign_in_starts_without_it(app, auth, client) -> None:
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    other_phone = app.test_client()
    token = csrf_token(other_phone)
    other_phone.post("/demo", data={"persona": "patient-maja", "csrf_token": token})
    assert "X-Samplan-Offline" not in other_phone.get("/").headers
    assert client.get("/").headers["X-Samplan-Offline"].startswith("save")


def test_a_relative_acting_for_someone_keeps_no_copy_of_their_plans(auth, client, db) -> None:
    auth.sign_in("proxy-anna")
    turn_offline(client, True)
    client.get("/", follow_redirects=True)  # Anna acts for Maja
    response = client.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert response.status_code == 200
    assert response.headers["X-Samplan-Offline"] == "keep"


def test_a_relative_who_opens_the_patients_plan_directly_keeps_no_copy(auth, client, db) -> None:
    """Anna turns offline reading on on her own page and opens Maja's plan by its address,
    without choosing to act for Maja first: whose data the page shows decides, not the choice."""
    auth.sign_in("proxy-anna")
    turn_offline(client, True)
    assert client.get("/den-har-telefonen").headers["X-Samplan-Offline"] == "keep"
    for path in (f"/plan/{plan_id(db, 'trygg hemma')}", f"/plan/{plan_id(db, 'Egenvård vid')}"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Maja" in html(response)
        assert response.headers["X-Samplan-Offline"] == "keep", path
        assert 'id="offline-note"' not in html(response), path
    # Maja, on her own phone, still keeps her own plans.
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    response = client.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert response.headers["X-Samplan-Offline"].startswith("save; until=")
    assert 'id="offline-note"' in html(response)


def test_staff_have_no_device_page_and_never_keep_copies(auth, client) -> None:
    auth.sign_in("staff-karin")
    assert client.get("/den-har-telefonen").status_code == 404
    assert "X-Samplan-Offline" not in client.get("/").headers


def test_static_files_have_hashed_names_cached_for_a_year(client) -> None:
    page = html(client.get("/logga-in"))
    css = re.search(r'href="(/static/css/samplan\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet has no content-hashed name"
    hashed = client.get(css.group(1))
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/samplan.css")
    assert plain.headers["Cache-Control"] == "public, no-cache"
    assert plain.data == hashed.data
    assert client.get("/static/css/samplan.000000000000.css").status_code == 404
    hashed.close()
    plain.close()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_and_static_files_are_compressed(auth, client, encoding) -> None:
    auth.sign_in("patient-maja")
    page = client.get("/", headers={"Accept-Encoding": encoding})
    assert page.headers["Content-Encoding"] == encoding
    css = re.search(r'href="(/static/css/[^"]+)"', html(client.get("/")))
    plain = client.get(css.group(1), headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    response = client.get(css.group(1), headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    # compressed to well under a third (a style sheet of about 15 KB to about 4 KB)
    assert int(response.headers["Content-Length"]) < len(plain.get_data()) / 3
    plain.close()
    response.close()


def test_without_a_vapid_key_push_is_not_offered(auth, client) -> None:
    auth.sign_in("patient-maja")
    text = visible_text(client.get("/den-har-telefonen"))
    assert "Spara min plan på den här telefonen" in text
    assert "Aviseringar" not in text


def subscribe(client, endpoint: str, p256dh: str | None = None):  # noqa: ANN001, ANN201
    from tests.web.test_push import Device, b64

    device = Device()
    token = csrf_token(client, "/den-har-telefonen")
    keys = {"p256dh": device.p256dh if p256dh is None else p256dh, "auth": b64(device.auth)}
    return client.post(
        "/den-har-telefonen/push",
        json={"endpoint": endpoint, "keys": keys},
        headers={"X-CSRFToken": token, "User-Agent": "Chromium på Android"},
    )


def test_a_patient_turns_push_on_sees_the_device_and_removes_it(auth, client, db, ids, push_on):
    auth.sign_in("patient-maja")
    page = html(client.get("/den-har-telefonen"))
    assert f'data-key="{push_on}"' in page
    assert "Inga enheter får aviseringar." in visible_text(client.get("/den-har-telefonen"))
    assert subscribe(client, "https://fcm.googleapis.com/fcm/send/abc").status_code == 204
    text = visible_text(client.get("/den-har-telefonen"))
    assert "Chromium på Android" in text
    assert "Ta bort enheten" in text
    [row] = db.scalars(
        select(PushSubscription).where(PushSubscription.person_id == ids["patient-maja"])
    ).all()
    device_id = row.id
    token = csrf_token(client, "/den-har-telefonen")
    response = client.post(
        f"/den-har-telefonen/enheter/{device_id}/ta-bort", data={"csrf_token": token}
    )
    assert response.status_code == 303
    text = visible_text(client.get(response.headers["Location"]))
    assert "Enheten är borttagen" in text
    assert "Chromium på Android" not in text
    db.expunge_all()
    assert db.get(PushSubscription, device_id) is None


def test_a_bad_subscription_is_refused_in_swedish_and_nothing_stored(auth, client, db, push_on):
    auth.sign_in("patient-per")
    for endpoint in ("http://fcm.googleapis.com/x", "file:///etc/passwd", ""):
        response = subscribe(client, endpoint)
        assert response.status_code == 400, endpoint
        assert "Aviseringar kunde inte slås på" in response.get_data(as_text=True)
    assert subscribe(client, "https://fcm.googleapis.com/y", p256dh="").status_code == 400
    assert db.scalars(select(PushSubscription)).all() == []


def test_nobody_removes_someone_elses_device(auth, client, db, ids, push_on) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, "https://fcm.googleapis.com/fcm/send/maja")
    row = db.scalars(select(PushSubscription)).one()
    auth.sign_in("patient-per")
    token = csrf_token(client, "/den-har-telefonen")
    response = client.post(
        f"/den-har-telefonen/enheter/{row.id}/ta-bort", data={"csrf_token": token}
    )
    assert response.status_code == 404
    db.expire_all()
    assert db.get(PushSubscription, row.id) is not None


def test_when_the_session_expires_the_next_page_tells_the_worker_to_delete(
    app, auth, client, monkeypatch
) -> None:
    from tests.web.test_sessions import Clock

    clock = Clock()
    monkeypatch.setitem(app.config, "NOW_FUNC", clock)
    auth.sign_in("patient-maja")
    turn_offline(client, True)
    assert client.get("/").headers["X-Samplan-Offline"].startswith("save")
    clock.advance(minutes=16)  # idle too long
    response = client.get("/", follow_redirects=True)
    assert response.request.path == "/logga-in"
    assert "X-Samplan-Offline" not in response.headers
