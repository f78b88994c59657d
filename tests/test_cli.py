"""The command line: exit codes, messages, and the commands that are not the build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import main

from .conftest import entry_text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_build_prints_one_summary_line(make_site) -> None:
    root = make_site({"content/a.md": entry_text()})
    result = run("build", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("built 1 entry: ") and " s" in lines[0]


def test_errors_exit_1_with_file_line_and_hint(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: x\n---\nbody\n"})
    result = run("build", cwd=root)
    assert result.returncode == 1
    assert "content/a.md:2: missing 'date'" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(make_site) -> None:
    root = make_site()
    assert run("bulid", cwd=root).returncode == 2
    assert run(cwd=root).returncode == 2


def test_stories_json_works_without_a_config(make_site) -> None:
    root = make_site({"content/2014/03/10/a-1.md": entry_text("Apple unveils new iPhone", topic="tech"),
                      "content/2014/03/10/b-2.md": entry_text("Volcano erupts in Iceland", topic="science")},
                     config=None)
    result = run("stories", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    stories = json.loads(result.stdout)["stories"]
    assert sorted(p for s in stories for p in s) == ["content/2014/03/10/a-1.md", "content/2014/03/10/b-2.md"]


def test_build_makes_the_search_index_unless_told_not_to(make_site) -> None:
    from digest.search import pagefind_executable

    assert pagefind_executable() is not None, "pagefind-bin is in the test extra"
    root = make_site({"content/a.md": entry_text(body="A unmistakable word: quokka.")})
    assert main(["-C", str(root), "build"]) == 0
    assert (root / "output/pagefind/pagefind.js").is_file()
    assert main(["-C", str(root), "build", "--no-search"]) == 0
    assert not (root / "output/pagefind").exists()
    assert main(["-C", str(root), "build"]) == 0
    assert (root / "output/pagefind/pagefind.js").is_file()


def test_a_reader_that_stops_early_gets_no_traceback(make_site) -> None:
    """`digest stories | head`: the pipe closes while digest still writes."""
    files = {f"content/e{n:03}.md": entry_text(f"Entry number {n} about the harbour plan and its long, long title "
                                               f"that fills the line {n}", date=f"2022-08-{1 + n % 28:02}T09:00:00Z")
             for n in range(600)}
    root = make_site(files)
    process = subprocess.Popen([sys.executable, "-m", "digest.cli", "stories"], cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)  # it is writing: stop reading, as head does
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in errors and "Broken pipe" not in errors, errors


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """As a user runs it: python -m digest."""
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_python_dash_m_digest_and_site_flag_before_or_after_the_command(make_site, tmp_path) -> None:
    root = make_site({"content/a.md": entry_text()})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert digest("--version", cwd=elsewhere).stdout.startswith("digest ")
    before = digest("-C", str(root), "check", cwd=elsewhere)
    after = digest("check", "-C", str(root), cwd=elsewhere)
    assert before.returncode == after.returncode == 0, after.stderr
    assert before.stdout == after.stdout and "checked 1 entry, " in after.stdout
    assert digest("build", "--site", str(root), cwd=elsewhere).returncode == 0
    assert (root / "output/index.html").is_file() and not (elsewhere / "output").exists()
    # Given both, the one after the command wins (it is the nearer).
    assert digest("-C", str(elsewhere), "stories", "-C", str(root), "--json", cwd=tmp_path).returncode == 0


def test_jobs_and_port_are_checked(make_site) -> None:
    root = make_site({"content/a.md": entry_text()})
    for bad in ("0", "-3", "two"):
        result = digest("build", "--jobs", bad, cwd=root)
        assert result.returncode == 2 and "usage: digest build" in result.stderr and "1 or more" in result.stderr
    assert digest("check", "--jobs", "0", cwd=root).returncode == 2
    assert digest("serve", "--port", "70000", cwd=root).returncode == 2
    assert digest("build", "--jobs", "1", cwd=root).returncode == 0
    assert not (root / ".digest/cache").exists() or digest("check", "--jobs", "2", cwd=root).returncode == 0


def test_config_errors_name_the_file_as_content_errors_do(make_site, tmp_path) -> None:
    root = make_site(config='[site]\ntitle = "x"\ntittle = "y"\n')
    for cwd, args in ((root, ()), (tmp_path, ("-C", str(root)))):
        result = digest(*args, "build", cwd=cwd)
        assert result.returncode == 1
        assert result.stderr.startswith("error: digest.toml:3: unknown key 'tittle'"), result.stderr
        assert str(root) not in result.stderr
    result = digest("build", "-C", str(tmp_path / "nothing-here"), cwd=tmp_path)
    assert "error: digest.toml: no digest.toml" in result.stderr and "digest init" in result.stderr


def test_build_warns_when_the_site_is_built_for_this_machine(make_site) -> None:
    root = make_site({"content/a.md": entry_text()}, config='[site]\ntitle = "x"\n')
    result = digest("build", cwd=root)
    assert result.returncode == 0 and "warning: the site is built for http://127.0.0.1:8000/" in result.stderr
    assert "--base-url" in result.stderr
    result = digest("build", "--base-url", "https://example.org/news", cwd=root)
    assert result.returncode == 0 and "warning" not in result.stderr
    assert '"feed_url": "https://example.org/news/feed.json"' in (root / "output/feed.json").read_text()
    bad = digest("build", "--base-url", "example.org", cwd=root)
    assert bad.returncode == 2 and "not an absolute http(s) URL" in bad.stderr


def test_quiet_and_verbose(make_site) -> None:
    root = make_site({"content/a.md": entry_text()})
    quiet = digest("build", "-q", cwd=root)
    assert quiet.returncode == 0 and quiet.stdout == ""
    verbose = digest("--verbose", "build", cwd=root)
    lines = verbose.stdout.splitlines()
    assert lines[0].startswith("built 1 entry") and lines[1].startswith("stages: config ")


def test_shell_completion(make_site) -> None:
    root = make_site()
    for shell in ("bash", "zsh", "fish"):
        result = digest("completion", shell, cwd=root)
        assert result.returncode == 0 and "digest" in result.stdout and len(result.stdout) > 200, shell
    assert digest("completion", "powershell-ish", cwd=root).returncode == 2
    # What the shell asks when the user types `digest bu<TAB>`: argcomplete's protocol.
    import os

    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": "digest bu", "COMP_POINT": "9", "_ARGCOMPLETE_IFS": "\n"}
    with open(root / "answer", "w+b") as answer:
        process = subprocess.run([sys.executable, "-m", "digest"], cwd=root, env={**env, "_ARGCOMPLETE_STDOUT_FILENAME":
                                 str(root / "answer")}, capture_output=True, timeout=120)
        assert process.returncode == 0, process.stderr
        assert answer.read().decode().split() == ["build"]


def test_front_matter_typos_are_warned_about_with_a_did_you_mean(make_site) -> None:
    root = make_site({"content/a.md": entry_text(summry="Lost summary", tag="Energy", flavour="kept quietly"),
                      "content/b.md": entry_text("Other", subtitle="A deliberate extra key")})
    result = digest("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "warning: content/a.md:4: unknown key 'summry' (kept as an extra key)\n  hint: did you mean 'summary'?" \
        in result.stderr
    assert "warning: content/a.md:5: unknown key 'tag'" in result.stderr and "did you mean 'tags'?" in result.stderr
    assert "flavour" not in result.stderr and "subtitle" not in result.stderr
    # check always says it; a build says it when it reads the file anew (a cached entry is not read again).
    assert "did you mean 'summary'?" in digest("check", cwd=root).stderr
    assert "warning" not in digest("build", cwd=root).stderr
    (root / "content/a.md").write_text(entry_text(summry="Still lost"))
    assert "did you mean 'summary'?" in digest("build", cwd=root).stderr


class _Terminal:
    """A stream that says it is a terminal, recording what is written to it."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_redraws_one_line_on_a_terminal_only(capsys) -> None:
    import time

    from digest.cli import Progress

    terminal = _Terminal()
    with Progress("building:", terminal, delay=0.0) as progress:  # type: ignore[arg-type]
        progress.update("load done")
        time.sleep(0.35)
        progress.print("a result line")
        progress.update("render done")
        time.sleep(0.25)
    assert "\r\x1b[Kbuilding: load done (" in terminal.text and "\r\x1b[Kbuilding: render done (" in terminal.text
    assert terminal.text.endswith("\r\x1b[K")  # cleared at the end
    assert "\n" not in terminal.text  # always the same line
    assert capsys.readouterr().out == "a result line\n"
    quiet = _Terminal()
    with Progress("building:", quiet, enabled=False, delay=0.0) as progress:  # type: ignore[arg-type]
        time.sleep(0.25)
    assert quiet.text == ""


def test_no_progress_line_in_a_pipe_and_ingest_prints_each_result(make_site) -> None:
    root = make_site()
    (root / "seeds").mkdir()
    for n in range(3):
        (root / f"seeds/s{n}.txt").write_text(f"Harbour plan number {n} approved\n\nBy A Writer\n\n"
                                              f"The council approved harbour plan {n} on Monday. " * 3)
    result = digest("ingest", cwd=root)
    assert "\r" not in result.stderr + result.stdout
    assert [line.split()[1] for line in result.stdout.splitlines()] == [f"seeds/s{n}.txt:" for n in range(3)]
    seen: list[str] = []
    from digest.ingest import ingest_paths

    results = ingest_paths(sorted((root / "seeds").iterdir()), root / "inbox", site_root=root,
                           on_result=lambda r: seen.append(r.input.name))
    assert seen == [r.input.name for r in results] == ["s0.txt", "s1.txt", "s2.txt"]


def test_an_unclosed_bracket_in_front_matter_is_named_where_it_opens(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: x\ntags: [Energy, Oil\ndate: 2022-01-01\n---\nbody\n",
                      "content/b.md": "---\ntitle: y\nextra: {a: 1\ndate: 2022-01-01\n---\nbody\n"})
    result = digest("check", cwd=root)
    assert "error: content/a.md:3: front matter is not valid YAML" in result.stderr
    assert "hint: close the [ opened on this line with ] on the same line" in result.stderr
    assert "error: content/b.md:3: " in result.stderr and "close the { opened on this line with }" in result.stderr


def test_an_unclosed_quote_in_front_matter_is_named_where_it_opens(make_site) -> None:
    root = make_site({"content/a.md": '---\ntitle: "A headline\ndate: 2022-01-01\n---\nbody\n',
                      "content/b.md": "---\ntitle: y\nsummary: 'It is\ndate: 2022-01-01\n---\nbody\n"})
    result = digest("check", cwd=root)
    assert "error: content/a.md:2: front matter is not valid YAML" in result.stderr, result.stderr
    assert "error: content/b.md:3: " in result.stderr
    assert result.stderr.count("hint: close the quote opened on this line") == 2


def test_serve_starts_with_a_broken_config_and_names_it_relatively(make_site) -> None:
    root = make_site({"content/a.md": entry_text()}, config='[site]\ntitle = "x"\ntittle = "y"\n')
    process = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--watch", "--port", "0"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        assert "serving " in process.stdout.readline()
        line = process.stderr.readline()
        assert line.startswith("first build: failed") and " digest.toml:3: unknown key 'tittle'" in line, line
        assert str(root) not in line
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_warnings_name_files_relative_to_the_site(make_site, capsys) -> None:
    # The near-duplicate tag warning of `digest check` named the entry by its whole path.
    root = make_site({"content/a.md": entry_text("A", tags="[Taxes]"),
                      "content/c.md": entry_text("C", "2022-08-17T09:00:00+01:00", tags="[Tax]")})
    assert main(["-C", str(root), "check"]) == 0
    err = capsys.readouterr().err
    assert "warning: content/a.md:4: tags 'Taxes' (1 entry) and 'Tax'" in err and str(root) not in err, err


def test_stories_without_a_content_folder_is_an_error(tmp_path: Path, capsys) -> None:
    # `digest -C /mistyped stories` printed "0 stories from 0 entries" and exited 0.
    assert main(["-C", str(tmp_path / "mistyped"), "stories"]) == 1
    assert "no content/ folder" in capsys.readouterr().err


def test_help_says_what_the_flags_do_for_each_command(capsys) -> None:
    # `digest send -h` offered "-v: also print where the build's time went" and `check -h`
    # "--drafts: publish drafts too", though neither builds or publishes anything.
    for name in ("send", "check", "ingest"):
        with pytest.raises(SystemExit):
            main([name, "-h"])
    text = capsys.readouterr().out
    assert "where the build's time went" not in text and "publish drafts" not in text
    assert "digest build only" in text and "include drafts" in text


def test_a_file_name_holding_control_characters_is_printed_escaped(make_site, capsys) -> None:
    # A name from a zip or a download holding ESC sequences ("\x1b[2J" clears the screen, "\x1b]0;" retitles
    # the window) was printed as it is by build, check, ingest and stories: the terminal acted on it.
    name = "bad\x1b]0;PWNED\x07\x1b[2J.md"
    root = make_site({f"content/{name}": "---\ntitle: [unclosed\ndate: 2022-08-15\n---\n",
                      "content/ok.md": entry_text("Fine")})
    shown = "content/bad\\x1b]0;PWNED\\x07\\x1b[2J.md:2: front matter is not valid YAML"
    for command in ("build", "check"):
        assert main(["-C", str(root), command]) == 1
        err = capsys.readouterr().err
        assert shown in err and "\x1b" not in err and "\x07" not in err, err
    (root / f"content/{name}").write_text(entry_text("Now fine", "2022-08-16T09:00:00+01:00"))
    assert main(["-C", str(root), "stories"]) == 0
    out = capsys.readouterr().out
    assert "[content/bad\\x1b]0;PWNED\\x07\\x1b[2J.md]" in out and "\x1b" not in out, out
    (root / "seeds").mkdir()
    (root / "seeds/ev\nil\x1b[31m.txt").write_text("A headline of a story\n\nThe story's text, long enough to be "
                                                   "read as an article, with a few more words in it.\n")
    assert main(["-C", str(root), "ingest"]) == 0
    out = capsys.readouterr().out
    assert "seeds/ev\\x0ail\\x1b[31m.txt: " in out and "\x1b" not in out, out


def test_the_dev_servers_rebuild_line_prints_a_file_name_escaped(tmp_path: Path) -> None:
    from digest.serve.loop import describe
    from digest.serve.watch import Change

    line = describe([Change(tmp_path / "content/a\x1b[2J.md", "content", "modified")], tmp_path)
    assert line == "content/a\\x1b[2J.md changed"


def test_two_entries_at_one_address_are_named_escaped(make_site, capsys) -> None:
    # The clash error printed the two file names inside its message as they are (only its location was escaped)
    name = "st\x1b[2Jory.md"
    root = make_site({f"content/a/{name}": entry_text("T"), f"content/b/{name}": entry_text("T")})
    assert main(["-C", str(root), "build"]) == 1
    err = capsys.readouterr().err
    assert "content/a/st\\x1b[2Jory.md and" in err or "and content/a/st\\x1b[2Jory.md" in err, err
    assert "\x1b" not in err, err
