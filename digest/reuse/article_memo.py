"""What ingest read of each input, kept by the input's bytes: `digest ingest` on a seeds/ folder
that grows every day reads again only the inputs that are new or changed.

Reading a raw article (decoding, the HTML extractor or the text-dump models, a feed's items) took
0.15-0.19 s a page on the ingest dev set, and every run read every input again before it could
tell that nothing had changed: an editor's pile of 1,000 seeds cost three minutes a run. The
articles read from an input depend only on its bytes and on the code that reads them, so they are
kept in `.digest/cache/articles/<version>/`, one pickle per input's hash; `version` hashes digest's
code, ingest's data files (the models, the name list) and every installed distribution's version
(trafilatura, lxml, feedparser and what they use), so an upgrade reads everything again. What ingest
does with the articles (which entry each goes to, what the curator changed since) is decided anew
each run, as before. An input that cannot be read is not kept: its error is found again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

from digest.ingest.article import Article
from digest.ingest.save import write_atomic
from digest.reuse.fingerprint import code_version

FOLDER = Path(".digest") / "cache" / "articles"
_INGEST = Path(__file__).parent.parent / "ingest"  # digest/ingest/: its data files count too


@functools.cache
def reading_version() -> str:
    """A hash of what reading an input depends on besides its bytes."""
    digest_ = hashlib.blake2b(code_version().encode(), digest_size=12)
    for path in sorted(_INGEST.rglob("*")):
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            digest_.update(f"{path.relative_to(_INGEST).as_posix()}\n".encode())
            digest_.update(path.read_bytes())
    for name, version in sorted((dist.metadata["Name"] or "", dist.version)
                                for dist in importlib.metadata.distributions()):
        digest_.update(f"{name} {version}\n".encode())
    return digest_.hexdigest()


class ArticleMemo:
    """read(path, data) for ingest_paths: `read`'s articles for these bytes, from the site's cache
    when an earlier run read the same bytes with the same code, else read and kept."""

    def __init__(self, site_root: Path, read: Callable[[Path, bytes], list[Article]]) -> None:
        self.read = read
        self.folder = site_root / FOLDER / reading_version()
        self._pruned = False

    def __call__(self, path: Path, data: bytes) -> list[Article]:
        kept = self.folder / hashlib.blake2b(data, digest_size=16).hexdigest()
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError,
                                 ImportError, IndexError):
            found = pickle.loads(kept.read_bytes())
            if isinstance(found, list) and found and all(isinstance(a, Article) for a in found):
                return found
        articles = self.read(path, data)  # an IngestError goes up, not kept
        with contextlib.suppress(OSError, pickle.PicklingError):
            self._keep(kept, pickle.dumps(articles, pickle.HIGHEST_PROTOCOL))
        return articles

    def _keep(self, path: Path, data: bytes) -> None:
        if not self._pruned:  # what other versions read is never read again
            self._pruned = True
            for other in path.parent.parent.glob("*"):
                if other.is_dir() and other != path.parent:
                    shutil.rmtree(other, ignore_errors=True)
        write_atomic(path, data)
