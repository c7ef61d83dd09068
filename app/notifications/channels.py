"""Where notifications go: SMTP in production, a folder of .eml files on the embedded default;
text messages to an SMS gateway (46elks' protocol), or a folder of .txt files."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from uuid import uuid4

import requests


class Channel(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class SmtpChannel:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass
class FolderChannel:
    """Writes each mail as a file, for the demo and for development."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


class SmsChannel(Protocol):
    """Sends one text message to a mobile number in E.164; raises if it was not accepted (the
    outbox then tries again later)."""

    def send(self, to: str, text: str) -> None: ...


@dataclass
class FolderSmsChannel:
    """Writes each text message as a .txt file, for the demo and for development."""

    folder: Path

    def send(self, to: str, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid4().hex[:8]}.txt"
        (self.folder / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


class SmsRefused(RuntimeError):
    """The gateway did not accept the message (the outbox tries again later)."""


@dataclass
class HttpSmsChannel:
    """An SMS gateway speaking 46elks' protocol: a form-encoded POST of `from`, `to` and
    `message` to one URL, with HTTP basic auth; any 2xx answer means accepted. The URL comes
    from configuration only (SAMPLAN_SMS_URL), never from anything a person sends."""

    url: str
    username: str
    password: str
    sender: str
    timeout: float = 10.0
    session: requests.Session = field(default_factory=requests.Session)

    def send(self, to: str, text: str) -> None:
        response = self.session.post(
            self.url,
            data={"from": self.sender, "to": to, "message": text},
            auth=(self.username, self.password),
            timeout=self.timeout,
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            # The gateway's answer may name the number; the status is enough to retry on.
            raise SmsRefused(f"SMS gateway answered {response.status_code}")
