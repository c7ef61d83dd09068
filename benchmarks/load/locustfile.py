"""Virtual users for the load test (locust, headless; started by benchmarks/load.py).

* ``Patient``: signs in through the demo sign-in as a random patient of the generated region,
  then opens the start page, one of their plans, their messages and a thread, and now and then
  writes to their coordinator.
* ``Staff``: signs in as a random member of staff, opens the inbox, a thread in it, and replies.
* ``StartPage``: a patient who only opens the start page, for its throughput.
* ``Bare``: only the bare Flask route, the ceiling.

Every page is checked for what a person would see (their name, a form), so an error page or an
empty page counts as a failure, not as a fast answer. Requests are named by page
(``GET /plan/<id>``) so that locust reports each page once.

Settings come from the environment (benchmarks/load.py sets them): ``REGION_PATIENTS`` and
``REGION_STAFF`` (how many to pick from), ``THINK_SECONDS`` ("min max" between a user's requests;
"0 0" for none), ``LOAD_SEED``.

The server sets ``__Host-`` cookies that are ``Secure``, as in production; here the traffic is plain
http on the loopback, as behind a proxy that ends TLS, so each user's cookie jar treats http as
secure.
"""

from __future__ import annotations

import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from typing import Any

from locust import FastHttpUser, between, constant, task

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([^"]+)"')
PLAN_LINK = re.compile(r'href="/plan/(\d+)"')
THREAD_LINK = re.compile(r'href="/meddelanden/(\d+)"')
# The start page's contact cards link to the compose form for each current care contact.
WRITE_LINK = re.compile(r'href="/meddelanden/nytt\?plan=(\d+)&amp;till=(\d+)"')

PATIENTS = int(os.environ.get("REGION_PATIENTS", "1000"))
STAFF = int(os.environ.get("REGION_STAFF", "12"))
THINK = tuple(float(part) for part in os.environ.get("THINK_SECONDS", "1 3").split())
RNG = random.Random(int(os.environ.get("LOAD_SEED", "1")))


def think() -> Any:
    return constant(0) if THINK[1] == 0 else between(*THINK)


class SignedIn(FastHttpUser):
    """A user who signs in through the demo sign-in as a person of the region."""

    abstract = True
    wait_time = think()
    key = ""

    def on_start(self) -> None:
        policy = DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.client.cookiejar.set_policy(policy)
        self.csrf = ""
        page = self.page("/demo", "GET /demo (sign-in)", "csrf_token")
        self.csrf = self.token(page)
        with self.client.post(
            "/demo",
            data={"persona": self.key, "csrf_token": self.csrf},
            name="POST /demo (sign-in)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in as {self.key}: {response.status_code}")

    def page(self, path: str, name: str, *needles: str) -> str:
        """GET a page; a failure unless it is a 200 holding every needle."""
        with self.client.get(path, name=name, catch_response=True) as response:
            text = response.text or ""
            missing = [n for n in needles if n not in text]
            if response.status_code != 200 or missing:
                response.failure(f"{response.status_code}, missing {missing}")
            else:
                self.csrf = self.token(text) or self.csrf
            return text

    def post(self, path: str, name: str, data: dict[str, str]) -> None:
        """POST a form; a failure unless it answers 303 (the form's redirect)."""
        data = data | {"csrf_token": self.csrf}
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 303:
                response.failure(f"{response.status_code}")

    @staticmethod
    def token(page: str) -> str:
        match = CSRF.search(page)
        return match.group(1) if match else ""


class Patient(SignedIn):
    """A patient of the region (see the module)."""

    weight = 4

    def on_start(self) -> None:
        self.key = f"region-patient-{RNG.randint(1, PATIENTS)}"
        super().on_start()
        self.plans: list[str] = []
        self.contacts: list[tuple[str, str]] = []
        self.start_page()

    @task(4)
    def start_page(self) -> None:
        page = self.page("/", "GET /", "/meddelanden")
        self.plans = PLAN_LINK.findall(page) or self.plans
        self.contacts = WRITE_LINK.findall(page) or self.contacts

    @task(3)
    def plan(self) -> None:
        if self.plans:
            self.page(f"/plan/{RNG.choice(self.plans)}", "GET /plan/<id>", "<h1")

    @task(2)
    def thread(self) -> None:
        threads = THREAD_LINK.findall(self.page("/meddelanden", "GET /meddelanden", "<h1"))
        if threads:
            self.page(f"/meddelanden/{RNG.choice(threads)}", "GET /meddelanden/<id>", "<h1")

    @task(1)
    def write(self) -> None:
        if not self.contacts:  # only closed plans: nobody to write to
            return
        plan, till = RNG.choice(self.contacts)
        path = f"/meddelanden/nytt?plan={plan}&till={till}"
        key = KEY.search(self.page(path, "GET /meddelanden/nytt", 'name="key"'))
        if key:
            data = {
                "to": f"{plan}:{till}",
                "subject": "Fråga om provsvaren",
                "body": "Hej! Jag undrar över provsvaren från förra veckan.",
                "key": key.group(1),
            }
            self.post("/meddelanden/nytt", "POST /meddelanden/nytt", data)


class Staff(SignedIn):
    """A member of staff: the inbox, a thread, a reply."""

    weight = 1

    def on_start(self) -> None:
        self.key = f"staff-region-{RNG.randint(1, STAFF)}"
        super().on_start()

    @task
    def inbox_and_reply(self) -> None:
        threads = THREAD_LINK.findall(self.page("/inkorg", "GET /inkorg", "<h1"))
        if not threads:
            return
        thread = RNG.choice(threads)
        page = self.page(f"/meddelanden/{thread}", "GET /meddelanden/<id> (staff)", "<h1")
        key = KEY.search(page)
        if key and RNG.random() < 0.5:
            data = {"body": "Hej! Tack för ditt meddelande. Vi ringer dig i morgon.",
                    "key": key.group(1)}  # fmt: skip
            self.post(f"/meddelanden/{thread}/svar", "POST /meddelanden/<id>/svar", data)


class StartPage(SignedIn):
    """A patient who only opens the start page: its throughput, with no think time."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.key = f"region-patient-{RNG.randint(1, PATIENTS)}"
        super().on_start()

    @task
    def start_page(self) -> None:
        self.page("/", "GET /", "/meddelanden")


class Bare(FastHttpUser):
    """The bare Flask route, with no think time: the ceiling."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        with self.client.get("/_bare/", name="GET /_bare/", catch_response=True) as response:
            if response.status_code != 200 or response.text != "Hej":
                response.failure(f"{response.status_code}")
