"""A person's contact details, confirmed by one-time codes, and what Samplan tells them and how."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.audit.models import AccessLogEntry
from app.contact.models import ContactConfirmation
from app.db import utcnow
from app.extensions import limiter
from app.notifications.models import OutboxItem
from app.notifications.worker import FolderChannel, deliver_one
from tests.conftest import csrf_token
from tests.helpers import visible_text

PAGE = "/installningar/kontakt"
CHOICES = "/installningar/aviseringar"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # noqa: ANN204
        return self.now


@pytest.fixture
def clock(app, monkeypatch) -> Clock:  # noqa: ANN001
    moving = Clock()
    monkeypatch.setitem(app.config, "NOW_FUNC", moving)
    return moving


@pytest.fixture
def folders(app, monkeypatch, tmp_path) -> tuple[Path, Path]:  # noqa: ANN001
    mail, sms = tmp_path / "mail", tmp_path / "sms"
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(mail))
    monkeypatch.setitem(app.config, "SMS_FOLDER", str(sms))
    return mail, sms


def deliver(app, folders) -> None:  # noqa: ANN001
    while deliver_one(app, FolderChannel(folders[0])):
        pass


def post(client, path: str, data: dict) -> object:  # noqa: ANN001
    return client.post(path, data={"csrf_token": csrf_token(client, PAGE), **data})


def mailed_code(folder: Path, to: str) -> str:
    """The code in the newest mail to `to` in the mail folder."""
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = message_from_bytes(path.read_bytes())
        if message["To"] == to:
            body = message.get_payload(decode=True).decode()
            return re.search(r"\b(\d{6})\b", body).group(1)
    raise AssertionError(f"no mail to {to}")


def texted_code(folder: Path, to: str) -> str:
    for path in sorted(folder.glob("*.txt"), reverse=True):
        text = path.read_text(encoding="utf-8")
        if text.startswith(f"To: {to}\n"):
            return re.search(r"\b(\d{6})\b", text).group(1)
    raise AssertionError(f"no text message to {to}")


def person(db, ids, key: str) -> Person:  # noqa: ANN001
    db.expire_all()
    return db.get(Person, ids[key])


def test_an_email_address_is_the_persons_once_the_mailed_code_is_typed_back(
    app, auth, client, db, ids, folders
) -> None:
    auth.sign_in("patient-greta")
    response = post(client, f"{PAGE}/epost", {"email": " Greta.Lundqvist@Example.ORG "})
    assert response.status_code == 303
    assert person(db, ids, "patient-greta").email is None  # not before the code
    row = db.scalars(
        select(ContactConfirmation).where(ContactConfirmation.person_id == ids["patient-greta"])
    ).one()
    assert row.address == "Greta.Lundqvist@example.org"  # the domain normalised
    assert len(row.code_hash) == 64
    deliver(app, folders)
    code = mailed_code(folders[0], "Greta.Lundqvist@example.org")
    assert row.code_hash != code
    # Delivered: the code is no longer in the outbox.
    item = db.scalars(select(OutboxItem).where(OutboxItem.template == "contact_code_email")).one()
    db.refresh(item)
    assert "code" not in item.payload
    assert item.delivered_at is not None

    page = client.get(PAGE)
    assert "Koden som skickades till Greta.Lundqvist@example.org" in visible_text(page)
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert response.status_code == 303
    assert person(db, ids, "patient-greta").email == "Greta.Lundqvist@example.org"
    assert "E-postadressen är bekräftad" in visible_text(client.get(response.headers["Location"]))
    logged = db.scalars(
        select(AccessLogEntry.action).where(
            AccessLogEntry.patient_id == ids["patient-greta"],
            AccessLogEntry.object_type == "contact_email",
        )
    ).all()
    assert sorted(logged) == ["request", "update"]
    log = visible_text(client.get("/vem-har-tittat"))
    assert "bad om en kod för att lägga till en e-postadress" in log
    assert "bekräftade en ny e-postadress" in log


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("greta", "Skriv en e-postadress"),
        ("greta@", "Skriv en e-postadress"),
        ("greta@@example.org", "Skriv en e-postadress"),
        ("a" * 300 + "@example.org", "Skriv en e-postadress"),
        ("<script>@example.org", "Skriv en e-postadress"),
    ],
)
def test_a_malformed_email_address_changes_nothing(auth, client, db, ids, address, message):
    auth.sign_in("patient-greta")
    response = post(client, f"{PAGE}/epost", {"email": address})
    assert response.status_code == 400
    assert message in visible_text(response)
    assert db.scalars(select(ContactConfirmation)).all() == []
    assert db.scalars(select(OutboxItem).where(OutboxItem.template.like("contact_%"))).all() == []


def _ask_for_email_code(app, client, folders, address="greta@example.org") -> str:  # noqa: ANN001
    assert post(client, f"{PAGE}/epost", {"email": address}).status_code == 303
    deliver(app, folders)
    return mailed_code(folders[0], address)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_wrong_code_changes_nothing_and_the_sixth_try_needs_a_new_code(
    app, auth, client, db, ids, folders
) -> None:
    auth.sign_in("patient-greta")
    code = _ask_for_email_code(app, client, folders)
    for _try in range(4):
        response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": _wrong(code)})
        assert "Koden stämmer inte. Kontrollera den" in visible_text(response)
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": _wrong(code)})
    assert "försökt för många gånger. Be om en ny kod" in visible_text(response)
    # The sixth try, even with the right code: the code is withdrawn.
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert response.status_code == 400
    assert "Be om en ny kod" in visible_text(response)
    assert person(db, ids, "patient-greta").email is None


def test_an_expired_code_changes_nothing(app, auth, client, db, ids, folders, clock) -> None:
    auth.sign_in("patient-greta")
    code = _ask_for_email_code(app, client, folders)
    clock.now += timedelta(minutes=16)
    auth.sign_in("patient-greta")  # the session would have ended meanwhile
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert response.status_code == 400
    assert "Koden gäller inte längre" in visible_text(response)
    assert person(db, ids, "patient-greta").email is None


def test_a_malformed_code_is_refused_without_counting(app, auth, client, db, folders) -> None:
    auth.sign_in("patient-greta")
    _ask_for_email_code(app, client, folders)
    for text in ("12345", "abcdef", "١٢٣٤٥٦", "1234567"):
        response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": text})
        assert response.status_code == 400
        assert "Koden är sex siffror" in visible_text(response)
    db.expire_all()
    assert db.scalars(select(ContactConfirmation.attempts)).one() == 0


def test_a_code_is_used_once_and_only_by_its_own_person(
    app, auth, client, db, ids, folders
) -> None:
    auth.sign_in("patient-greta")
    code = _ask_for_email_code(app, client, folders)
    auth.sign_out()
    auth.sign_in("patient-per")
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert response.status_code == 400
    assert "ingen kod som väntar" in visible_text(response)
    assert person(db, ids, "patient-per").email == "per.nilsson@example.org"
    assert person(db, ids, "patient-greta").email is None
    auth.sign_out()
    auth.sign_in("patient-greta")
    assert post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code}).status_code == 303
    response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert response.status_code == 400
    assert "ingen kod som väntar" in visible_text(response)


def test_a_new_request_withdraws_the_earlier_code(app, auth, client, db, ids, folders) -> None:
    auth.sign_in("patient-greta")
    first = _ask_for_email_code(app, client, folders, "first@example.org")
    second = _ask_for_email_code(app, client, folders, "second@example.org")
    if first != second:
        response = post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": first})
        assert "Koden stämmer inte" in visible_text(response)
    assert post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": second}).status_code == 303
    assert person(db, ids, "patient-greta").email == "second@example.org"


def test_codes_asked_for_are_limited_per_hour(app, auth, client, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_CONTACT_CODE", "2 per hour")
    limiter.reset()
    try:
        auth.sign_in("patient-greta")
        for n in range(2):
            assert post(client, f"{PAGE}/epost", {"email": f"g{n}@example.org"}).status_code == 303
        assert post(client, f"{PAGE}/epost", {"email": "g3@example.org"}).status_code == 429
    finally:
        limiter.reset()


def test_a_mobile_number_is_confirmed_by_a_code_sent_by_sms(
    app, auth, client, db, ids, folders
) -> None:
    auth.sign_in("patient-greta")
    response = post(client, f"{PAGE}/mobil", {"mobile": "070-174 06 99"})
    assert response.status_code == 303
    deliver(app, folders)
    code = texted_code(folders[1], "+46701740699")
    assert person(db, ids, "patient-greta").phone is None
    assert "070-174 06 99" in visible_text(client.get(PAGE))
    assert post(client, f"{PAGE}/bekrafta", {"kind": "mobile", "code": code}).status_code == 303
    assert person(db, ids, "patient-greta").phone == "+46701740699"
    assert "Samplan skickar sms till 070-174 06 99" in visible_text(client.get(PAGE))


@pytest.mark.parametrize("number", ["08-123 456 78", "+4412345678", "070", "abc", "٠٧٠١٧٤٠٦٩٩"])
def test_a_number_that_is_not_a_swedish_mobile_changes_nothing(
    auth, client, db, ids, number
) -> None:
    auth.sign_in("patient-greta")
    response = post(client, f"{PAGE}/mobil", {"mobile": number})
    assert response.status_code == 400
    assert "Skriv ett svenskt mobilnummer" in visible_text(response)
    assert db.scalars(select(ContactConfirmation)).all() == []


def test_an_address_can_be_removed(auth, client, db, ids) -> None:
    auth.sign_in("patient-per")
    response = post(client, f"{PAGE}/ta-bort", {"kind": "email"})
    assert response.status_code == 303
    assert person(db, ids, "patient-per").email is None
    response = post(client, f"{PAGE}/ta-bort", {"kind": "email"})
    assert response.status_code == 400
    assert "ingen sådan adress" in visible_text(response)


def test_a_relative_changes_only_their_own_contact_details(auth, client, db, ids) -> None:
    auth.sign_in("proxy-anna")
    assert "Lind" in visible_text(client.get("/", follow_redirects=True))  # acting for Maja
    assert post(client, f"{PAGE}/ta-bort", {"kind": "email"}).status_code == 303
    assert person(db, ids, "proxy-anna").email is None
    assert person(db, ids, "patient-maja").email == "maja.lind@example.org"
    response = post(client, CHOICES, {"topics": ["reply"], "channels": ["sms"]})
    assert response.status_code == 303
    assert person(db, ids, "proxy-anna").notify_channels == "sms"
    assert person(db, ids, "patient-maja").notify_channels == "email sms push"


def test_staff_have_no_contact_page(auth, client) -> None:
    auth.sign_in("staff-karin")
    assert client.get(PAGE).status_code == 404


def test_choices_are_stored_and_unknown_ones_refused(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    data = {"topics": ["plan", "reply"], "channels": ["push", "email"]}
    assert post(client, CHOICES, data).status_code == 303
    maja = person(db, ids, "patient-maja")
    assert (maja.notify_topics, maja.notify_channels) == ("reply plan", "email push")
    response = post(client, CHOICES, {"topics": ["health"], "channels": ["fax"]})
    assert response.status_code == 400
    assert "Välj bland alternativen" in visible_text(response)
    maja = person(db, ids, "patient-maja")
    assert (maja.notify_topics, maja.notify_channels) == ("reply plan", "email push")


def test_the_start_page_says_when_samplan_cannot_reach_the_person(
    app, auth, client, db, ids, folders
) -> None:
    auth.sign_in("patient-greta")
    notice = "Samplan kan inte meddela dig"
    assert notice in visible_text(client.get("/"))
    code = _ask_for_email_code(app, client, folders)
    assert notice in visible_text(client.get("/"))  # not before the code
    post(client, f"{PAGE}/bekrafta", {"kind": "email", "code": code})
    assert notice not in visible_text(client.get("/"))
    # Every channel turned off: nothing reaches her again.
    post(client, CHOICES, {"topics": ["reply"]})
    assert notice in visible_text(client.get("/"))


def test_the_notice_shows_in_the_simple_view_too(auth, client, db, ids) -> None:
    auth.sign_in("patient-per")
    assert "Samplan kan inte meddela dig" not in visible_text(client.get("/"))
    post(client, f"{PAGE}/ta-bort", {"kind": "email"})
    post(client, f"{PAGE}/ta-bort", {"kind": "mobile"})
    client.post("/enkel-vy", data={"csrf_token": csrf_token(client, "/"), "on": "1"})
    page = client.get("/")
    assert "Hej Per!" in visible_text(page)  # the simple view
    assert "Samplan kan inte meddela dig" in visible_text(page)
