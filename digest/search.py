"""Full-text search from static files: run Pagefind over a built site, when it is installed.

Pagefind (the `pagefind-bin` package, `pip install 'digest[search]'`) writes its index and
scripts into <site>/pagefind/; the theme's search page loads them from there. Without it the
site is complete and the search page says that search is not available.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from digest.errors import DigestError

BUNDLE = "pagefind"  # the folder, inside the site, that holds the index


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped by the pagefind-bin package, else one on PATH, else None."""
    try:
        import pagefind_bin  # type: ignore[import-not-found]

        return Path(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError):
        found = shutil.which("pagefind")
        return Path(found) if found else None


def index_site(folder: Path) -> bool:
    """Index every page of the site in `folder` (pages mark their text with data-pagefind-body).

    True when an index was written, False when Pagefind is not installed.
    """
    executable = pagefind_executable()
    if executable is None:
        return False
    shutil.rmtree(folder / BUNDLE, ignore_errors=True)  # never mix fragments of two builds
    result = subprocess.run(
        [str(executable), "--site", str(folder), "--output-subdir", BUNDLE, "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DigestError(f"the search index could not be built: {detail[-1] if detail else result.returncode}",
                          folder, hint="run `pagefind --site output` to see the whole message, or uninstall "
                          "pagefind-bin to build without search")
    return True
