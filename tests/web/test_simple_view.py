"""Enkel vy: the same data in easy-to-read Swedish, big targets, and a LIX of 30 or less."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.i18n.lix import lix
from tests.conftest import csrf_token
from tests.helpers import form_fields, visible_text

BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "a",
    "button",
    "label",
    "legend",
    "dt",
    "dd",
    "option",
    "title",
    "summary",
}
VOID = {"img", "input", "br", "meta", "link", "hr", "source"}


class InterfaceText(HTMLParser):
    """The page's own words: every text block, leaving out what care or the patient wrote
    (marked class="content") and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.blocks: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        skipping = "content" in classes or tag in {"script", "style"}
        parent_skips = bool(self.stack and self.stack[-1][1])
        if tag in BLOCKS:
            self._flush()
        self.stack.append((tag, skipping or parent_skips))

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        if tag in VOID:
            return
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data) -> None:  # noqa: ANN001
        if not (self.stack and self.stack[-1][1]):
            self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text if text[-1] in ".!?:" else text + ".")
        self.current = []

    def text(self) -> str:
        self._flush()
        return " ".join(self.blocks)


def interface_text(html: str) -> str:
    parser = InterfaceText()
    parser.feed(html)
    return parser.text()


def simple_swedish(client) -> None:  # noqa: ANN001
    token = csrf_token(client, "/sessioner")
    client.post("/enkel-vy", data={"csrf_token": token, "on": "1"})
    client.post("/sprak", data={"csrf_token": token, "lang": "sv"})


PATIENT_PERSONAS = [
    "patient-maja",
    "patient-per",
    "patient-elias",
    "patient-ali",
    "proxy-anna",
    "guardian-sara",
]


@pytest.mark.parametrize("persona", PATIENT_PERSONAS)
def test_simple_pages_read_at_lix_30_or_less(auth, client, persona) -> None:
    auth.sign_in(persona)
    simple_swedish(client)
    start = client.get("/", follow_redirects=True)
    assert 'class="app simple"' in start.get_data(as_text=True)
    pages = {"/": start.get_data(as_text=True)}
    for path in sorted(set(re.findall(r'href="(/plan/\d+)"', pages["/"]))):
        pages[path] = client.get(path).get_data(as_text=True)
    assert len(pages) >= 2, persona
    for path, html in pages.items():
        text = interface_text(html)
        assert lix(text) <= 30, f"{persona} {path}: LIX {lix(text):.1f}\n{text}"


class StrictMainText(InterfaceText):
    """Strict LIX input: only the words of the page's <main> that Samplan itself says (not what
    care or the patient wrote, not hidden elements), and a sentence ends only at . ! ? or :,
    never merely because a heading, a link or a button ends."""

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        super().handle_starttag(tag, attrs)
        # what the person wrote (a textarea's text) is theirs, not Samplan's
        if tag not in VOID and ("hidden" in dict(attrs) or tag == "textarea") and self.stack:
            self.stack[-1] = (self.stack[-1][0], True)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def strict_main_text(html: str) -> str:
    parser = StrictMainText()
    parser.feed(html[html.index("<main") : html.index("</main>") + len("</main>")])
    return parser.text()


LINK = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = ("/static/", "/logga-ut", "/demo", "/service-worker", "/manifest", "/offline")


def simple_pages(client) -> dict[str, str]:  # noqa: ANN001
    """Every page a person can reach by links from their start page, in the simple view."""
    pages: dict[str, str] = {}
    waiting = ["/"]
    while waiting and len(pages) < 80:
        path = waiting.pop(0)
        if path in pages or path.startswith(NOT_PAGES) or path.endswith((".ics", ".pdf")):
            continue
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages[path] = response.get_data(as_text=True)
        waiting += LINK.findall(pages[path])
    return pages


@pytest.mark.parametrize("persona", [*PATIENT_PERSONAS, "patient-greta"])
def test_every_simple_page_reads_at_strict_lix_30_or_less(auth, client, persona) -> None:
    """The simple view's own words on every page the person can reach, LIX computed strictly
    (seed 004 and Myndigheten för tillgänglig mediers easy-to-read measure: 30 or less is very
    easy text)."""
    auth.sign_in(persona)
    simple_swedish(client)
    pages = simple_pages(client)
    assert len(pages) >= 10, sorted(pages)
    over = {
        path: round(lix(strict_main_text(html)), 1)
        for path, html in pages.items()
        if 'class="app simple"' in html and lix(strict_main_text(html)) > 30
    }
    assert over == {}, sorted(over.items())


def test_the_simple_view_is_the_same_data_one_thing_at_a_time(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    simple_swedish(client)
    text = visible_text(client.get("/"))
    assert "Det här händer nu" in text
    assert "Ring Karin" in text
    assert "Skriv till Karin" in text
    assert "Samordnad individuell plan – trygg hemma" in text
    html = client.get("/").get_data(as_text=True)
    assert "<table" not in html
    assert 'id="read-aloud"' in html
    from tests.helpers import plan_id

    plan = visible_text(client.get(f"/plan/{plan_id(db, 'trygg hemma')}"))
    assert "SIP är en plan där vården och kommunen hjälps åt." in plan
    assert "Jag vill bo kvar hemma" in plan
    assert "Det här gör du" in plan


def test_the_choice_is_remembered_per_person(app, auth, client, db, ids) -> None:
    from app.accounts.models import Person

    auth.sign_in("patient-per")
    assert 'class="app simple"' not in client.get("/").get_data(as_text=True)
    simple_swedish(client)
    db.expire_all()
    assert db.get(Person, ids["patient-per"]).simple_view is True
    other_device = app.test_client()
    from tests.conftest import Auth

    Auth(other_device).sign_in("patient-per")
    assert 'class="app simple"' in other_device.get("/").get_data(as_text=True)


def test_ali_starts_in_the_simple_view_in_arabic(auth, client) -> None:
    auth.sign_in("patient-ali")
    html = client.get("/").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html
    assert 'class="app simple"' in html
    assert "Samordnad individuell plan efter stroke" in html  # what care wrote, as written
    assert 'lang="sv"' in html  # ... marked with its language


@pytest.mark.parametrize(
    ("lang", "heading", "direction"),
    [
        ("en", "My agreement", "ltr"),
        ("fi", "Minun sopimukseni", "ltr"),
        ("ar", None, "rtl"),
        ("so", None, "ltr"),
    ],
)
def test_interface_in_each_language_care_text_as_written(auth, client, lang, heading, direction):
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    client.post("/sprak", data={"csrf_token": token, "lang": lang})
    html = client.get("/").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert "Min överenskommelse" not in html
    if heading:
        assert heading in html
    assert (
        '<span class="content" lang="sv" dir="ltr">Samordnad individuell plan – trygg hemma</span>'
    ) in html


def test_staff_see_the_lix_of_what_they_write(app, auth, client) -> None:
    auth.sign_in("staff-karin")
    token = csrf_token(client, "/sessioner")
    hard = client.post(
        "/lasbarhet",
        data={
            "csrf_token": token,
            "body": (
                "Samordningsansvarig verksamhetschef dokumenterar egenvårdsbedömningen i "
                "journalsystemet enligt gällande dokumentationsrutin."
            ),
        },
    )
    assert "Texten är svår att läsa" in visible_text(hard)
    easy = client.post("/lasbarhet", data={"csrf_token": token, "body": "Hej Maja. Väg dig i dag."})
    assert "Lätt att läsa." in visible_text(easy)
    patient = app.test_client()
    from tests.conftest import Auth

    Auth(patient).sign_in("patient-maja")
    assert (
        patient.post(
            "/lasbarhet", data={"csrf_token": csrf_token(patient, "/sessioner"), "body": "x"}
        ).status_code
        == 404
    )


def test_the_simple_view_tells_the_real_state_of_the_answer_and_can_give_it(
    auth, client, db
) -> None:
    """Never a sentence fixed per plan kind: the latest version's real answer, every state."""
    from tests.helpers import plan_id
    from tests.web.test_patient_voice import post, publish

    pid = plan_id(db, "trygg hemma")
    first = publish(db, pid, "Nytt delmål: gå till brevlådan.")
    auth.sign_in("patient-maja")
    simple_swedish(client)
    page = client.get(f"/plan/{pid}")
    text = visible_text(page)
    assert "Du har sagt ja" not in text
    assert "Stämmer planen?" in text
    assert form_fields(page, f"/plan/{pid}/svar")["version"] == str(first)
    agreed = post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": first})
    text = visible_text(client.get(agreed.headers["Location"]))
    assert "Tack! Ditt svar på planen är sparat." in text
    assert "Du har sagt ja till planen. Det var " in text
    assert "Stämmer planen?" not in text
    second = publish(db, pid, "Hembesöken blir varje vecka.")
    text = visible_text(client.get(f"/plan/{pid}"))
    assert "Planen är ändrad. Du har inte svarat på det nya." in text
    assert "Du har sagt ja" not in text
    post(client, f"/plan/{pid}/svar", {"answer": "questions", "version": second})
    text = visible_text(client.get(f"/plan/{pid}"))
    assert "Du har sagt att du har frågor. Det var " in text


def test_ali_is_not_told_he_agreed_and_can_do_in_the_simple_view_what_the_full_view_offers(
    auth, client, db
) -> None:
    from tests.helpers import plan_id

    auth.sign_in("patient-ali")
    simple_swedish(client)
    pid = plan_id(db, "efter stroke")
    html = client.get(f"/plan/{pid}").get_data(as_text=True)
    text = visible_text(client.get(f"/plan/{pid}"))
    assert "Du har sagt ja" not in text
    assert "Du har inte svarat på planen ännu." in text
    assert f'action="/plan/{pid}/svar"' in html
    assert f'href="/plan/{pid}/mal"' in html  # propose a goal
    assert "Berätta hur det går" in text


def test_care_text_carries_its_language_in_another_language_and_says_it_is_swedish(
    auth, client, db
) -> None:
    from html import escape

    from sqlalchemy import select

    from app.goals.models import Activity, Goal
    from app.plans.models import CarePlan
    from tests.helpers import plan_id

    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    client.post("/sprak", data={"csrf_token": token, "lang": "ar"})
    for title in ("trygg hemma", "Egenvård"):
        pid = plan_id(db, title)
        html = client.get(f"/plan/{pid}").get_data(as_text=True)
        plan = db.get(CarePlan, pid)
        written = [
            *db.scalars(select(Goal.text).where(Goal.plan_id == pid)),
            *db.scalars(select(Activity.text).where(Activity.plan_id == pid)),
            *(text for text in (plan.self_care or {}).values() if text),
        ]
        assert written
        for text in written:
            shown = escape(text, quote=False)
            if shown in html:
                assert f'lang="sv" dir="ltr">{shown}</span>' in html, text
        assert "Det som vården har skrivit står på svenska." not in html  # said in Arabic
        assert 'class="meta language-note"' in html


def test_arabic_pages_separate_with_the_arabic_comma(auth, client) -> None:
    import re

    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    client.post("/enkel-vy", data={"csrf_token": token, "on": "0"})
    client.post("/sprak", data={"csrf_token": token, "lang": "ar"})
    html = client.get("/").get_data(as_text=True)
    contacts = html.split('class="contact__role"')[1:]
    assert contacts
    assert any("، " in part.split("</p>")[0] for part in contacts)
    # the page's own separators, leaving out care's Swedish (which keeps its own commas)
    roles = [re.sub(r'<span class="content".*?</span>', "", p.split("</p>")[0]) for p in contacts]
    assert not any(", " in role for role in roles), roles
