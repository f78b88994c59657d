"""The MIME message: multipart/alternative with the plain text first and the HTML last (the part a
client prefers), headers encoded as RFC 2047 and 5322 want them. Byte-stable: no random boundary,
no Message-ID, the date of the newest article (digest send adds the per-recipient headers)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

# CRLF line ends, as mail is sent; headers folded at 78 characters, non-ASCII encoded.
POLICY = policy.SMTP


def build_message(html: str, text: str, *, subject: str, sender: str, date: datetime | None,
                  unsubscribe: str = "") -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    if date is not None:
        message["Date"] = format_datetime(date)
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
    # Quoted-printable: readable in the file, and no line over 76 characters whatever the template writes.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in message.iter_parts():
        del part["MIME-Version"]  # add_alternative leaves one on the part it moves: it belongs on the message only
    # '=_' cannot occur in quoted-printable text: the boundary never appears inside a part.
    key = hashlib.blake2b(f"{subject}\0{text}\0{html}".encode("utf-8", "surrogatepass"), digest_size=12)
    message.set_boundary(f"=_digest_{key.hexdigest()}")
    return message
