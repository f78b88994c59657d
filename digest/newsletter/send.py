"""`digest send`: a built e-mail (output/<edition>/email.eml) to each recipient of a list, over
SMTP as [email] in digest.toml says, once per recipient and edition, ever.

The send log (.digest/sent/<edition>.log, one JSON line per message the server accepted, written
and flushed before the next is sent) is what makes a rerun after a crash, a kill or an SMTP failure
send only to those not yet sent. Only a kill in the instant between the server's acceptance and
that line being written can repeat one message. The password is read from DIGEST_SMTP_PASSWORD.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import IO

from email_validator import EmailNotValidError, validate_email

from digest.config import Config, is_local_base_url
from digest.errors import DigestError
from digest.newsletter.message import POLICY as MESSAGE_POLICY
from digest.urls import edition_url, email_urls, week_url

PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"
TIMEOUT = 60  # seconds without an answer from the server before the send stops (nothing is lost)
_LABEL = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{4})-W(\d{2})", re.IGNORECASE)


@dataclass(frozen=True)
class Recipient:
    address: str  # as normalised by email-validator
    line: int


@dataclass(frozen=True)
class Skipped:
    line: int
    text: str
    reason: str


@dataclass
class SendReport:
    label: str
    to_send: list[Recipient] = field(default_factory=list)  # not in the send log before this run
    already: list[Recipient] = field(default_factory=list)  # in the send log: never sent again
    sent: list[Recipient] = field(default_factory=list)
    refused: list[tuple[Recipient, str]] = field(default_factory=list)  # the server refused the address
    skipped: list[Skipped] = field(default_factory=list)  # lines that are not an address, or repeat one


def email_folder(label: str) -> str:
    """'2022-08-15' -> the edition's folder, '2022-W33' -> the week's; a DigestError for anything else."""
    match = _LABEL.fullmatch(label.strip())
    try:
        if match and match.group(1):
            return edition_url(date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
        if match and 1 <= int(match.group(5)) <= date(int(match.group(4)), 12, 28).isocalendar()[1]:
            return week_url(int(match.group(4)), int(match.group(5)))
    except ValueError:
        pass
    raise DigestError(f"not an edition or a week: {label!r}",
                      hint="name an edition by its day (2022-08-15) or a weekly roll-up by its ISO week (2022-W33)")


def canonical_label(label: str) -> str:
    folder = email_folder(label)
    return folder.removeprefix("weeks/").rstrip("/").upper() if folder.startswith("weeks/") \
        else folder.rstrip("/").replace("/", "-")


def read_recipients(path: Path) -> tuple[list[Recipient], list[Skipped]]:
    """One address a line; blank lines and lines starting with # are ignored. A line that is not an
    address, or repeats an earlier one, is skipped with its reason."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read the recipients: {exc}", path,
                          hint="give a UTF-8 text file with one e-mail address a line") from exc
    recipients: list[Recipient] = []
    skipped: list[Skipped] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        try:
            valid = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            skipped.append(Skipped(number, value, str(exc)))
            continue
        # An internationalised domain goes out in its ASCII (IDNA) form, which any server takes; only a
        # non-ASCII local part needs a server with SMTPUTF8.
        address = valid.ascii_email or valid.normalized
        key = address.casefold()
        if key in seen:
            skipped.append(Skipped(number, value, f"the same address as line {seen[key]}"))
            continue
        seen[key] = number
        recipients.append(Recipient(address, number))
    return recipients, skipped


def message_path(config: Config, label: str) -> Path:
    """Where the build wrote the e-mail of `label` (canonical_label's form)."""
    return config.output_path / email_urls(email_folder(label))["eml"]


def load_message(config: Config, label: str) -> EmailMessage:
    path = message_path(config, label)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        hint = ("set files = true under [email] in digest.toml, then run digest build" if not config.email_files
                else "run digest build first; there is an e-mail for each day with entries and each week with an "
                     "edition")
        raise DigestError(f"no e-mail for {label} in {config.output_dir}/", path, hint=hint) from None
    message = BytesParser(policy=MESSAGE_POLICY).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def send_edition(config: Config, label: str, recipients_file: Path, *, dry_run: bool = False,
                 say: Callable[[str, bool], None] = lambda line, problem: None) -> SendReport:
    """Send the built e-mail of `label` to every recipient not in its send log. `say` is told of each
    step (the CLI prints it). Raises DigestError, after recording every message sent, when the SMTP
    server fails; a refused address is reported and the others are still sent. say(line, problem)."""
    label = canonical_label(label)
    message = load_message(config, label)
    local = _local_link(message)
    if local is not None:
        if not dry_run:
            raise DigestError(f"the e-mail of {label} links to this machine ({local}): it was built for a local "
                              "preview, and its readers could not open its links", message_path(config, label),
                              hint="set base_url in digest.toml to the site's address (or build with --base-url "
                                   "https://your.site/), run digest build, then send")
        say(f"the e-mail of {label} links to this machine ({local}): build it with the site's address before "
            "sending", True)
    recipients, skipped = read_recipients(recipients_file)
    report = SendReport(label, skipped=skipped)
    for bad in skipped:
        say(f"{recipients_file}:{bad.line}: skipped {bad.text!r}: {bad.reason}", True)
    log_path = config.site_root / ".digest" / "sent" / f"{label}.log"
    with _send_log(log_path) as (log, done):
        for recipient in recipients:
            (report.already if recipient.address.casefold() in done else report.to_send).append(recipient)
        if report.already:
            say(f"already sent {label} to {len(report.already)} of {len(recipients)} (send log {log_path}): "
                "not sent again", False)
        if dry_run or not report.to_send:
            for recipient in report.to_send:
                say(f"would send {label} to {recipient.address}", False)
            return report
        sender = message["From"].addresses[0].addr_spec
        with _connect(config) as smtp:
            for recipient in report.to_send:
                copy = _for(message, recipient.address, sender)
                try:
                    smtp.send_message(copy, from_addr=sender, to_addrs=[recipient.address])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError) as exc:
                    if isinstance(exc, smtplib.SMTPRecipientsRefused):
                        code, reason = next(iter(exc.recipients.values()))
                        why = f"{code} {reason.decode('utf-8', 'replace')}"
                    else:  # a non-ASCII address, and a server without SMTPUTF8
                        why = str(exc)
                    report.refused.append((recipient, why))
                    say(f"{recipients_file}:{recipient.line}: the server refused {recipient.address}: {why}", True)
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    raise DigestError(
                        f"SMTP failed sending {label} to {recipient.address}: {_describe(exc)}; "
                        f"sent to {len(report.sent)} of {len(report.to_send)} this time",
                        hint="nothing is lost: those sent are in the send log; run the same command again to send "
                             "to the rest") from exc
                _record(log, recipient.address)
                report.sent.append(recipient)
                say(f"sent {label} to {recipient.address}", False)
    return report


_LINK = re.compile(r"""https?://[^\s"'<>]+""")


def _local_link(message: EmailMessage) -> str | None:
    """The first link of the message's text or HTML to this machine (a build for a local preview,
    base_url left at 127.0.0.1), or None."""
    for kind in ("plain", "html"):
        part = message.get_body((kind,))
        if isinstance(part, EmailMessage):
            for link in _LINK.findall(part.get_content()):
                try:
                    if is_local_base_url(link):
                        return link
                except ValueError:  # not a URL urlsplit reads ("http://[x"): not a link to here
                    continue
    return None


def _for(message: EmailMessage, address: str, sender: str) -> EmailMessage:
    """The message as one recipient gets it: To, a Message-ID of its own, the time it is sent."""
    copy = BytesParser(policy=MESSAGE_POLICY).parsebytes(message.as_bytes())
    assert isinstance(copy, EmailMessage)
    copy["To"] = address
    copy["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    del copy["Date"]
    copy["Date"] = format_datetime(datetime.now(UTC))
    return copy


@contextmanager
def _send_log(path: Path) -> Iterator[tuple[IO[str], set[str]]]:
    """The log, locked (one digest send of an edition at a time), with the addresses it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as log:
        try:
            fcntl.flock(log, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DigestError("another digest send of this edition is running", path,
                              hint="wait for it to finish") from None
        log.seek(0)
        done: set[str] = set()
        for line in log.read().splitlines():
            try:
                done.add(json.loads(line)["to"].casefold())
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a line a kill cut short: its message was not recorded as sent
        yield log, done


def _record(log: IO[str], address: str) -> None:
    log.write(json.dumps({"to": address, "sent": datetime.now(UTC).isoformat(timespec="seconds")}) + "\n")
    log.flush()
    os.fsync(log.fileno())


@contextmanager
def _connect(config: Config) -> Iterator[smtplib.SMTP]:
    if not config.email_host:
        raise DigestError("no SMTP server to send with", config.site_root / "digest.toml",
                          hint='add host = "smtp.example.org" (and port, security, user, from) under [email]')
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if config.email_user and not password:
        raise DigestError(f"[email] user is set but {PASSWORD_VARIABLE} is not", config.site_root / "digest.toml",
                          hint=f"export {PASSWORD_VARIABLE}=... in the shell that runs digest send")
    where = f"{config.email_host}:{config.email_port}"
    try:
        smtp: smtplib.SMTP
        if config.email_security == "tls":
            smtp = smtplib.SMTP_SSL(config.email_host, config.email_port, timeout=TIMEOUT,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config.email_host, config.email_port, timeout=TIMEOUT)
            if config.email_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if config.email_user:
            smtp.login(config.email_user, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestError(f"the SMTP server {where} refused the login of {config.email_user!r}: {_describe(exc)}",
                          hint=f"check [email] user and {PASSWORD_VARIABLE}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestError(f"cannot connect to the SMTP server {where}: {_describe(exc)}",
                          hint="check [email] host, port and security in digest.toml; nothing was sent") from exc
    try:
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {error}"
    return str(exc) or type(exc).__name__
