"""The MIME message: multipart/alternative with the plain text first and the HTML last (the part a
client prefers), headers encoded as RFC 2047 and 5322 want them. Byte-stable: no random boundary,
no Message-ID, the date of the newest article (digest send adds the per-recipient headers)."""

from __future__ import annotations

import binascii
import hashlib
import io
from datetime import datetime
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message, MIMEPart
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
        self._folded: dict[int, tuple[BaseHeader, bytes]] = {}  # by id(header): the header kept, so its id is its own

    def folded(self, header: BaseHeader) -> bytes:
        """POLICY.fold_binary(header.name, header), once a header: a header object is folded by its own
        fold (a function of its parse and the policy), and an e-mail's 6 headers that repeat were
        folded again in every message (with the MIME parts' lines, a third of writing one)."""
        kept = self._folded.get(id(header))
        if kept is None:
            if len(self._folded) >= self.KEPT:
                del self._folded[next(iter(self._folded))]  # the oldest
            kept = self._folded[id(header)] = (header, POLICY.fold_binary(header.name, header))
        return kept[1]

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
_HEADERS = _Headers()
POLICY = policy.SMTP.clone(refold_source="none", header_factory=_HEADERS)


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
    # '=_' cannot occur in quoted-printable text: the boundary never appears inside a part. Written with
    # the type, as set_boundary writes it, not set after: set_boundary parsed the header once more.
    key = hashlib.blake2b(f"{subject}\0{text}\0{html}".encode("utf-8", "surrogatepass"), digest_size=12)
    message["Content-Type"] = f'multipart/alternative; boundary="=_digest_{key.hexdigest()}"'
    message.set_payload([_part(text, "plain"), _part(html, "html")])
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """message.as_bytes(), written by _Generator."""
    out = io.BytesIO()
    _Generator(out, mangle_from_=False, policy=message.policy).flatten(message)
    return out.getvalue()


class _Generator(BytesGenerator):
    """The email package's BytesGenerator (what as_bytes writes with), writing a part's text at once,
    and each header as _Headers.folded keeps it. Generator._write_lines wrote each line, and each line
    end, apart (a million writes at 10,000 entries). Its line ends are NLCRE's (CRLF, CR or LF), each
    written as the policy's linesep: the CRLFs made LFs first, so that a CR left is one on its own."""

    def _write_lines(self, lines: str) -> None:
        newline: str = self._NL  # type: ignore[attr-defined]
        self.write(lines.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline))

    def _write_headers(self, msg: Message) -> None:  # type: ignore[misc]  # not in the stubs
        if self.policy.__dict__ != POLICY.__dict__:  # the parts' copy of it (flatten clones it) is equal
            super()._write_headers(msg)  # type: ignore[misc]
            return
        out: io.BytesIO = self._fp  # type: ignore[attr-defined]
        for name, value in msg.raw_items():
            out.write(_HEADERS.folded(value) if isinstance(value, BaseHeader) else POLICY.fold_binary(name, value))
        self.write(self._NL)  # type: ignore[attr-defined]


def _part(text: str, subtype: str) -> MIMEPart:
    """A UTF-8 text part in quoted-printable: readable in the file, no line over 76 characters
    whatever the template writes. Encoded by binascii (C): set_content's encoder, in Python, took
    two thirds of the time of an edition's e-mail."""
    part = MIMEPart(policy=POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii"))
    return part
