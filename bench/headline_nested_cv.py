"""The headline model alone, nested cross-validation by site over several splits, with the reader's gates.

    PYTHONPATH=. .venv/bin/python bench/headline_nested_cv.py [--salts ,r1,r2,r3]

What bench/cv_ingest.py measures for titles, in a minute or two instead of several minutes a split: the tuned
sites fall in five folds (the trainer's, or salted: the site's hash taken with a prefix, another split of the
same sites); for each held fold the L2 strength and the threshold are chosen as bench/train_ingest_models.py
chooses them, by its own five-fold cross-validation on the other four folds (the lowest threshold from the
reader's floor whose precision reaches its target on the titles the reader would assert), the model is fitted
there and applied to the held fold. A title is asserted as the reader asserts it: its confidence (margin_chance
against the lines that could be a headline) reaches the fold's threshold, and the page sets the line apart
(page_sets_apart) and does not state it with and without a kicker. On the trainer's split the figures are
cv_ingest's titles. The fit is the trainer's (Adam on the per-page softmax with an L2 penalty), written with
numpy; the aside sites are never read.

Prints per split and dev set: top-1 (the best line is the labelled headline) and titles asserted, right of how
many. The per-fold threshold moves a lot with one or two choices (docs/ingest.md, session 22): compare a change
over several splits, not one.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import train_ingest_models as tm  # noqa: E402
from ingest_quality import DEVSETS, _scorer  # noqa: E402

from digest.ingest import headline  # noqa: E402
from digest.ingest.blocks import paragraphs  # noqa: E402
from digest.ingest.body import body_span  # noqa: E402
from digest.ingest.headline import _key, features  # noqa: E402
from digest.ingest.linear import ASSERT_FLOOR, margin_chance  # noqa: E402
from digest.ingest.text import _find_title, headline_cue  # noqa: E402

Page = dict[str, Any]
L2S = (0.003, 0.01, 0.03)


def build() -> list[Page]:
    """The tuned pages with a title: candidates' features, labels, and the reader's gates per candidate."""
    pages = []
    for devset in DEVSETS:
        score = _scorer(devset)
        for page_id, label, site in tm._tuned(devset):
            if not label.get("title"):
                continue
            paras = paragraphs(tm._dump(devset, page_id))
            start, _ = body_span(paras)
            table = features(paras, start, _find_title(paras, start), headline_cue)
            order = list(table)
            want = score.norm_title(label["title"])
            pages.append({
                "id": page_id, "site": site, "devset": devset.name,
                "rows": [(score.norm_title(paras[i].text) == want, table[i]) for i in order],
                "keys": [_key(paras[i].text) for i in order],
                "rivals": headline.could_be_headline(paras, order, headline_cue),
                "gate": [headline.page_sets_apart(paras, i, table[i], headline_cue)
                         and not headline.said_with_and_without_kicker(paras, i) for i in order]})
    return pages


def fit(pages: list[Page], l2: float, names: list[str], steps: int = 300, rate: float = 0.05) -> dict[str, float]:
    """train_ingest_models.fit, with numpy."""
    at = {k: n for n, k in enumerate(names)}
    usable = []
    for page in pages:
        y = np.array([ok for ok, _ in page["rows"]], dtype=float)
        if not y.any():
            continue
        x = np.zeros((len(page["rows"]), len(names)))
        for j, (_, f) in enumerate(page["rows"]):
            for k, v in f.items():
                x[j, at[k]] = v
        usable.append((x, y))
    w = np.zeros(len(names))
    m = np.zeros_like(w)
    v2 = np.zeros_like(w)
    for step in range(1, steps + 1):
        grad = 2 * l2 * w * len(usable)
        for x, y in usable:
            s = x @ w
            e = np.exp(s - s.max())
            grad = grad + x.T @ (e / e.sum() - np.where(y > 0, e / (e * y).sum(), 0.0))
        grad = grad / len(usable)
        m = 0.9 * m + 0.1 * grad
        v2 = 0.999 * v2 + 0.001 * grad * grad
        w = w - rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v2 / (1 - 0.999 ** step)) + 1e-8)
    return dict(zip(names, (float(x) for x in w), strict=True))


def predict(w: dict[str, float], page: Page) -> dict[str, Any]:
    scores = [sum(w.get(k, 0.0) * x for k, x in f.items()) for _, f in page["rows"]]
    best = max(range(len(scores)), key=lambda k: scores[k])
    chance = margin_chance(scores, page["keys"], page["rivals"]) if page["rivals"][best] else 0.0
    return {"ok": page["rows"][best][0], "chance": chance, "gate": page["gate"][best]}


def folds(pages: list[Page], salt: str, k: int = 5) -> list[list[Page]]:
    out: list[list[Page]] = [[] for _ in range(k)]
    for page in pages:
        out[int(hashlib.sha256((salt + page["site"]).encode()).hexdigest(), 16) % k].append(page)
    return out


def cross_validate(pages: list[Page], l2: float, names: list[str], salt: str) -> list[dict[str, Any]]:
    parts = folds(pages, salt)
    out = []
    for n, held in enumerate(parts):
        w = fit([p for m, part in enumerate(parts) if m != n for p in part], l2, names)
        out.extend(predict(w, p) for p in held)
    return out


def pick_threshold(results: list[dict[str, Any]], gated: bool = True) -> float:
    """train_ingest_models.pick_threshold: the lowest from the floor whose precision reaches the target, on the
    choices the reader would assert (its gates passed; `gated` false: on every choice)."""
    for t in [x / 100 for x in range(round(ASSERT_FLOOR * 100), 100)]:
        asserted = [r["ok"] for r in results if r["chance"] >= t and r["chance"] > 0 and (r["gate"] or not gated)]
        if asserted and sum(asserted) / len(asserted) >= tm.TARGET_PRECISION:
            return t
    return 1.0


def nested(pages: list[Page], names: list[str], salt: str) -> dict[str, dict[str, Any]]:
    out = {}
    parts = folds(pages, salt)
    for n, held in enumerate(parts):
        train = [p for m, part in enumerate(parts) if m != n for p in part]
        best: tuple[float, float, float, float] | None = None
        for l2 in L2S:  # chosen as train_ingest_models.train chooses: accuracy at the threshold over every
            results = cross_validate(train, l2, names, salt)  # choice (l2_figure), then top-1
            t = pick_threshold(results)
            plain = pick_threshold(results, gated=False)
            accuracy = sum(r["ok"] for r in results if r["chance"] >= plain and r["chance"] > 0) / len(results)
            top1 = sum(r["ok"] for r in results) / len(results)
            if best is None or (accuracy, top1) > best[:2]:
                best = (accuracy, top1, l2, t)
        assert best is not None
        w = fit(train, best[2], names)
        for page in held:
            r = predict(w, page)
            r["asserted"] = r["chance"] >= best[3] and r["chance"] > 0 and r["gate"]
            out[page["id"]] = r
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--salts", default=",r1,r2,r3", help="site splits: '' is the trainer's, others salt the hash")
    args = ap.parse_args(argv)
    pages = build()
    names = sorted({k for p in pages for _, f in p["rows"] for k in f})
    for salt in args.salts.split(","):
        res = nested(pages, names, salt)
        cells = []
        for devset in DEVSETS:
            ids = [p["id"] for p in pages if p["devset"] == devset.name]
            asserted = [res[i]["ok"] for i in ids if res[i]["asserted"]]
            cells.append(f"{devset.name}: top-1 {sum(res[i]['ok'] for i in ids)}/{len(ids)}, "
                         f"asserted {sum(asserted)} right of {len(asserted)}")
        print(f"split {salt or 'trainer'}: " + "; ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
