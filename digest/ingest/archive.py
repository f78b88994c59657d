"""A page saved as one file with what it needs: MHTML ("Webpage, Single File" in Chrome and Edge), a
MIME message whose first HTML part is the page, and Safari's web archive, a property list whose main
resource is the page. Each gives the page's HTML, the charset it is in and the address it was saved from."""

from __future__ import annotations

import email
import email.policy
import plistlib
import re
from email.message import EmailMessage
from typing import Any

_MHTML = re.compile(rb"^(?:[\w-]+:[^\n]*\n|[ \t][^\n]*\n)*?content-type:\s*multipart/related", re.IGNORECASE)

SavedPage = tuple[bytes, str | None, str | None]  # HTML, its charset, the address it was saved from


def archive_kind(data: bytes) -> str | None:
    """"mhtml", "webarchive", or None for any other file."""
    if data.startswith(b"bplist00") and b"WebMainResource" in data:
        return "webarchive"
    head = data[:8192].lstrip().replace(b"\r\n", b"\n")
    if head[:1].isalpha() and _MHTML.match(head) is not None:  # MIME headers, one saying: a page and its parts
        return "mhtml"
    return None


def archived_page(kind: str, data: bytes) -> SavedPage | None:
    """The page an archive holds; None when it holds no HTML page."""
    return _webarchive_page(data) if kind == "webarchive" else _mhtml_page(data)


def _mhtml_page(data: bytes) -> SavedPage | None:
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


def _webarchive_page(data: bytes) -> SavedPage | None:
    try:
        archive: Any = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None
    main = archive.get("WebMainResource") if isinstance(archive, dict) else None
    if not isinstance(main, dict) or not isinstance(main.get("WebResourceData"), bytes):
        return None
    if "html" not in str(main.get("WebResourceMIMEType", "text/html")):
        return None
    charset, address = main.get("WebResourceTextEncodingName"), main.get("WebResourceURL")
    return (main["WebResourceData"], charset if isinstance(charset, str) else None,
            address if isinstance(address, str) else None)
