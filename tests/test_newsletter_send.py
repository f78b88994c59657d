"""`digest send` against a local SMTP server the test starts (aiosmtpd on 127.0.0.1): one message per
recipient, none on a rerun, a resume after the process is killed mid-list, a refused recipient
reported while the rest are delivered, bad lines reported by number, an SMTP failure that loses
nothing, and the password only from the environment."""

from __future__ import annotations

import asyncio
import email
import fcntl
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.build import BuildOptions, build
from digest.cli import main

from .conftest import BASIC_CONFIG, NOW, REPO, entry_text

FILES = {
    "content/a.md": entry_text("Alpha rises", "2022-08-15T09:00:00+01:00", topic="world", source="Wire One"),
    "content/c.md": entry_text("Business booms", "2022-08-16T10:00:00+01:00", topic="business"),
}
PEOPLE = ["ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org", "eve@example.org"]


class Inbox:
    """What the server accepted, and how it misbehaves when a test asks it to."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []  # each message as it came
        self.refuse: set[str] = set()
        self.hold_at: int | None = None  # the n-th message waits for `release`, then is not accepted
        self.held = threading.Event()
        self.release = threading.Event()
        self.fail_at: int | None = None  # the n-th message is answered 421

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        number = len(self.messages) + 1
        if self.hold_at == number:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 not accepted"
        if self.fail_at == number:
            self.fail_at = None
            return "421 4.3.2 service shutting down"
        self.raw.append(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def recipients(self) -> list[str]:
        return [to for rcpt, _ in self.messages for to in rcpt]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.release.set()
        controller.stop()


def _site(make_site: Any, port: int, extra: str = "", name: str = "site") -> Path:
    config = BASIC_CONFIG + f'[email]\nfrom = "Test Digest <news@example.org>"\nhost = "127.0.0.1"\nport = {port}\n' \
        f'security = "none"\n{extra}'
    root = make_site(FILES, config=config, name=name)
    build(root, BuildOptions(now=NOW, jobs=1))
    return root


def _recipients(root: Path, lines: list[str]) -> Path:
    path = root / "recipients.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _send(root: Path, label: str, to: Path, *more: str) -> int:
    return main(["-C", str(root), "send", label, "--to", str(to), *more])


def test_one_message_per_recipient_and_none_on_a_rerun(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    to = _recipients(root, ["# subscribers", *PEOPLE[:3], ""])
    assert _send(root, "2022-08-15", to) == 0
    assert sorted(inbox.recipients()) == PEOPLE[:3]
    ids = set()
    for rcpt, message in inbox.messages:
        assert message["To"] == rcpt[0]  # one recipient a message: nobody sees the others' addresses
        assert message["Subject"] == "Test Digest: Monday 15 August 2022"
        assert message["From"] == "Test Digest <news@example.org>"
        assert message["Date"] is not None
        ids.add(message["Message-ID"])
        assert "Alpha rises" in message.get_body(("html",)).get_content()
        assert "Alpha rises" in message.get_body(("plain",)).get_content()
    assert len(ids) == 3
    out = capsys.readouterr().out
    assert "sent 2022-08-15 to 3; 0 already had it" in out
    # a rerun, with one more address: only the new one gets it
    to = _recipients(root, [*PEOPLE[:4]])
    assert _send(root, "2022-08-15", to) == 0
    assert sorted(inbox.recipients()) == PEOPLE[:4]
    out = capsys.readouterr().out
    assert "already sent 2022-08-15 to 3 of 4" in out and "sent 2022-08-15 to 1; 3 already had it" in out
    assert _send(root, "2022-08-15", to) == 0
    assert len(inbox.messages) == 4
    log = (root / ".digest/sent/2022-08-15.log").read_text().splitlines()
    assert sorted(json.loads(line)["to"] for line in log) == PEOPLE[:4]


def test_the_weekly_roll_up_is_sent_by_its_week(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    assert _send(root, "2022-w33", _recipients(root, PEOPLE[:1])) == 0
    [(_, message)] = inbox.messages
    assert message["Subject"] == "Test Digest: the week to Sunday 21 August 2022"
    assert "sent 2022-W33 to 1" in capsys.readouterr().out
    assert (root / ".digest/sent/2022-W33.log").is_file()


def test_bad_lines_are_reported_by_line_and_skipped(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    to = _recipients(root, ["ann@example.org", "not an address", "bob@", "ANN@example.org", "cat@example.org"])
    assert _send(root, "2022-08-15", to) == 1  # something was skipped: the exit code says so
    assert sorted(inbox.recipients()) == ["ann@example.org", "cat@example.org"]
    err = capsys.readouterr().err
    assert f"warning: {to}:2: skipped 'not an address'" in err
    assert f"warning: {to}:3: skipped 'bob@'" in err
    assert f"warning: {to}:4: skipped 'ANN@example.org': the same address as line 1" in err


def test_a_refused_recipient_is_reported_and_the_rest_delivered(make_site: Any, smtp: tuple[Inbox, int],
                                                                capsys: Any) -> None:
    inbox, port = smtp
    inbox.refuse = {"bob@example.org"}
    root = _site(make_site, port)
    to = _recipients(root, PEOPLE[:3])
    assert _send(root, "2022-08-15", to) == 1
    assert sorted(inbox.recipients()) == ["ann@example.org", "cat@example.org"]
    captured = capsys.readouterr()
    assert f"{to}:2: the server refused bob@example.org: 550 5.1.1 no such mailbox here" in captured.err
    assert "sent 2022-08-15 to 2; 0 already had it; 1 address refused, 0 lines skipped" in captured.out
    # refused is not sent: once the address is fixed on the server's side, a rerun sends it
    inbox.refuse = set()
    assert _send(root, "2022-08-15", to) == 0
    assert sorted(inbox.recipients()) == PEOPLE[:3]


def test_dry_run_lists_what_would_go_and_sends_nothing(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    to = _recipients(root, PEOPLE[:2])
    assert _send(root, "2022-08-15", to, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would send 2022-08-15 to ann@example.org" in out and "would send 2022-08-15 to bob@example.org" in out
    assert "dry run: would send 2022-08-15 to 2; 0 already had it" in out
    assert inbox.messages == []
    assert not (root / ".digest/sent/2022-08-15.log").read_text()


def test_a_killed_send_resumes_with_those_not_yet_sent(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    to = _recipients(root, PEOPLE)
    inbox.hold_at = 3  # the third message is in flight when the process is killed
    command = [sys.executable, "-c", "import sys; from digest.cli import main; sys.exit(main(sys.argv[1:]))",
               "-C", str(root), "send", "2022-08-15", "--to", str(to)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert inbox.held.wait(60), process.communicate(timeout=5)
        process.kill()
        process.wait(30)
    finally:
        inbox.hold_at = None
        inbox.release.set()
    assert inbox.recipients() == PEOPLE[:2]
    assert _send(root, "2022-08-15", to) == 0
    assert sorted(inbox.recipients()) == PEOPLE  # each exactly once
    assert "already sent 2022-08-15 to 2 of 5" in capsys.readouterr().out


def test_an_smtp_failure_stops_with_a_clear_error_and_loses_nothing(make_site: Any, smtp: tuple[Inbox, int],
                                                                    capsys: Any) -> None:
    inbox, port = smtp
    inbox.fail_at = 2
    root = _site(make_site, port)
    to = _recipients(root, PEOPLE[:4])
    assert _send(root, "2022-08-15", to) == 1
    err = capsys.readouterr().err
    assert "SMTP failed sending 2022-08-15 to bob@example.org: 421 4.3.2 service shutting down" in err
    assert "sent to 1 of 4 this time" in err and "nothing is lost" in err
    assert inbox.recipients() == ["ann@example.org"]
    assert _send(root, "2022-08-15", to) == 0
    assert sorted(inbox.recipients()) == PEOPLE[:4]


def test_the_password_comes_from_the_environment_only(make_site: Any, capsys: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=check, auth_require_tls=False)
    controller.start()
    try:
        root = _site(make_site, port, 'user = "digest"\n')
        to = _recipients(root, PEOPLE[:1])
        monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
        assert _send(root, "2022-08-15", to) == 1
        assert "user is set but DIGEST_SMTP_PASSWORD is not" in capsys.readouterr().err
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
        assert _send(root, "2022-08-15", to) == 1
        assert "refused the login of 'digest'" in capsys.readouterr().err
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret")
        assert _send(root, "2022-08-15", to) == 0
        assert inbox.recipients() == PEOPLE[:1] and logins[-1] == (b"digest", b"s3cret")
    finally:
        controller.stop()


def test_send_names_what_is_missing(make_site: Any, capsys: Any) -> None:
    root = make_site(FILES)
    to = _recipients(root, PEOPLE[:1])
    assert _send(root, "2022-08-15", to) == 1
    assert "no e-mail for 2022-08-15 in output/" in capsys.readouterr().err  # not built yet
    build(root, BuildOptions(now=NOW, jobs=1))
    assert _send(root, "2022-02-30", to) == 1
    assert "not an edition or a week: '2022-02-30'" in capsys.readouterr().err
    assert _send(root, "2022-08-15", to) == 1
    assert "no SMTP server to send with" in capsys.readouterr().err
    assert _send(root, "2022-08-15", to, "--dry-run") == 0  # a dry run needs no server
    assert _send(root, "2022-08-15", root / "missing.txt") == 1
    assert "cannot read the recipients" in capsys.readouterr().err
    (root / "digest.toml").write_text(BASIC_CONFIG + "[email]\nfiles = false\n")
    build(root, BuildOptions(now=NOW, jobs=1))
    assert _send(root, "2022-08-15", to, "--dry-run") == 1
    assert "set files = true under [email]" in capsys.readouterr().err


def test_an_internationalised_domain_goes_out_in_ascii(make_site: Any, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    assert _send(root, "2022-08-15", _recipients(root, ["zoë@bücher.example", "ann@bücher.example"])) == 0
    # the domain as IDNA; the non-ASCII local part as it is (the test server offers SMTPUTF8)
    assert sorted(inbox.recipients()) == ["ann@xn--bcher-kva.example", "zoë@bücher.example"]


def test_a_long_list_unsubscribe_address_goes_out_as_written(make_site: Any, smtp: tuple[Inbox, int]) -> None:
    """RFC 2369: the header holds <address>, never RFC 2047 encoded-words (which the e-mail package
    makes of a word longer than a folded line): Gmail and the others would not find the address."""
    inbox, port = smtp
    address = "https://example.org/unsubscribe?list=weekly-digest&token=" + "0123456789abcdef" * 6
    root = _site(make_site, port, f'list_unsubscribe = "{address}"\n')
    line = f"List-Unsubscribe: <{address}>".encode()
    assert line + b"\r\n" in (root / "output/2022/08/15/email.eml").read_bytes()
    assert _send(root, "2022-08-15", _recipients(root, ["ann@example.org"])) == 0
    assert line + b"\r\n" in inbox.raw[0] and b"=?utf-8?" not in inbox.raw[0].split(b"\r\n\r\n")[0]


def test_one_click_unsubscribe_goes_out_with_its_address(make_site: Any, smtp: tuple[Inbox, int]) -> None:
    """RFC 8058: with one_click_unsubscribe, List-Unsubscribe-Post beside the https: List-Unsubscribe, in the
    .eml and as sent; without it, no such header (a POST to an address that does not expect one could
    unsubscribe nobody, or anybody)."""
    inbox, port = smtp
    address = "https://example.org/unsubscribe?list=digest"
    root = _site(make_site, port, f'list_unsubscribe = "{address}"\none_click_unsubscribe = true\n')
    header = b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    data = (root / "output/2022/08/15/email.eml").read_bytes()
    assert f"List-Unsubscribe: <{address}>\r\n".encode() in data and header in data
    assert _send(root, "2022-08-15", _recipients(root, ["ann@example.org"])) == 0
    assert header in inbox.raw[0].split(b"\r\n\r\n")[0]
    plain = _site(make_site, port, f'list_unsubscribe = "{address}"\n', name="plain")
    assert b"List-Unsubscribe-Post" not in (plain / "output/2022/08/15/email.eml").read_bytes()


def test_one_send_of_an_edition_at_a_time(make_site: Any, smtp: tuple[Inbox, int], capsys: Any) -> None:
    inbox, port = smtp
    root = _site(make_site, port)
    log = root / ".digest/sent/2022-08-15.log"
    log.parent.mkdir(parents=True)
    with open(log, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a digest send still running would
        assert _send(root, "2022-08-15", _recipients(root, PEOPLE[:1])) == 1
    assert "another digest send of this edition is running" in capsys.readouterr().err
    assert inbox.messages == []


def test_an_email_built_for_a_local_preview_is_not_sent(make_site: Any, smtp: tuple[Inbox, int],
                                                        capsys: Any) -> None:
    """base_url left at this machine's address: every link of the e-mail leads readers nowhere, so
    send refuses (naming the e-mail and the link, saying how to fix it) and a dry run warns."""
    inbox, port = smtp
    config = BASIC_CONFIG.replace('base_url = "https://news.example.org/"\n', "") + \
        f'[email]\nfrom = "Test Digest <news@example.org>"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    root = make_site(FILES, config=config)
    build(root, BuildOptions(now=NOW, jobs=1))
    to = _recipients(root, PEOPLE[:2])
    assert _send(root, "2022-08-15", to) == 1
    err = capsys.readouterr().err
    assert "links to this machine (http://127.0.0.1:8000/" in err and "email.eml" in err and "base_url" in err
    assert inbox.messages == [] and not (root / ".digest/sent/2022-08-15.log").exists()
    assert _send(root, "2022-08-15", to, "--dry-run") == 0
    captured = capsys.readouterr()
    assert "links to this machine" in captured.out + captured.err and inbox.messages == []
    build(root, BuildOptions(now=NOW, jobs=1, base_url="https://news.example.org/"))
    assert _send(root, "2022-08-15", to) == 0 and sorted(inbox.recipients()) == PEOPLE[:2]
