"""Ingest quality of the tuned part, cross-validated by site end to end (the aside part is never read).

The tuned sites fall in five folds (as bench/train_ingest_models.py's). For each fold the three
text-dump models are trained as that script trains them (the L2 strength and the thresholds chosen
by its own cross-validation) on the other four folds' pages alone, and the fold's pages are then
ingested as `digest ingest` does, with those models. So every tuned page is read by models that
never saw its site: the figures are what bench/ingest_quality.py's tuned rows would be on sites
not trained on (those rows read the pages with models trained on them).

    .venv/bin/python bench/cv_ingest.py [--l2 0.003] [--out FILE] [--keep DIR]

Prints the table of bench/ingest_quality.py for the text dumps (tuned part, per dev set); --out
writes per page what was asserted and how sure each model was (for choosing thresholds); --keep
keeps each fold's models. Takes a few minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import ingest_quality as iq  # noqa: E402
import train_ingest_models as tm  # noqa: E402

from digest.ingest import byline, dateline, headline, linear  # noqa: E402

FOLDS = 5


def _fold_of(site: str, across: bool = False) -> int:
    """The fold of a site ("<dev set>/<site>") as train_ingest_models.folds puts it; `across`: its dev set's
    (a harder check: other publishers, languages and label conventions than those trained on)."""
    if across:
        return [d.name for d in iq.DEVSETS].index(site.split("/")[0])
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % FOLDS


def _use_models(folder: Path) -> None:
    """Read the models from `folder` from now on (bench only: the product reads its own folder)."""
    linear._HERE = folder
    linear.load_model.cache_clear()


def _train_fold(held: int, folder: Path, l2s: list[float], across: bool) -> None:
    def keep(pages: list[tm.Page]) -> list[tm.Page]:
        return [p for p in pages if _fold_of(p["site"], across) != held]

    shipped = linear._HERE
    _use_models(shipped)
    tm.train("headline", keep(tm.headline_pages()), l2s, "fold", folder, False, True)
    for model in ("byline", "dateline"):  # candidates found around the fold's own headline model
        (folder / f"{model}.json").write_text((shipped / f"{model}.json").read_text(encoding="utf-8"),
                                              encoding="utf-8")
    _use_models(folder)
    tm.train("dateline", keep(tm.dateline_pages()), l2s, "fold", folder, True, False)
    tm.train("byline", keep(tm.byline_pages()), l2s, "fold", folder, True, False, True)


class _Recorder:
    """What each model chose for the page being read (wraps their choose functions)."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}
        for name, module in (("headline", headline), ("byline", byline), ("dateline", dateline)):
            self._wrap(name, module)

    def _wrap(self, name: str, module: Any) -> None:
        original = module.choose

        def choose(*args: Any, **kwargs: Any) -> Any:
            found = original(*args, **kwargs)
            self.seen[name] = found
            return found

        module.choose = choose


def _record(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {k: v for k, v in vars(found).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--l2", default="0.003,0.01,0.03", help="L2 strengths each fold's training chooses among")
    ap.add_argument("--out", type=Path, help="write per page predictions and model choices (tuned pages only)")
    ap.add_argument("--across", action="store_true", help="the folds are the dev sets: each dev set's tuned "
                    "pages read by models trained on the other's")
    ap.add_argument("--keep", type=Path, help="keep each fold's models in DIR/fold<n>")
    args = ap.parse_args(argv)
    l2s = [float(x) for x in args.l2.split(",")]
    shipped = linear._HERE
    recorder = _Recorder()
    pages: dict[str, list[tuple[str, dict[str, Any]]]] = {d.name: [] for d in iq.DEVSETS}
    for devset in iq.DEVSETS:
        for page_id, label in iq.load_truth(devset).items():
            site = iq.site_of(label)
            if not iq.is_aside(site):
                pages[devset.name].append((page_id, {"site": f"{devset.name}/{site}"}))
    preds: dict[str, dict[str, dict[str, Any]]] = {d.name: {} for d in iq.DEVSETS}
    with tempfile.TemporaryDirectory() as tmp:
        for held in range(len(iq.DEVSETS) if args.across else FOLDS):
            folder = (args.keep or Path(tmp)) / f"fold{held}"
            folder.mkdir(parents=True, exist_ok=True)
            print(f"fold {held}", file=sys.stderr, flush=True)
            _train_fold(held, folder, l2s, args.across)
            _use_models(folder)
            for devset in iq.DEVSETS:
                for page_id, info in pages[devset.name]:
                    if _fold_of(info["site"], args.across) != held:
                        continue
                    recorder.seen = {}
                    meta, body = iq.ingest_entry(iq.page_path(devset, page_id, "text"))
                    pred = iq.prediction(meta, body)
                    pred["fold"] = held
                    pred["site"] = info["site"]
                    pred["models"] = {k: _record(v) for k, v in recorder.seen.items()}
                    preds[devset.name][page_id] = pred
    _use_models(shipped)
    print("| dev set | input | part (pages) | body F1 (P / R) | title | author | date | entries with review "
          "| title written, right (review or not) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for devset in iq.DEVSETS:
        truth = iq.load_truth(devset)
        ids = sorted(preds[devset.name])
        m = iq.measure(iq._scorer(devset), truth, preds[devset.name], ids)
        part = "tuned, across dev sets" if args.across else "tuned, cross-validated"
        print(iq.table_line(devset.name, "text", part, m))
    if args.out:
        args.out.write_text(json.dumps(preds, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
