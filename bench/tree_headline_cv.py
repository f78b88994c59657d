"""Trees for the headline: gradient-boosted trees against the shipped conditional logit, cross-validated by site.

    PYTHONPATH=. VENV/bin/python bench/tree_headline_cv.py [--pages FILE] [--models ...] [--salt S] [--single]

Needs scikit-learn and numpy beside digest's own dependencies (a training venv, not the product's:
`python3 -m venv VENV && VENV/bin/pip install scikit-learn numpy <pyproject's dependencies>`); nothing here
is shipped. Session 22's figures and why the trees were dropped: docs/ingest.md.

The candidates and their features are digest/ingest/headline.py's, labelled as bench/train_ingest_models.py
labels them, on the dev sets' tuned part only (the aside sites are never read). Models compared:

  linear   the shipped trainer's conditional logit (train_ingest_models.fit, its L2 grid);
  binary   sklearn's GradientBoostingClassifier over candidate rows (is this line the headline?),
           a candidate's score its log-odds;
  cboost   boosting of the conditional logit itself: regression trees fitted to the gradient of the
           per-page softmax loss (Newton leaf values, L2 on the leaves), the page's structure kept;
  lin+tree cboost started from the linear model's scores (trees add interactions to the logit).

Nested cross-validation, as bench/cv_ingest.py does end to end: the tuned sites fall in the trainer's
five folds; for each held fold the model's settings (L2 strength, or the trees' grid) and its threshold
are chosen by the trainer's own cross-validation on the other four folds (the lowest threshold whose
cross-validated precision reaches 0.96, pick_threshold), the model is fitted on those four and applied
to the held fold. Confidence is the margin chance (linear.margin_chance: against the strongest line of
other words that could be a headline), 0 when the chosen line could not be one, as the trainer's
predict_kind has it. Figures per dev set: top-1 (the best line is the labelled headline), and at the
fold's threshold, right / labelled and precision; "gated" adds the product's other gates (the page sets
the line apart, page_sets_apart; not stated with and without a kicker). Pages that move between models
are counted (an exact sign test on the discordant pages).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import headline_nested_cv as nested_cv  # noqa: E402
import numpy as np  # noqa: E402
import train_ingest_models as tm  # noqa: E402
from ingest_quality import DEVSETS  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.tree import DecisionTreeRegressor  # noqa: E402

from digest.ingest.linear import margin_chance  # noqa: E402

Page = dict[str, Any]


def build_pages() -> list[Page]:
    """tm.headline_pages(), with each candidate's product gates (tuned pages only, as there):
    headline_nested_cv.build, the one place that reads them."""
    return nested_cv.build()


# --- models: fit(train pages, setting) -> scorer(page) -> list of scores ---

NAMES: list[str] = []


def matrix(page: Page) -> np.ndarray:
    return np.array([[f.get(n, 0.0) for n in NAMES] for _, f in page["rows"]], dtype=float)


def usable(pages: list[Page]) -> list[Page]:
    return [p for p in pages if any(y for y, _ in p["rows"])]


def fit_linear(pages: list[Page], l2: float) -> Any:
    w = tm.fit(pages, l2)
    return lambda page: [sum(w.get(k, 0.0) * x for k, x in f.items()) for _, f in page["rows"]]


def fit_binary(pages: list[Page], setting: tuple[int, int, float]) -> Any:
    depth, trees, rate = setting
    use = usable(pages)
    x = np.vstack([p["X"] for p in use])
    y = np.array([yy for p in use for yy, _ in p["rows"]], dtype=int)
    model = GradientBoostingClassifier(n_estimators=trees, max_depth=depth, learning_rate=rate, subsample=0.8,
                                       min_samples_leaf=10, random_state=0).fit(x, y)
    return lambda page: list(model.decision_function(page["X"]))


class CBoost:
    """Boosted regression trees on the conditional logit's loss: -log(sum of the headline lines' softmax share)."""

    def __init__(self, depth: int, trees: int, rate: float, min_leaf: int = 10, lam: float = 1.0) -> None:
        self.depth, self.trees, self.rate, self.min_leaf, self.lam = depth, trees, rate, min_leaf, lam
        self.forest: list[tuple[DecisionTreeRegressor, dict[int, float]]] = []

    def fit(self, pages: list[Page], base: list[np.ndarray] | None = None) -> CBoost:
        use = usable(pages)
        x = np.vstack([p["X"] for p in use])
        y = np.array([yy for p in use for yy, _ in p["rows"]], dtype=float)
        bounds = np.cumsum([0] + [len(p["rows"]) for p in use])
        group = np.repeat(np.arange(len(use)), np.diff(bounds))
        f = np.concatenate(base) if base is not None else np.zeros(len(y))
        rng = np.random.RandomState(0)
        for _ in range(self.trees):
            top = np.maximum.reduceat(f, bounds[:-1])[group]
            e = np.exp(f - top)
            total = np.add.reduceat(e, bounds[:-1])[group]
            pos = np.add.reduceat(e * y, bounds[:-1])[group]
            p = e / total
            q = np.where(y > 0, e / np.maximum(pos, 1e-300), 0.0)
            g = p - q
            h = np.maximum(p * (1 - p), 1e-6)
            keep = rng.rand(len(use))[group] < 0.8  # pages sampled, as stochastic boosting does rows
            tree = DecisionTreeRegressor(max_depth=self.depth, min_samples_leaf=self.min_leaf, random_state=0)
            tree.fit(x[keep], -g[keep] / h[keep], sample_weight=h[keep])
            leaves = tree.apply(x)
            values = {}
            for leaf in np.unique(leaves[keep]):
                at = keep & (leaves == leaf)
                values[int(leaf)] = float(-g[at].sum() / (h[at].sum() + self.lam))
            step = np.array([values.get(int(leaf), 0.0) for leaf in leaves])
            f = f + self.rate * step
            self.forest.append((tree, values))
        return self

    def score(self, xm: np.ndarray) -> np.ndarray:
        out = np.zeros(len(xm))
        for tree, values in self.forest:
            out += self.rate * np.array([values.get(int(leaf), 0.0) for leaf in tree.apply(xm)])
        return out


def fit_cboost(pages: list[Page], setting: tuple[int, int, float]) -> Any:
    model = CBoost(*setting).fit(pages)
    return lambda page: list(model.score(page["X"]))


def fit_lintree(pages: list[Page], setting: tuple[int, int, float]) -> Any:
    w = tm.fit(pages, 0.003)

    def lin(page: Page) -> np.ndarray:
        return np.array([sum(w.get(k, 0.0) * x for k, x in f.items()) for _, f in page["rows"]])

    model = CBoost(*setting).fit(pages, [lin(p) for p in usable(pages)])
    return lambda page: list(lin(page) + model.score(page["X"]))


MODELS = {
    "linear": (fit_linear, [0.003, 0.01, 0.03]),
    "binary": (fit_binary, [(2, 100, 0.05), (3, 100, 0.05), (3, 300, 0.02)]),
    "cboost": (fit_cboost, [(2, 100, 0.1), (3, 100, 0.1), (3, 300, 0.05)]),
    "lin+tree": (fit_lintree, [(2, 50, 0.1), (3, 50, 0.1)]),
}


SALT = [""]  # "" : the trainer's folds; else the sites' hash is salted (repeated cross-validation, other splits)


def folds(pages: list[Page], k: int = 5) -> list[list[Page]]:
    if not SALT[0]:
        return tm.folds(pages, k)
    out: list[list[Page]] = [[] for _ in range(k)]
    for page in pages:
        out[int(hashlib.sha256((SALT[0] + page["site"]).encode()).hexdigest(), 16) % k].append(page)
    return out


def predict(scores: list[float], page: Page) -> tuple[bool, float, bool]:
    """(right, margin chance (0: the line could be no headline), the product's gates pass)."""
    best = max(range(len(scores)), key=lambda k: scores[k])
    chance = margin_chance(scores, page["keys"], page["rivals"]) if page["rivals"][best] else 0.0
    return page["rows"][best][0], chance, page["gate"][best]


def cross_validate(pages: list[Page], fit: Any, setting: Any) -> list[tuple[str, tuple[bool, float, bool]]]:
    out = []
    parts = folds(pages)
    for n, held in enumerate(parts):
        if not held:
            continue
        train = [p for m, part in enumerate(parts) if m != n for p in part]
        scorer = fit(train, setting)
        out.extend((p["id"], predict(scorer(p), p)) for p in held)
    return out


def choose(pages: list[Page], name: str) -> tuple[Any, float]:
    """The setting and threshold the trainer would choose on these pages alone (its train())."""
    fit, grid = MODELS[name]
    best = None
    for setting in grid:
        results = [r for _, r in cross_validate(pages, fit, setting)]
        top1 = sum(r[0] for r in results) / len(results)
        t, _, accuracy = tm.pick_threshold([(ok, c) for ok, c, _ in results])
        if best is None or (accuracy, top1) > (best[2], best[3]):
            best = (setting, t, accuracy, top1)
    assert best is not None
    return best[0], best[1]


def nested(pages: list[Page], name: str) -> dict[str, dict[str, Any]]:
    """Per page: right, chance, gate, the fold's threshold and setting (nested cross-validation)."""
    fit, _ = MODELS[name]
    parts = folds(pages)
    out = {}
    for n, held in enumerate(parts):
        train = [p for m, part in enumerate(parts) if m != n for p in part]
        setting, t = choose(train, name)
        scorer = fit(train, setting)
        for p in held:
            ok, chance, gate = predict(scorer(p), p)
            out[p["id"]] = {"ok": ok, "chance": chance, "gate": gate, "t": t, "fold": n, "setting": setting,
                            "devset": p["devset"]}
        print(f"  {name} fold {n}: setting {setting}, threshold {t:.2f}", file=sys.stderr, flush=True)
    return out


def summary(res: dict[str, dict[str, Any]], devset: str | None) -> str:
    rows = [r for r in res.values() if devset is None or r["devset"] == devset]
    n = len(rows)
    top1 = sum(r["ok"] for r in rows)
    out = [f"top-1 {top1}/{n} = {top1 / n:.3f}"]
    for label, gated in (("model", False), ("gated", True)):
        asserted = [r for r in rows if r["chance"] > 0 and r["chance"] >= r["t"] and (r["gate"] or not gated)]
        right = sum(r["ok"] for r in asserted)
        prec = right / len(asserted) if asserted else float("nan")
        out.append(f"{label}: {right}/{n} = {right / n:.3f}, P {prec:.3f} ({len(asserted)})")
    return "; ".join(out)


def sign_test(a: int, b: int) -> float:
    """Two-sided exact p of a pages moving one way and b the other."""
    n = a + b
    if n == 0:
        return 1.0
    k = min(a, b)
    p = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * p)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path, help="cache of the candidate tables (JSON; written if missing)")
    ap.add_argument("--models", default="linear,binary,cboost,lin+tree")
    ap.add_argument("--out", type=Path, help="write the per-page nested results (tuned pages only)")
    ap.add_argument("--single", action="store_true", help="instead, the trainer's own figures: one level of cross-"
                    "validation per setting of the grid, one threshold chosen on all its choices (optimistic)")
    ap.add_argument("--salt", default="", help="salt the sites' hash: other five-fold splits than the trainer's")
    args = ap.parse_args(argv)
    SALT[0] = args.salt
    if args.pages and args.pages.exists():
        pages = json.loads(args.pages.read_text(encoding="utf-8"))
        for p in pages:
            p["rows"] = [(bool(y), f) for y, f in p["rows"]]
    else:
        pages = build_pages()
        if args.pages:
            args.pages.write_text(json.dumps(pages), encoding="utf-8")
    NAMES.extend(sorted({k for p in pages for _, f in p["rows"] for k in f}))
    for p in pages:
        p["X"] = matrix(p)
    print(f"{len(pages)} tuned pages with a title, {sum(len(p['rows']) for p in pages)} candidates, "
          f"{len(NAMES)} features", flush=True)
    results = {}
    for name in args.models.split(",") if args.single else []:
        fit, grid = MODELS[name]
        for setting in grid:
            res = dict(cross_validate(pages, fit, setting))
            t, precision, accuracy = tm.pick_threshold([(ok, c) for ok, c, _ in res.values()])
            flat = {i: {"ok": ok, "chance": c, "gate": g, "t": t, "devset": p["devset"]}
                    for p in pages for i, (ok, c, g) in [(p["id"], res[p["id"]])]}
            for devset in [None] + [d.name for d in DEVSETS]:
                print(f"single {name:9s} {setting!s:16s} {devset or 'all':16s} t {t:.2f} {summary(flat, devset)}",
                      flush=True)
    for name in args.models.split(",") if not args.single else []:
        results[name] = nested(pages, name)
        for devset in [None] + [d.name for d in DEVSETS]:
            print(f"{name:9s} {devset or 'all':16s} {summary(results[name], devset)}", flush=True)
    names = list(results)
    if "linear" in results:
        for name in names[1:]:
            a, b = results["linear"], results[name]
            for what, key in (("top-1", lambda r: r["ok"]),
                              ("asserted right", lambda r: r["ok"] and r["chance"] > 0 and r["chance"] >= r["t"])):
                up = sum(1 for i in a if not key(a[i]) and key(b[i]))
                down = sum(1 for i in a if key(a[i]) and not key(b[i]))
                print(f"linear -> {name}, {what}: {up} pages gained, {down} lost "
                      f"(sign test p {sign_test(up, down):.2f})")
    if args.out:
        args.out.write_text(json.dumps(results, default=str, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
