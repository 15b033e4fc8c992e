"""Fixtures of the contacts and sending features: office contacts for the demo's committee, an SMTP server that
can refuse recipients, and helpers to read the attachments the server received.

The offices are real (bioguide ids and thomas ids of the @unitedstates roster, CC0, as loaded by the demo data);
the staffers are invented on purpose, with addresses on the reserved example domains (RFC 2606): real staffers'
names and e-mail addresses do not belong in a test suite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from tests.endorsements_fixtures import MailCatcher, serve_smtp

# One Foreign Affairs LA per office of the demo's HSFA members, except Lieu's office (L000582), which has only a
# Legislative Director (the fallback role); committee staff for both sides.
CONTACTS_CSV = """bioguide_id,committee,side,name,role,email,phone,notes,owner
M001199,,,Avery Stone,Foreign Affairs LA,avery.stone@mast.example.org,202-225-0001,Prefers PDF,Dana (coalition)
W000795,,,Blake Rivera,Foreign Affairs LA,blake.rivera@wilson.example.org,202-225-0002,,
M001137,,,Casey Morgan,Foreign Affairs LA,casey.morgan@meeks.example.org,202-225-0003,Met in 2025,Dana (coalition)
C001091,,,Devon Lee,Foreign Affairs LA,devon.lee@castro.example.org,,,
L000582,,,Emery Quinn,Legislative Director,emery.quinn@lieu.example.org,202-225-0005,,
,HSFA,majority,Finley Park,Committee staff director,finley.park@hfac-majority.example.org,,,
,HSFA,minority,Gray Ellis,Committee staff director,gray.ellis@hfac-minority.example.org,,,
"""


class RefusingCatcher(MailCatcher):
    """Collects mail like MailCatcher, but answers 550 for the addresses in `refuse`."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd handler hook
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_refusing(app, monkeypatch) -> Iterator[RefusingCatcher]:
    """A real SMTP server on 127.0.0.1 that refuses the recipients listed in `.refuse`."""
    yield from serve_smtp(app, monkeypatch, RefusingCatcher())


def pdf_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(filename, bytes) of each PDF attached to a received message (parsed by MailCatcher with policy.default)."""
    return [
        (part.get_filename(), part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def hfac_contacts(app, demo) -> None:
    """The demo data plus CONTACTS_CSV imported through the service."""
    from advocacy.contacts.services import import_contacts
    from advocacy.extensions import db

    with app.app_context():
        import_contacts(CONTACTS_CSV, actor="test")
        db.session.commit()
