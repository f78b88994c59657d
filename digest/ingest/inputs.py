"""Which files under a folder of raw articles (seeds/) are inputs.

Not hidden files, editors' backups, the files a system leaves in every folder, nor what a browser
saves beside a page ("Save Page As... Web Page, complete": "Page.html" and "Page_files/" with its
scripts, styles and pictures). A file named on the command line is read whatever its name.
"""

from __future__ import annotations

import os
from pathlib import Path

from digest.errors import utf8_name

_PAGES = (".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht")
_SYSTEM_FILES = {"thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"}


def is_input(path: Path, folder: Path) -> bool:
    """Whether `path`, a file under `folder`, is an input to ingest rather than litter beside them."""
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        return True
    name = parts[-1] if parts else ""
    if any(part.startswith(".") for part in parts) or name.casefold() in _SYSTEM_FILES:
        return False
    if name.endswith(("~", ".swp", ".tmp", ".crdownload", ".part")) or name.startswith("#"):
        return False  # editors' backups and a download still under way
    parent = folder
    for part in parts[:-1]:
        if part.endswith("_files") and any((parent / (part.removesuffix("_files") + ext)).is_file() for ext in _PAGES):
            return False
        parent = parent / part
    return True


def inputs_under(folder: Path) -> list[Path]:
    """Every input in a folder and its subfolders, in order."""
    return sorted(path for path in folder.rglob("*") if path.is_file() and is_input(path, folder))


def linked_outside(path: Path, site_root: Path) -> str | None:
    """Where an input in the site (seeds/x.txt) leads when it is a link, or in a linked folder, to a file
    outside the site and outside its own top folder (seeds/ linked to a shared folder is fine): a link to
    ~/.ssh/id_rsa in a folder of seeds someone sent became an entry holding the key. None otherwise, and
    for a file outside the site named on the command line."""
    site = os.path.abspath(site_root)
    where = os.path.abspath(path)
    if not where.startswith(site.rstrip(os.sep) + os.sep):
        return None
    target = os.path.realpath(where)
    if target == where:
        return None
    top = os.path.join(site, os.path.relpath(where, site).split(os.sep)[0])
    roots = {os.path.realpath(site), os.path.realpath(top)}
    if any(target.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        return None
    return utf8_name(target)
