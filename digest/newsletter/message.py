"""The MIME message: multipart/alternative with the plain text first and the HTML last (the part a
client prefers), headers encoded as RFC 2047 and 5322 want them. Byte-stable: no random boundary,
no Message-ID, the date of the newest article (digest send adds the per-recipient headers)."""

from __future__ import annotations

import binascii
import hashlib
from datetime import datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime


class _Headers(HeaderRegistry):
    """The email package's header factory, keeping what it makes. HeaderRegistry makes a new class
    for every header it parses, and each e-mail's message parsed the same From, MIME-Version and
    parts' Content-Type and Content-Transfer-Encoding again: half the time of building a message.
    A header is a str with its parse, never changed in place: one serves every message that has it."""

    KEPT = 64  # the last headers made (an e-mail's 7 that repeat stay among them)

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._made: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = self._classes.get(name)
        if kind is None:
            kind = self._classes[name] = super().__getitem__(name)
        return kind

    def __call__(self, name: str, value: str) -> BaseHeader:
        if value.__class__ is not str:
            return super().__call__(name, value)
        header = self._made.get((name, value))
        if header is None:
            if len(self._made) >= self.KEPT:
                del self._made[next(iter(self._made))]  # the oldest
            header = self._made[name, value] = super().__call__(name, value)
        return header


# CRLF line ends, as mail is sent; headers folded at 78 characters, non-ASCII encoded. A header read
# from a file is written back as it was (refold_source): refolded, a long List-Unsubscribe became
# RFC 2047 encoded-words, which no mail service reads as an address (digest send reads the file).
POLICY = policy.SMTP.clone(refold_source="none", header_factory=_Headers())


def build_message(html: str, text: str, *, subject: str, sender: str, date: datetime | None,
                  unsubscribe: str = "", one_click: bool = False) -> EmailMessage:
    """The e-mail's MIME message. `one_click`: unsubscribing takes one POST to the https: `unsubscribe`
    address (RFC 8058's List-Unsubscribe-Post, which Gmail and Yahoo ask of bulk senders)."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    if date is not None:
        message["Date"] = format_datetime(date)
    if unsubscribe:
        # As it is, on one line: a structured header (RFC 2369) may not hold encoded-words, which the
        # policy makes of any word longer than a folded line (a tokened address often is).
        message.set_raw("List-Unsubscribe", f"<{unsubscribe}>")
        if one_click:
            message.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = "multipart/alternative"
    message.set_payload([_part(text, "plain"), _part(html, "html")])
    # '=_' cannot occur in quoted-printable text: the boundary never appears inside a part.
    key = hashlib.blake2b(f"{subject}\0{text}\0{html}".encode("utf-8", "surrogatepass"), digest_size=12)
    message.set_boundary(f"=_digest_{key.hexdigest()}")
    return message


def _part(text: str, subtype: str) -> MIMEPart:
    """A UTF-8 text part in quoted-printable: readable in the file, no line over 76 characters
    whatever the template writes. Encoded by binascii (C): set_content's encoder, in Python, took
    two thirds of the time of an edition's e-mail."""
    part = MIMEPart(policy=POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part
