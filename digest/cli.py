"""Commands and flags: the only module that prints to the terminal or exits.

Exit codes: 0 success, 1 a problem in the site (reported with file, line and hint), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from digest import __version__
from digest.errors import BuildFailed, DigestError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except DigestError as exc:
        _print_error(exc)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`digest stories | head`): stop quietly, as other tools do. Python
        # would otherwise complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool the pipe stopped


def _print_error(exc: DigestError) -> None:
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if isinstance(exc, BuildFailed):
        print(f"{exc.message}; the previous output/ is untouched", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a curated news digest.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-C", "--site", type=Path, default=Path("."), help="the site folder (default: here)")
    commands = parser.add_subparsers(title="commands")

    build = commands.add_parser("build", help="publish output/ from content/")
    _add_build_flags(build)
    build.add_argument("--no-search", dest="search", action="store_false",
                       help="skip the Pagefind search index (built when pagefind-bin is installed)")
    build.set_defaults(run=_build)

    check = commands.add_parser("check", help="validate config, content and internal links; write nothing")
    _add_build_flags(check)
    check.set_defaults(run=_check)

    new = commands.add_parser("new", help="create a new entry in content/")
    new.add_argument("title", help="the headline")
    new.add_argument("--topic", help="topic slug or alias")
    new.add_argument("--source", help="the publisher, e.g. Reuters")
    new.add_argument("--url", help="the original article's URL")
    new.add_argument("--date", help="ISO 8601 date or datetime (default: now)")
    new.set_defaults(run=_new)

    ingest = commands.add_parser("ingest", help="raw articles (text, HTML, RSS/Atom) -> entries in content/")
    ingest.add_argument("inputs", nargs="*", type=Path, help="files or folders (default: seeds/)")
    ingest.add_argument("--out", type=Path, help="where entries are written (default: content/)")
    ingest.add_argument("--force", action="store_true", help="re-ingest even edited entries (keeps a backup)")
    ingest.set_defaults(run=_ingest)

    stories = commands.add_parser("stories", help="list the stories: lead, members and why they were joined")
    stories.add_argument("--json", action="store_true", help='print {"stories": [[entry path, ...], ...]}')
    stories.set_defaults(run=_stories)

    serve = commands.add_parser("serve", help="serve output/ on http://127.0.0.1:8000/; --watch rebuilds and reloads")
    serve.add_argument("--watch", action="store_true", help="build now, then rebuild and reload the page on every save")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    _add_build_flags(serve)
    serve.set_defaults(run=_serve)
    return parser


def _add_build_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument("--drafts", action="store_true", default=None, help="publish drafts too")
    command.add_argument("--future", action="store_true", default=None, help="publish entries dated in the future")
    command.add_argument("--jobs", type=int, default=None, help="render processes (default: one per core)")


def _build(args: argparse.Namespace) -> int:
    from digest.build import BuildOptions, build

    report = build(args.site.resolve(), BuildOptions(drafts=args.drafts, future=args.future, jobs=args.jobs,
                                                     search=args.search))
    print(report.summary())
    return 0


def _check(args: argparse.Namespace) -> int:
    from digest.build import BuildOptions
    from digest.check import check_site

    problems, summary = check_site(args.site.resolve(), BuildOptions(drafts=args.drafts, future=args.future))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(summary)
    return 1 if problems else 0


def _new(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.new import new_entry

    config = load_config(args.site.resolve())
    when = datetime.fromisoformat(args.date) if args.date else None
    path = new_entry(config, args.title, topic=args.topic, source=args.source, url=args.url, when=when)
    print(f"created {path.relative_to(config.site_root)}")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.ingest import ingest_paths

    root = args.site.resolve()
    config = load_config(root, required=False)
    inputs = args.inputs or [root / "seeds"]
    files = [f for p in inputs for f in (sorted(x for x in p.iterdir() if x.is_file() and not x.name.startswith("."))
                                          if p.is_dir() else [p])]
    if not files:
        print("nothing to ingest")
        return 0
    out = args.out if args.out is not None else root / "content"
    results = ingest_paths(files, out, site_root=root, topics=config.topics, force=args.force)
    failed = 0
    for result in results:
        stream = sys.stderr if result.status == "error" else sys.stdout
        print(f"{result.status:9} {_short(result.input, root)}: {result.message}", file=stream)
        failed += result.status == "error"
    return 1 if failed else 0


def _short(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _serve(args: argparse.Namespace) -> int:
    from digest.build import BuildOptions
    from digest.serve import DevServer, Rebuild, is_loopback

    root = args.site.resolve()
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}: other machines on the network can read the site",
              file=sys.stderr)
    server = DevServer(root, BuildOptions(drafts=args.drafts, future=args.future, jobs=args.jobs),
                       host=args.host, port=args.port, watch=args.watch)

    def report(rebuild: Rebuild) -> None:
        print(rebuild.summary(root), file=sys.stderr if rebuild.error else sys.stdout, flush=True)

    try:
        server.start()
        print(f"serving {server.output_path()} on {server.url}" + ("; watching for changes" if args.watch else ""),
              flush=True)
        server.run(report)
    except KeyboardInterrupt:
        pass  # Ctrl-C: a build in progress leaves output/ untouched (it publishes atomically)
    finally:
        server.close()
    print("stopped", flush=True)
    return 0


def _stories(args: argparse.Namespace) -> int:
    from digest.build import organise_site
    from digest.config import load_config
    from digest.load import load_entries_with_features

    root = args.site.resolve()
    config = load_config(root, required=False)
    entries, features = load_entries_with_features(config)
    site = organise_site(entries, config, features)
    if args.json:
        stories = [[str(m.path) for m in s.members] for s in site.stories]
        json.dump({"stories": stories}, sys.stdout, ensure_ascii=False)
        print()
        return 0
    for story in site.stories:
        print(f"{story.key}  ({len(story.members)} source{'s' if len(story.members) != 1 else ''}, {story.reason})")
        for member in story.members:
            marker = "*" if member is story.lead else " "
            print(f"  {marker} {member.published:%Y-%m-%d} {member.source or '-'}: {member.title}  [{member.path}]")
    print(f"{len(site.stories)} stories from {len(site.entries)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
