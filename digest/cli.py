"""Commands and flags: the only module that prints to the terminal or exits.

Exit codes: 0 success, 1 a problem in the site (reported with file, line and hint), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from digest import __version__
from digest.errors import BuildFailed, ContentWarning, DigestError, plural, shown_path

if TYPE_CHECKING:
    from digest.build import BuildOptions
    from digest.entry_walk import BegunWalk
    from digest.ingest import IngestResult

SHELLS = ("bash", "zsh", "fish")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    _complete(parser)
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except DigestError as exc:
        _print_error(exc, args.site.resolve(), args.command)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`digest stories | head`): stop quietly, as other tools do. Python
        # would otherwise complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool the pipe stopped


def script() -> None:
    """The `digest` command (and `python -m digest`): main(), then out of the process at once. What
    a command made is written by then (files closed, the build cache's connection closed, worker
    processes waited for); tearing down the interpreter would only free its objects one by one: after
    an addition at 100,000 entries, 0.3-0.5 s of a 10 s build (measured in session 22). So stdout and
    stderr are flushed and the process ends without that. In-process callers (the tests) call main()."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: nothing more can reach it
        code = code or 141
    os._exit(code)


class Progress:
    """A status line redrawn in place on a terminal while long work runs (what stage the build is in,
    how many inputs are ingested, the time so far), cleared when done. Nothing when the stream is not
    a terminal (a pipe, a log, CI) or with --quiet. Lines printed through it appear above it."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True, delay: float = 0.4) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.label = label
        self.detail = ""
        self.delay = delay  # quick work shows no line at all
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._tick, name="digest-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._clear()

    def update(self, detail: str) -> None:
        self.detail = detail

    def print(self, text: str, stream: TextIO | None = None) -> None:
        with self._lock:
            self._clear()
            print(text, file=stream or sys.stdout, flush=True)

    def _tick(self) -> None:
        while not self._done.wait(0.1):
            elapsed = time.monotonic() - self._started
            if elapsed < self.delay:
                continue
            line = f"{self.label} {self.detail} ({elapsed:.1f} s)".replace("  ", " ")
            width = shutil.get_terminal_size((80, 24)).columns - 1
            with self._lock:
                self.stream.write("\r\x1b[K" + line[:width])
                self.stream.flush()
                self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def _print_warnings(warnings: Sequence[DigestError], site_root: Path) -> None:
    for warning in warnings:
        for shown in _relative_paths(warning, site_root):  # as errors are shown
            print(f"warning: {shown}", file=sys.stderr, flush=True)


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request (set up by `digest completion SHELL`), then exit."""
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def _relative_paths(exc: DigestError, site_root: Path) -> list[DigestError]:
    """The problems in exc, each path relative to the site folder as content errors' are (config
    errors carry digest.toml's whole path)."""
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    for error in errors:
        if error.path is not None and error.path.is_absolute() and error.path.is_relative_to(site_root):
            error.path = error.path.relative_to(site_root)
    return errors


def _print_error(exc: DigestError, site_root: Path, command: str) -> None:
    errors = _relative_paths(exc, site_root)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if not isinstance(exc, BuildFailed):
        return
    if command in ("build", "serve"):
        print(f"{exc.message}; the previous output/ is untouched", file=sys.stderr)
    else:
        print(f"{command}: {plural(len(errors), 'problem')}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a curated news digest.",
                                     epilog="Start a site with `digest init FOLDER`; `digest COMMAND -h` for a "
                                            "command's flags.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-C", "--site", type=Path, default=Path("."), help="the site folder (default: here)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    # The same flags after the command (`digest build -C site`): SUPPRESS keeps the value given before it.
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("-C", "--site", type=Path, default=argparse.SUPPRESS, help="the site folder (default: here)")
    shared.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print only warnings and errors")
    shared.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[shared])
        sub.set_defaults(run=run, command=name)
        return sub

    init = command("init", "start a new site in FOLDER (default: the site folder): digest.toml, content/, "
                   "static/, a GitHub Pages workflow", _init)
    init.add_argument("folder", nargs="?", type=Path, help="a new or empty folder (default: -C, or here)")
    init.add_argument("--title", help="the site's name (default: the folder's name)")

    build = command("build", "publish output/ from content/", _build)
    _add_build_flags(build)
    _add_search_flag(build)

    check = command("check", "validate config, content and internal links; write nothing", _check)
    _add_build_flags(check)

    new = command("new", "create a new entry in content/ (a draft unless --no-draft)", _new)
    new.add_argument("title", help="the headline")
    new.add_argument("--topic", help="topic slug or alias")
    new.add_argument("--tags", type=_tags, default=(), help='comma-separated tags, e.g. --tags "Russia, Energy"')
    new.add_argument("--source", help="the publisher, e.g. Reuters")
    new.add_argument("--url", help="the original article's URL")
    new.add_argument("--slug", type=_slug, help="the file's and URL's name (default: made from the headline)")
    new.add_argument("--date", type=_entry_date, help="YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM], today or "
                     "yesterday (default: now)")
    new.add_argument("--draft", action=argparse.BooleanOptionalAction, default=True,
                     help="write draft: true, so that it is not published until you remove it (default: --draft)")

    ingest = command("ingest", "raw articles (text, HTML, RSS/Atom/JSON feeds) -> entries in content/", _ingest)
    ingest.add_argument("inputs", nargs="*", type=Path, help="files or folders (default: seeds/)")
    ingest.add_argument("--out", type=Path, help="where entries are written, relative to the site folder "
                        "(default: content/)")
    ingest.add_argument("--force", action="store_true", help="re-ingest even edited entries (keeps a backup)")

    stories = command("stories", "list the stories: lead, members and why they were joined", _stories)
    stories.add_argument("--json", action="store_true", help='print {"stories": [[entry path, ...], ...]}')

    serve = command("serve", "serve output/ on http://127.0.0.1:8000/; --watch rebuilds and reloads", _serve)
    serve.add_argument("--watch", action="store_true", help="build now, then rebuild and reload the page on every save")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    _add_build_flags(serve)
    _add_search_flag(serve)

    send = command("send", "mail an edition's or a week's e-mail (as built in output/) to a list of addresses over "
                   "SMTP ([email] in digest.toml), once per address", _send)
    send.add_argument("edition", help="YYYY-MM-DD for an edition, YYYY-Www for a weekly roll-up")
    send.add_argument("--to", type=Path, required=True, help="a file of recipients, one address a line")
    send.add_argument("--dry-run", action="store_true", help="list who would get it; send nothing")

    completion = command("completion", "print the shell code that completes digest's commands and flags", _completion)
    completion.add_argument("shell", choices=SHELLS, help="e.g. eval \"$(digest completion bash)\" in ~/.bashrc")
    return parser


def _add_build_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument("--drafts", action="store_true", default=None,
                         help="include drafts (draft: true, or a review: list), as [build] drafts does")
    command.add_argument("--future", action="store_true", default=None,
                         help="include entries dated in the future, as [build] future does")
    command.add_argument("--base-url", type=_base_url, help="the address the site is published at, e.g. "
                         "https://example.org/news/ (default: base_url in digest.toml)")
    command.add_argument("--jobs", type=_jobs, default=None, help="worker processes (default: one per core)")


def _add_search_flag(command: argparse.ArgumentParser) -> None:
    command.add_argument("--no-search", dest="search", action="store_false",
                         help="skip the Pagefind search index (built, in segments, when pagefind-bin is installed)")


# Argument types: a bad value is a usage error (exit 2, with the command's usage line).

def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes: give 1 or more")
    return jobs


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 0 to 65535 (0 picks a free one)")
    return port


def _base_url(text: str) -> str:
    from digest.config import is_base_url

    if not is_base_url(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an absolute http(s) URL, e.g. https://example.org/news/")
    return text if text.endswith("/") else text + "/"


def _slug(text: str) -> str:
    from digest.urls import RESERVED, slugify

    if not text or slugify(text) != text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a slug: use lowercase letters, digits and dashes, "
                                         f"e.g. {slugify(text) or 'harbour-plan'}")
    if text in RESERVED:  # the file index.md would be published under a hashed name, index-1a2b3c4d/
        raise argparse.ArgumentTypeError(f"{text!r} is a name the site keeps for itself: choose another, "
                                         f"e.g. {text}-story")
    return text


def _tags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(t.split()) for t in text.split(",") if t.strip()))


RELATIVE_DAYS = {"today": 0, "yesterday": 1}
VERBOSE_HELP = "digest build only: also print where its time went, stage by stage"
_DATE_FORM = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)?)?")


def _entry_date(text: str) -> str | date | datetime:
    """--date: a relative day (resolved in the site's timezone), a date, or a date and time."""
    word = text.strip().lower()
    if word in RELATIVE_DAYS:
        return word
    try:
        if not _DATE_FORM.fullmatch(text):  # fromisoformat also takes 20220815 and 2022-W33, which the README does not
            raise ValueError(text)
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: give YYYY-MM-DD, YYYY-MM-DDTHH:MM, "
                                         "YYYY-MM-DDTHH:MM:SS+HH:MM, today or yesterday") from None


def _init(args: argparse.Namespace) -> int:
    from digest.init import PLACEHOLDER_SOURCE, WORKFLOW, init_site

    folder = args.folder if args.folder is not None else args.site
    written = init_site(folder, title=args.title)
    if PLACEHOLDER_SOURCE in (folder / "requirements.txt").read_text(encoding="utf-8"):
        print(f"note: edit {folder / 'requirements.txt'}: say where the deploy workflow installs digest from "
              "(this one was installed from a folder)", file=sys.stderr)
    if not args.quiet:
        for path in written:
            print(f"created {folder / path}")
        where = "" if folder.resolve() == Path.cwd() else f"cd {folder} && "
        print(f"\nNext: {where}digest serve --watch    (then open the address it prints)\n"
              f"Write: digest new \"Headline\"; publish: digest build, or push to GitHub ({WORKFLOW}).")
    return 0


def _build_options(args: argparse.Namespace, **more: Any) -> BuildOptions:
    from digest.build import BuildOptions

    return BuildOptions(drafts=args.drafts, future=args.future, jobs=args.jobs, base_url=args.base_url, **more)


def _warn_of_search_without_words(language: str, search: bool) -> None:
    """A Chinese or Japanese site indexed by Pagefind's standard build: its search finds only the
    first characters of a sentence."""
    from digest.search import misses_words, pagefind_executable, writes_unspaced

    if not search or not writes_unspaced(language):
        return  # Pagefind is not looked for at every build's start: only a Chinese or Japanese site's matters
    executable = pagefind_executable()
    if executable is not None and misses_words(language, executable):
        print(f"warning: the search index cannot find words inside a sentence of this site's language "
              f"({language}): Pagefind's standard build does not split Chinese or Japanese text into words. "
              "Install its extended build: pip install pagefind-bin-extended (or digest[search-cjk])",
              file=sys.stderr)


def _waiting_notice(args: argparse.Namespace, which: str, say: Callable[[str], None]) -> Callable[[str], None]:
    """What a build of the command says when it has waited a second for another's (BuildOptions.waiting)."""
    def waiting(holder: str) -> None:
        if not args.quiet:
            say(f"waiting: {holder} is building this site; {which} begins when it is done")

    return waiting


def _build(args: argparse.Namespace) -> int:
    from digest.entry_walk import walk_entry_files
    from digest.workers import Apart

    root = args.site.resolve()
    # The entry files are statted by a process of its own from here, while the build's modules are
    # imported (0.1 s): the build takes the walk when it needs it, and no longer waits for it.
    with Apart(walk_entry_files, root / "content", root) as walk:
        return _build_walked(args, root, walk)


def _build_walked(args: argparse.Namespace, root: Path, walk: BegunWalk) -> int:
    from digest.build import apply_options, build
    from digest.config import is_local_base_url, load_config

    options = _build_options(args, search=args.search)
    config = apply_options(load_config(root), options)
    base_url = config.base_url
    if is_local_base_url(base_url):
        print(f"warning: the site is built for {base_url}, this machine: its feeds and canonical links will not "
              "work anywhere else. Set base_url in digest.toml, or build with --base-url https://your.site/",
              file=sys.stderr)
    _warn_of_search_without_words(config.language, options.search)
    with Progress("building:", enabled=not args.quiet) as progress:
        report = build(root, replace(options, progress=lambda stage: progress.update(f"{stage} done"),
                                     waiting=_waiting_notice(args, "this build",
                                                             lambda line: progress.print(line, sys.stderr))), walk)
    _print_warnings(report.warnings, root)
    if not args.quiet:
        print(report.summary())
    if args.verbose:
        print("stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in report.stages))
    return 0


def _check(args: argparse.Namespace) -> int:
    from digest.check import check_site

    warnings: list[ContentWarning] = []
    with Progress("checking:", enabled=not args.quiet):
        problems, summary = check_site(args.site.resolve(), _build_options(args), warnings)
    _print_warnings(warnings, args.site.resolve())
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not args.quiet or problems:
        print(summary)
    return 1 if problems else 0


def _new(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.new import new_entry

    config = load_config(args.site.resolve())
    when = args.date
    if isinstance(when, str):  # today, yesterday: the site's local day
        when = datetime.now(config.tz).date() - timedelta(days=RELATIVE_DAYS[when])
    path = new_entry(config, args.title, topic=args.topic, source=args.source, url=args.url, when=when,
                     tags=args.tags, slug=args.slug, draft=args.draft)
    if not args.quiet:
        rel = path.relative_to(config.site_root)
        print(f"created {rel}" + (" (a draft: remove `draft: true` to publish it; digest serve --watch --drafts "
                                  "shows it meanwhile)" if args.draft else ""))
    return 0


def _completion(args: argparse.Namespace) -> int:
    import argcomplete

    print(argcomplete.shellcode(["digest"], shell=args.shell), end="")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.ingest import ingest_paths, inputs_under, read_articles
    from digest.reuse.article_memo import ArticleMemo

    root = args.site.resolve()
    config = load_config(root, required=False)
    if not args.inputs and not (root / "seeds").is_dir():
        print("nothing to ingest: the site has no seeds/ folder (put raw articles there, "
              "or name them: digest ingest FILE...)")
        return 0
    inputs = args.inputs or [root / "seeds"]
    files = [f for p in inputs for f in (inputs_under(p) if p.is_dir() else [p])]
    if not files:
        print("nothing to ingest")
        return 0
    out = root / args.out if args.out is not None else root / "content"  # in the site, as -C names it
    content = root / "content"
    if not args.quiet and not out.resolve().is_relative_to(content.resolve()):
        shown = f"{_short(out, root)}/"
        print(f"note: {shown} is outside content/: digest build publishes only the entries under content/ "
              f"(move them there when they are ready, or ingest with --out content/{out.name})", file=sys.stderr)
    done: list[IngestResult] = []
    with Progress("ingesting:", enabled=not args.quiet) as progress:
        progress.update(f"0 of {len(files)}")

        def show(result: IngestResult) -> None:  # as each input is done, not after the last
            done.append(result)
            progress.update(f"{len(done)} of {len(files)}")
            if result.status == "error" or not args.quiet:
                line = f"{_short(result.input, root)}: {result.message}"
                if result.error is not None:  # the file it names (the input, or the state), its line, its hint
                    error = result.error
                    where = _short(Path(error.path), root) if error.path is not None else _short(result.input, root)
                    line = f"{where}{f':{error.line}' if error.line else ''}: {error.message}"
                    line += f"\n  hint: {error.hint}" if error.hint else ""
                progress.print(f"{result.status:9} {line}", sys.stderr if result.status == "error" else sys.stdout)

        ingest_paths(files, out, site_root=root, topics=config.topics, force=args.force, on_result=show,
                     read=ArticleMemo(root, read_articles))
    return 1 if any(result.status == "error" for result in done) else 0




def _short(path: Path, root: Path) -> str:
    try:
        name = str(path.resolve().relative_to(root))
    except ValueError:
        name = str(path)
    # A byte of a name that is not UTF-8 (a Latin-1 name from a zip) as \xdc: printed as it is, it stopped
    # the command with a UnicodeEncodeError. A control character too: printed, it acted on the terminal.
    return shown_path(name)


def _serve(args: argparse.Namespace) -> int:
    from digest.serve import DevServer, Rebuild, is_loopback

    root = args.site.resolve()
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}: other machines on the network can read the site",
              file=sys.stderr)
    options = _build_options(args, search=args.search, waiting=_waiting_notice(
        args, "the rebuild", lambda line: print(line, file=sys.stderr, flush=True)))
    # Served under its base URL's path (https://example.org/news/ -> /news/), as it will be published.
    server = DevServer(root, options, host=args.host, port=args.port, watch=args.watch)

    def report(rebuild: Rebuild) -> None:
        if rebuild.error is not None:
            _relative_paths(rebuild.error, root)
        if rebuild.error is not None or not args.quiet:
            print(rebuild.summary(root), file=sys.stderr if rebuild.error else sys.stdout, flush=True)
        if rebuild.report is not None:
            _print_warnings(rebuild.report.warnings, root)

    try:
        server.start()
        print(f"serving {server.output_path()} on {server.url}" + ("; watching for changes" if args.watch else ""),
              flush=True)
        server.run(report)
    except KeyboardInterrupt:
        pass  # Ctrl-C: a build in progress leaves output/ untouched (it publishes atomically)
    finally:
        server.close()
    if not args.quiet:
        print("stopped", flush=True)
    return 0


def _stories(args: argparse.Namespace) -> int:
    from digest.build import grouped_site

    root = args.site.resolve()
    if not (root / "content").is_dir():  # a mistyped -C said "0 stories from 0 entries"
        raise DigestError(f"no content/ folder in {root}", root / "content",
                          hint="run digest stories in a site folder (or one holding content/), or give it: -C FOLDER")
    with Progress("grouping stories:", enabled=not args.quiet):
        site = grouped_site(root)
    if args.json:
        stories = [[str(m.path) for m in s.members] for s in site.stories]
        json.dump({"stories": stories}, sys.stdout, ensure_ascii=False)
        print()
        return 0
    for story in site.stories:
        print(f"{story.key}  ({plural(len(story.members), 'source')}, {story.reason})")
        for member in story.members:
            marker = "*" if member is story.lead else " "
            print(f"  {marker} {member.published:%Y-%m-%d} {member.source or '-'}: {member.title}  "
                  f"[{shown_path(member.path)}]")
    if not args.quiet:
        print(f"{plural(len(site.stories), 'story', 'stories')} from {plural(len(site.entries), 'entry', 'entries')}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.newsletter.send import send_edition

    def say(line: str, problem: bool) -> None:
        if problem or not args.quiet:
            print(f"warning: {line}" if problem else line, file=sys.stderr if problem else sys.stdout, flush=True)

    report = send_edition(load_config(args.site.resolve()), args.edition, args.to, dry_run=args.dry_run, say=say)
    done = f"{len(report.already)} already had it"
    problems = f"{plural(len(report.refused), 'address', 'addresses')} refused, " \
               f"{plural(len(report.skipped), 'line')} skipped"
    if args.dry_run:
        print(f"dry run: would send {report.label} to {len(report.to_send)}; {done}; "
              f"{plural(len(report.skipped), 'line')} skipped")
    else:
        print(f"sent {report.label} to {len(report.sent)}; {done}; {problems}")
    return 1 if report.refused or report.skipped else 0


if __name__ == "__main__":
    script()
