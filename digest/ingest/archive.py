"""A page saved as one file with what it needs: MHTML ("Webpage, Single File" in Chrome and Edge), a
MIME message whose first HTML part is the page. Its HTML and the address it was saved from."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

_MHTML = re.compile(rb"^(?:[\w-]+:[^\n]*\n|[ \t][^\n]*\n)*?content-type:\s*multipart/related", re.IGNORECASE)


def is_mhtml(data: bytes) -> bool:
    """MIME headers first, one of them saying the message is a page with its resources."""
    head = data[:8192].lstrip().replace(b"\r\n", b"\n")
    return head[:1].isalpha() and _MHTML.match(head) is not None


def mhtml_page(data: bytes) -> tuple[bytes, str | None, str | None] | None:
    """The page's HTML bytes, the charset its part declares and the address it was saved from; None
    when the message holds no HTML part."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html" and not part.is_multipart():
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            address = message.get("Snapshot-Content-Location") or part.get("Content-Location")
            charset = part.get_content_charset() if isinstance(part, EmailMessage) else None
            return payload, charset, str(address).strip() if address else None
    return None
