"""`digest init`: a new site in an empty or new folder, ready for `digest build`.

What it writes (never over an existing file):

  digest.toml                        every option, commented, at its default (made from config.SCHEMA)
  digest.schema.json                 the JSON Schema of digest.toml, for editors
  content/welcome.md                 one sample entry, saying that it is one
  static/                            copied as it is to the output's root (CNAME, favicon.ico, ...)
  .gitignore                         output/, its spare trees and the build cache
  requirements.txt                   how the deploy workflow installs this digest
  .github/workflows/publish.yml      a GitHub Pages deploy with the official actions
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import metadata
from pathlib import Path
from string import Template
from typing import Any

from digest import __version__
from digest.config import CONFIG_NAME, SCHEMA, TOPIC_KEYS
from digest.errors import ConfigError, DigestError

TEMPLATE = Path(__file__).parent / "site_template"
WORKFLOW = ".github/workflows/publish.yml"
SAMPLE_ENTRY = "content/welcome.md"
SCHEMA_NAME = "digest.schema.json"


def init_site(folder: Path, title: str | None = None, now: datetime | None = None) -> list[Path]:
    """Write a new site into `folder` (made when missing); the files written, relative to it.
    Raises ConfigError naming every file that exists already, before writing anything."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError("not a folder", folder, hint="give digest init a new or empty folder")
    files = site_files(title or _title_from(folder), now or datetime.now().astimezone())
    existing = [rel for rel in files if (folder / rel).exists()]
    if (folder / "static").exists() and not (folder / "static").is_dir():
        existing.append("static")
    if existing:
        raise ConfigError(f"{plural_files(existing)} exist already: {', '.join(existing)}", folder,
                          hint="digest init never overwrites: choose a new folder, or move those files away")
    try:
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (folder / "static").mkdir(exist_ok=True)
    except OSError as exc:  # a folder that cannot be made or written: no traceback
        raise DigestError(f"cannot write the site: {exc.strerror or exc}", Path(exc.filename or folder),
                          hint="give digest init a folder you can write to") from exc
    return [Path(rel) for rel in [*files, "static/"]]


def plural_files(names: list[str]) -> str:
    return "this file does" if len(names) == 1 else "these files"


def site_files(title: str, now: datetime) -> dict[str, str]:
    """Relative path -> text of every file a new site gets."""
    sample = Template((TEMPLATE / "content" / "welcome.md").read_text(encoding="utf-8"))
    return {
        CONFIG_NAME: config_text(title),
        SAMPLE_ENTRY: sample.substitute(date=now.replace(microsecond=0).isoformat()),
        ".gitignore": (TEMPLATE / "gitignore").read_text(encoding="utf-8"),
        SCHEMA_NAME: json.dumps(json_schema(), indent=2) + "\n",
        "requirements.txt": requirements_text(),
        WORKFLOW: (TEMPLATE / "github-pages.yml").read_text(encoding="utf-8"),
    }


def config_text(title: str) -> str:
    """digest.toml with every option of config.SCHEMA at its default, each with what it means."""
    lines = [
        f"#:schema ./{SCHEMA_NAME}",
        "# (that line lets editors that read JSON Schema, such as Taplo or Even Better TOML, check this file)",
        "#",
        "# The settings of this site. Every option is here at its default value, with what it means:",
        "# change what you need. Unknown keys are errors, so a typo never passes in silence.",
    ]
    values: dict[str, dict[str, Any]] = {"site": {"title": title}}
    for section, keys in SCHEMA.items():
        lines += ["", f"[{section}]"]
        for key, (_kind, default, meaning) in keys.items():
            value = values.get(section, {}).get(key, default)
            lines.append(f"# {meaning}")
            if (section, key) == ("site", "base_url"):
                lines.append("# (change it to where the site is published, or build with --base-url URL; "
                             "a build warns while it points at this machine)")
            lines.append(f"{key} = {_toml_value(value)}")
    lines += [
        "",
        "# Topics, in the order the site lists them. Without any [[topics]], topics come from the",
        "# entries' own `topic:`. Each topic:",
    ]
    lines += [f"#   {key}: {meaning}" for key, (_kind, meaning) in TOPIC_KEYS.items()]
    lines += [
        "#",
        "# [[topics]]",
        '# slug = "world"',
        '# title = "World"',
        '# aliases = ["World News", "International"]',
        "#",
        "# [[topics]]",
        '# slug = "general"',
        '# title = "General"',
        "",
    ]
    return "\n".join(lines)


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of digest.toml, made from config.SCHEMA, for editors."""
    kinds = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}

    def prop(kind: Any, meaning: str, default: Any = None) -> dict[str, Any]:
        spec: dict[str, Any] = {"description": meaning}
        if kind in kinds:
            spec["type"] = kinds[kind]
        if default is not None:
            spec["default"] = default
        if kind is int:
            spec["minimum"] = 1
        if kind is list:
            spec["items"] = {"type": "string"}
        if kind is dict:  # [tags] aliases: a name -> the names that mean it (or one name)
            spec["additionalProperties"] = {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                                      {"type": "string"}]}
        return spec

    sections = {section: {"type": "object", "additionalProperties": False,
                          "properties": {key: prop(kind, meaning, default)
                                         for key, (kind, default, meaning) in keys.items()}}
                for section, keys in SCHEMA.items()}
    topic: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": ["slug"],
             "properties": {key: prop(kind, meaning) for key, (kind, meaning) in TOPIC_KEYS.items()}}
    topic["properties"]["slug"]["pattern"] = "^[a-z0-9]+(-[a-z0-9]+)*$"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "digest.toml",
            "description": "The settings of a digest site.", "type": "object", "additionalProperties": False,
            "properties": {**sections, "topics": {"type": "array", "items": topic,
                                                  "description": "the site's topics, in the order it lists them"}}}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _title_from(folder: Path) -> str:
    name = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "Digest"


PLACEHOLDER_SOURCE = "git+https://REPLACE-ME/digest.git"


def requirements_text() -> str:
    """What the deploy workflow installs: this digest as it was installed here when that is an
    address CI can reach too (a git URL, an archive's URL), else a placeholder to replace: the
    name digest on the public package index belongs to another project."""
    line = f"digest[search] @ {PLACEHOLDER_SOURCE}"
    try:
        direct = metadata.distribution("digest").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    info = json.loads(direct) if direct else {}
    url = info.get("url", "")
    if "vcs_info" in info and url.startswith(("https://", "ssh://", "git+")):
        vcs = info["vcs_info"]
        ref = vcs.get("commit_id") or vcs.get("requested_revision")
        url = url if url.startswith("git+") else f"{vcs.get('vcs', 'git')}+{url}"
        line = f"digest[search] @ {url}" + (f"@{ref}" if ref else "")
    elif "archive_info" in info and url.startswith("https://"):
        line = f"digest[search] @ {url}"
    return ("# What the deploy workflow installs (pip install -r requirements.txt): where this digest comes\n"
            "# from, as a git URL (git+https://...), an archive's URL, or\n"
            f"# digest[search]=={__version__} from a package index that has it (on the public index the name\n"
            "# digest is another project's).\n"
            f"{line}\n")
