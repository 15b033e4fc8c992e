"""Fixtures for the endorsement flow: a real local SMTP server (aiosmtpd) and helpers to read its mail."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

import pytest

from tests.conftest import free_port

_LINK = re.compile(r"https?://[^\s/]+(/\S+)")


class MailCatcher:
    """Collects every message the app sends through SMTP."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str, subject_part: str = "") -> list[EmailMessage]:
        """The messages to `address` (whose subject contains `subject_part`)."""
        return [m for m in self.messages if m["To"] == address and subject_part in m["Subject"]]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_content()

    def link(self, address: str, prefix: str) -> str:
        """The path of the first link starting with `prefix` in the last mail to `address`."""
        return self.link_in(self.last_to(address), prefix)

    def link_in(self, message: EmailMessage, prefix: str) -> str:
        """The path of the first link starting with `prefix` in `message`."""
        for path in _LINK.findall(self.body(message)):
            if path.startswith(prefix):
                return path
        raise AssertionError(f"no {prefix} link in the mail to {message['To']}")


def serve_smtp(app, monkeypatch, catcher):
    """Run `catcher` as a real SMTP server on 127.0.0.1 and point the app at it until the generator closes."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield catcher
    finally:
        controller.stop()


@pytest.fixture
def smtp(app, monkeypatch) -> MailCatcher:
    """A real SMTP server on 127.0.0.1; the app sends through it for the duration of the test."""
    yield from serve_smtp(app, monkeypatch, MailCatcher())


@pytest.fixture
def invite_city(app):
    """Invite a demo city's office through the service; returns the signing path."""

    def invite(
        city_label: str = "Austin, TX", email_address: str = "mayor@austintexas.gov", name: str | None = "Ada Mayor"
    ):
        from sqlalchemy import select

        from advocacy.endorsements import services
        from advocacy.extensions import db
        from advocacy.models import Campaign
        from advocacy.uow import unit_of_work

        with app.app_context(), unit_of_work():  # commits, then sends the invitation's mail
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
            _, link = services.invite(campaign, services.find_city(city_label), email_address, name, actor="test")
        return link.split("localhost", 1)[1]

    return invite
