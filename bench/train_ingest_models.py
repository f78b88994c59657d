"""Train the text-dump reader's small learned models on the dev sets' tuned part only.

    .venv/bin/python bench/train_ingest_models.py [--models headline,dateline,byline] [--l2 ...]
                                                  [--per-kind dateline,byline] [--committee byline] [--out DIR]

Each model is a conditional logit: a softmax over one page's candidates (headline: its short
lines near the body, digest/ingest/headline.py; date: its dated lines, dateline.py; byline: its
lines naming people as bylines do, byline.py; the last two with a "none of these" choice),
fitted by gradient descent (Adam) with an L2 penalty, in pure Python. The pages of the `aside`
sites (bench/ingest_quality.py) are never read here. The L2 strength and the probability
threshold below which a field goes to review are chosen by 5-fold cross-validation over the
tuned sites: the threshold is the lowest (from 0.5) whose cross-validated precision reaches
TARGET_PRECISION, counting only the choices the reader would assert (the headline's gates: see
predict_kind). With --per-kind, a model also gets a threshold per kind of evidence its
choice rests on (the date: a labelled or bylined date, or a bare one; the byline: a "By" line
or a wire credit, or a name alone; kind_of in each model's module), each the lowest meeting the
target on that kind's own cross-validated choices. With --margin, a model's confidence in its choice
is the chance the best candidate beats the strongest one saying something else (the logistic of
their scores' margin, digest/ingest/linear.py's margin_chance) rather than the best one's share of
the softmax: the headline's (see README, Ingest quality). With --committee (the byline's), a model also
ships COMMITTEE models fitted on random halves of its training sites, and per kind of evidence the chance
each must give its choice for it to be asserted (committee_results, pick_committee_thresholds): chosen on
the choices it asserts in the cross-validation and across dev sets, counting one miss more than seen.
Writes digest/ingest/<model>.json. The
headline model is trained first: the date and byline candidates are found around the headline
it picks. Takes a few minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from ingest_quality import DEVSETS, _scorer, is_aside, load_truth, page_path, site_of  # noqa: E402

from digest.ingest import byline, dateline, headline  # noqa: E402
from digest.ingest.blocks import paragraphs  # noqa: E402
from digest.ingest.body import body_span  # noqa: E402
from digest.ingest.clean import decode, sanitize  # noqa: E402
from digest.ingest.headline import _key, features  # noqa: E402
from digest.ingest.linear import ASSERT_FLOOR, margin_chance  # noqa: E402
from digest.ingest.text import (  # noqa: E402
    _byline,
    _date,
    _find_title,
    _is_byline,
    author_candidates,
    headline_cue,
    read_head,
)

TARGET_PRECISION = 0.96  # a little above the 0.95, for the pages not seen
MODELS = REPO / "digest" / "ingest"

Page = dict[str, Any]


def _tuned(devset: Path) -> Iterator[tuple[str, dict[str, Any], str]]:
    for page_id, label in load_truth(devset).items():
        site = site_of(label)
        if not is_aside(site):
            yield page_id, label, f"{devset.name}/{site}"


def _dump(devset: Path, page_id: str) -> str:
    return sanitize(decode(page_path(devset, page_id, "text").read_bytes()))


def headline_pages() -> list[Page]:
    """Tuned-part pages with their candidate lines' features and which are the headline."""
    pages = []
    for devset in DEVSETS:
        score = _scorer(devset)
        for page_id, label, site in _tuned(devset):
            if not label.get("title"):
                continue
            paras = paragraphs(_dump(devset, page_id))
            start, _ = body_span(paras)
            table = features(paras, start, _find_title(paras, start), headline_cue)
            want = score.norm_title(label["title"])
            rows = [(score.norm_title(paras[i].text) == want, f) for i, f in table.items()]
            rivals = headline.could_be_headline(paras, list(table), headline_cue)
            # What the reader asks beside the confidence before it asserts a line (text.read_head).
            gates = [headline.page_sets_apart(paras, i, f, headline_cue)
                     and not headline.said_with_and_without_kicker(paras, i) for i, f in table.items()]
            pages.append({"id": page_id, "site": site, "rows": rows, "rivals": rivals, "gates": gates,
                          "texts": [paras[i].text for i in table], "keys": [_key(paras[i].text) for i in table]})
    return pages


def dateline_pages() -> list[Page]:
    """Tuned-part pages with a date label: their dated lines' features and which state that day."""
    pages = []
    for devset in DEVSETS:
        score = _scorer(devset)
        for page_id, label, site in _tuned(devset):
            if not label.get("date"):
                continue
            head = read_head(_dump(devset, page_id))
            start = head.start
            rules = _date(head.head, head.above, head.paras[head.end:head.end + 8])
            table = dateline.features(head.paras, head.title_at, start, head.end, rules, _is_byline)
            accept = label.get("date_accept") or [label["date"]]
            rows = [(score.to_day(value) in accept, f) for value, f in table]
            # "None of these": right when no stated date is the page's (the model may abstain).
            rows.append((not any(y for y, _ in rows), {"none": 1.0}))
            pages.append({"id": page_id, "site": site, "rows": rows, "texts": [v for v, _ in table] + ["none"],
                          "keys": [v[:10] for v, _ in table] + ["none"]})
    return pages


def byline_pages() -> list[Page]:
    """Tuned-part pages with an author label: their byline candidates and which name the authors."""
    pages = []
    for devset in DEVSETS:
        score = _scorer(devset)
        for page_id, label, site in _tuned(devset):
            if not label.get("author"):
                continue
            head = read_head(_dump(devset, page_id))
            cands = author_candidates(head.paras, head)
            rules, _ = _byline(head.head, head.above)
            table = byline.features(head.paras, cands, head.title_at, head.start, rules)
            rows = [(score.author_f1(list(c.names), label["author"]) >= 0.5, f)
                    for c, f in zip(cands, table, strict=True)]
            rows.append((not any(y for y, _ in rows), {"none": 1.0}))
            keys = [byline.answer_key(c.names) for c in cands] + ["none"]
            pages.append({"id": page_id, "site": site, "rows": rows, "texts": keys, "keys": keys})
    return pages


def fit(pages: list[Page], l2: float, steps: int = 300, rate: float = 0.05) -> dict[str, float]:
    """Weights minimising the pages' negative log chance of their headline, plus l2 * |w|^2 (Adam)."""
    names = sorted({k for p in pages for _, f in p["rows"] for k in f})
    at = {k: n for n, k in enumerate(names)}
    usable = [[(y, [(at[k], x) for k, x in f.items() if x]) for y, f in p["rows"]]
              for p in pages if any(y for y, _ in p["rows"])]
    w = [0.0] * len(names)
    m = [0.0] * len(names)
    v = [0.0] * len(names)
    for step in range(1, steps + 1):
        grad = [2 * l2 * x * len(usable) for x in w]
        for rows in usable:
            scores = [sum(w[k] * x for k, x in f) for _, f in rows]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            pos = sum(e for e, (y, _) in zip(exps, rows, strict=True) if y)
            for e, (y, f) in zip(exps, rows, strict=True):
                # d(-log(pos/total))/ds = e/total - (y ? e/pos : 0)
                g = e / total - (e / pos if y else 0.0)
                if abs(g) > 1e-9:
                    for k, x in f:
                        grad[k] += g * x
        for k in range(len(names)):
            g = grad[k] / len(usable)
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            w[k] -= rate * (m[k] / (1 - 0.9 ** step)) / (math.sqrt(v[k] / (1 - 0.999 ** step)) + 1e-8)
    return dict(zip(names, w, strict=True))


KIND_OF = {"headline": headline.kind_of, "dateline": dateline.kind_of, "byline": byline.kind_of}
MIN_KIND_PICKS = 10  # a kind of evidence chosen fewer times in cross-validation takes the pooled threshold

Result = tuple[bool, float, str]  # (whether the model's choice is right, its chance, its kind of evidence)


def predict(w: dict[str, float], page: Page) -> tuple[bool, float]:
    """(whether the best candidate is the headline, its chance)."""
    ok, chance, _ = predict_kind(w, page, lambda f: "")
    return ok, chance


def predict_kind(w: dict[str, float], page: Page, kind_of: Callable[[dict[str, float]], str],
                 margin: bool = False) -> Result:
    """(whether the best candidate is right, its chance, the kind of evidence it rests on). With
    `margin`, the chance is that of beating the strongest other answer (margin_chance). A page's `gates`
    (the headline's: the page sets the line apart, and does not state it with and without a kicker) name
    the candidates the reader would assert at all: for another the chance is 0, so the threshold is chosen
    on the choices the reader asserts (counting those it holds back anyway made the threshold stricter
    than the target needs, and moved it from fold to fold with one or two such choices)."""
    if not page["rows"]:
        return False, 0.0, ""
    scores = [sum(w.get(k, 0.0) * x for k, x in f.items()) for _, f in page["rows"]]
    top = max(scores)
    total = sum(math.exp(s - top) for s in scores)
    best = scores.index(top)
    same = page["keys"][best]  # the same words on several lines: one headline, chances added
    if same == "none":
        return False, 0.0, ""  # the model abstains: nothing asserted
    chance = sum(math.exp(s - top) for s, k in zip(scores, page["keys"], strict=True) if k == same) / total
    if margin:  # against the candidates that could be the answer (all but a headline's unlike_headline)
        rivals = page.get("rivals")
        chance = margin_chance(scores, page["keys"], rivals) if rivals is None or rivals[best] else 0.0
    gates = page.get("gates")
    if gates is not None and not gates[best]:
        chance = 0.0  # the reader would not assert it however sure the model is: not one of the choices asserted
    return page["rows"][best][0], chance, kind_of(page["rows"][best][1])


def folds(pages: list[Page], k: int = 5) -> list[list[Page]]:
    out: list[list[Page]] = [[] for _ in range(k)]
    for page in pages:
        out[int(hashlib.sha256(page["site"].encode()).hexdigest(), 16) % k].append(page)
    return out


def cross_validate(pages: list[Page], l2: float,
                   kind_of: Callable[[dict[str, float]], str] = lambda f: "", margin: bool = False) -> list[Result]:
    results = []
    parts = folds(pages)
    for n, held in enumerate(parts):
        train = [p for m, part in enumerate(parts) if m != n for p in part]
        w = fit(train, l2)
        results.extend(predict_kind(w, p, kind_of, margin) for p in held)
    return results


def pick_threshold(results: list[Result] | list[tuple[bool, float]],
                   target: float = TARGET_PRECISION) -> tuple[float, float, float]:
    """(threshold, precision, accuracy): the lowest threshold from the reader's floor (linear.ASSERT_FLOOR)
    meeting the precision target."""
    for t in [x / 100 for x in range(round(ASSERT_FLOOR * 100), 100)]:
        asserted = [r[0] for r in results if r[1] >= t and r[1] > 0]
        if asserted and sum(asserted) / len(asserted) >= target:
            return t, sum(asserted) / len(asserted), sum(asserted) / len(results)
    return 1.0, float("nan"), 0.0


def pick_kind_thresholds(results: list[Result], target: float = TARGET_PRECISION) -> dict[str, float | None]:
    """Per kind of evidence chosen often enough, the lowest threshold at which that kind's own
    cross-validated precision meets the target (None: at no threshold, so never asserted). Sites to
    come mix the kinds differently from these: one pooled threshold would let a weak kind ride on
    a strong one's precision."""
    out: dict[str, float | None] = {}
    for kind in sorted({k for _, p, k in results if p > 0}):
        picks = [r for r in results if r[2] == kind and r[1] > 0]
        if len(picks) < MIN_KIND_PICKS:
            continue
        t, _, _ = pick_threshold(picks, target)
        out[kind] = t if t < 1.0 else None
    return out


def kind_figures(results: list[Result], pooled: float, kinds: dict[str, float | None]) -> tuple[float, float]:
    """(precision, accuracy) of the cross-validated choices under these thresholds."""
    asserted = [ok for ok, p, k in results
                if p > 0 and p >= (pooled if k not in kinds else math.inf if kinds[k] is None else kinds[k])]
    return (sum(asserted) / len(asserted) if asserted else float("nan")), sum(asserted) / len(results)


COMMITTEE = 8  # members, each fitted on a random half of the training sites
PRIOR_MISSES = 1  # a committee's threshold is chosen as if one more of its choices were wrong


def fit_committee(pages: list[Page], l2: float, seed: int = 0) -> list[dict[str, float]]:
    """COMMITTEE models, each fitted on a random half of the pages' sites."""
    rng = random.Random(seed)
    sites = sorted({p["site"] for p in pages})
    members = []
    for _ in range(COMMITTEE):
        half = set(rng.sample(sites, max(1, len(sites) // 2)))
        members.append(fit([p for p in pages if p["site"] in half], l2))
    return members


def _answer(w: dict[str, float], page: Page) -> tuple[str, float]:
    """The answer these weights pick for the page (its key) and its chance (the softmax's share)."""
    scores = [sum(w.get(k, 0.0) * x for k, x in f.items()) for _, f in page["rows"]]
    top = max(scores)
    total = sum(math.exp(s - top) for s in scores)
    key = page["keys"][scores.index(top)]
    return key, sum(math.exp(s - top) for s, k in zip(scores, page["keys"], strict=True) if k == key) / total


def committee_results(pages: list[Page], l2: float, kind_of: Callable[[dict[str, float]], str],
                      passes: Callable[[float, str], bool], margin: bool = False) -> list[Result]:
    """For the choices the model asserts (`passes` its thresholds) on pages it was not fitted on, in
    the 5-fold cross-validation by site and across dev sets (each read by models fitted on the other's
    pages: other publishers, languages and label conventions): (right, the smallest chance a member
    of the committee fitted beside it gives the same answer, 0 when some member picks another, kind)."""
    parts = folds(pages)
    splits = [([p for m, part in enumerate(parts) if m != n for p in part], held) for n, held in enumerate(parts)]
    for devset in DEVSETS:
        inside = [p for p in pages if p["site"].startswith(devset.name + "/")]
        splits.append(([p for p in pages if p not in inside], inside))
    out: list[Result] = []
    for train_part, held in splits:
        if not train_part or not held:
            continue
        w = fit(train_part, l2)
        members = fit_committee(train_part, l2)
        for page in held:
            ok, chance, kind = predict_kind(w, page, kind_of, margin)
            if chance <= 0 or not passes(chance, kind):
                continue
            key, _ = _answer(w, page)
            answers = [_answer(m, page) for m in members]
            least = min(c for _, c in answers) if all(k == key for k, _ in answers) else 0.0
            out.append((ok, least, kind))
    return out


def pick_committee_thresholds(results: list[Result], target: float = TARGET_PRECISION) -> dict[str, float | None]:
    """Per kind of evidence, the lowest chance every member must give (0: agreeing is enough) at which
    that kind's asserted choices meet the target, counting PRIOR_MISSES more wrong ones; None: never. A kind
    whose asserted choices meet the target without the committee is left out (no committee asked): there
    the committee's doubts only send right choices to review (a "By" line beside a button's label)."""
    out: dict[str, float | None] = {}
    for kind in sorted({k for _, _, k in results}):
        picks = [r for r in results if r[2] == kind]
        if sum(ok for ok, _, _ in picks) / (len(picks) + PRIOR_MISSES) >= target:
            continue
        out[kind] = None
        for t in [0.0] + [x / 100 for x in range(50, 100)]:
            kept = [ok for ok, least, _ in picks if least > 0 and least >= t]
            if kept and sum(kept) / (len(kept) + PRIOR_MISSES) >= target:
                out[kind] = t
                break
    return out


def l2_figure(pages: list[Page], l2: float, kind_of: Callable[[dict[str, float]], str], margin: bool,
              per_kind: bool) -> float:
    """What the L2 strength is chosen by: the cross-validated accuracy at the threshold, over every choice (a
    page's `gates` left aside). Counted on the gated choices alone the strengths tie more often and the pick
    moves with a page (the folds of bench/cv_ingest.py then read bylines around another headline model, and a
    fold's byline committee came out never asserting a name alone); the threshold is still chosen on the
    gated choices."""
    plain = cross_validate([{k: v for k, v in p.items() if k != "gates"} for p in pages], l2, kind_of, margin)
    t, _, _ = pick_threshold(plain)
    return kind_figures(plain, t, pick_kind_thresholds(plain) if per_kind else {})[1]


def train(name: str, pages: list[Page], l2s: list[float], about: str, folder: Path = MODELS,
          per_kind: bool = False, margin: bool = False, committee: bool = False) -> None:
    print(f"{name}: {len(pages)} tuned pages, {sum(len(p['rows']) for p in pages)} candidates")
    best: tuple[float, float, dict[str, float | None], float, float, float] | None = None
    for l2 in l2s:
        results = cross_validate(pages, l2, KIND_OF[name], margin)
        top1 = sum(r[0] for r in results) / len(results)
        t, precision, accuracy = pick_threshold(results)
        kinds = pick_kind_thresholds(results) if per_kind else {}
        kind_precision, kind_accuracy = kind_figures(results, t, kinds)
        print(f"  l2 {l2}: cross-validated top-1 {top1:.3f}; threshold {t:.2f} -> precision "
              f"{precision:.3f}, accuracy {accuracy:.3f}; per kind {kinds} -> precision "
              f"{kind_precision:.3f}, accuracy {kind_accuracy:.3f}", flush=True)
        chosen_by = l2_figure(pages, l2, KIND_OF[name], margin, per_kind) if any("gates" in p for p in pages) \
            else kind_accuracy
        if best is None or (chosen_by, top1) > (best[3], best[4]):
            best = (l2, t, kinds, chosen_by, top1, kind_accuracy)
    assert best is not None
    l2, t, kinds, _, top1, accuracy = best
    w = fit(pages, l2)
    extra: dict[str, Any] = {}
    if committee:
        def passes(chance: float, kind: str) -> bool:
            need = kinds.get(kind, t) if kind in kinds else t
            return need is not None and chance >= need

        results = committee_results(pages, l2, KIND_OF[name], passes, margin)
        needs = pick_committee_thresholds(results)
        for kind in sorted({k for _, _, k in results}):
            need = needs.get(kind, -1.0)  # -1: no committee asked
            kept = [ok for ok, least, k in results if k == kind and need is not None and (need < 0 or least > 0
                                                                                          and least >= need)]
            print(f"  committee, {kind}: {sum(ok for ok, _, k in results if k == kind)} right of "
                  f"{sum(1 for r in results if r[2] == kind)} asserted -> at {need}: {sum(kept)} of {len(kept)}")
        extra = {"committee_thresholds": needs,
                 "committee": [{k: round(x, 5) for k, x in sorted(m.items())} for m in fit_committee(pages, l2)]}
    out = folder / f"{name}.json"
    out.write_text(json.dumps({
        "about": f"{about}: weights of the features in digest/ingest/{name}.py, trained by "
                 "bench/train_ingest_models.py on the dev sets' tuned part (never the aside sites)",
        "l2": l2, "threshold": t, "kind_thresholds": kinds,
        "confidence": "margin" if margin else "softmax",
        "cv_top1": round(top1, 4), "cv_accuracy_asserted": round(accuracy, 4),
        "bias": 0.0, "weights": {k: round(x, 5) for k, x in sorted(w.items())}, **extra,
    }, indent=1) + "\n", encoding="utf-8")
    print(f"  wrote {out} (l2 {l2}, threshold {t:.2f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="headline,dateline,byline")
    ap.add_argument("--l2", default="0.003,0.01,0.03", help="L2 strengths to cross-validate")
    ap.add_argument("--per-kind", default="dateline,byline", help="the models given a threshold per kind of "
                    "evidence (the headline's was tried: see README, Ingest quality)")
    ap.add_argument("--margin", default="headline", help="the models whose confidence is the margin over "
                    "the strongest other answer, not the softmax's share (dates and bylines: no better)")
    ap.add_argument("--committee", default="byline", help="the models whose choice is asserted only when a "
                    "committee fitted on halves of the sites agrees (see committee_results)")
    ap.add_argument("--out", type=Path, default=MODELS, help="where to write the models (to compare with "
                    "the shipped ones; the date and byline models still read the shipped headline model)")
    args = ap.parse_args(argv)
    random.seed(0)
    l2s = [float(x) for x in args.l2.split(",")]
    models = args.models.split(",")
    per_kind = args.per_kind.split(",")
    margin = args.margin.split(",")
    committee = args.committee.split(",")
    if "headline" in models:  # first: the date's candidates are found around the headline
        train("headline", headline_pages(), l2s, "the headline of a text dump", args.out, "headline" in per_kind,
              "headline" in margin, "headline" in committee)
    if "dateline" in models:
        train("dateline", dateline_pages(), l2s, "the publication date of a text dump", args.out,
              "dateline" in per_kind, "dateline" in margin, "dateline" in committee)
    if "byline" in models:
        train("byline", byline_pages(), l2s, "the authors of a text dump", args.out, "byline" in per_kind,
              "byline" in margin, "byline" in committee)
    return 0


if __name__ == "__main__":
    sys.exit(main())
