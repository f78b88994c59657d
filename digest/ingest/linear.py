"""A small learned scorer shipped as data: a linear model over named features, pure Python.

The weights are trained by `bench/train_ingest_models.py` on the dev sets' tuned part and
saved as JSON beside this module; reading them needs nothing but the standard library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent

# No model asserts a choice it gives less than this chance, whatever threshold its training chose. The
# trainer's thresholds are the lowest at which the cross-validated choices meet the precision target; where
# those choices hold no wrong one (a "By" line, a labelled date) that was the search's floor, 0.50, though
# the models' choices under 0.80 were right 14 times of 39 over the site folds and across dev sets (authors
# 4 of 6, titles 8 of 31), against 361 of 386 at 0.90 or more. A little above that 0.80, for sites less
# like the trained ones than the folds are (docs/ingest.md, session 30).
ASSERT_FLOOR = 0.85


@dataclass(frozen=True)
class LinearModel:
    """score(features) = bias + sum(weight * value); features missing from `weights` count 0."""

    weights: Mapping[str, float]
    bias: float = 0.0
    threshold: float = 0.5  # the probability below which a choice is not asserted
    # The same per kind of evidence the choice rests on (a "By" line, a bare name): how sure a
    # model may be differs by kind, and unseen sites mix the kinds differently. None: never asserted.
    kind_thresholds: Mapping[str, float | None] = field(default_factory=dict)
    # Models of the same features fitted on random halves of the training sites, and per kind of
    # evidence the chance each must give the choice: a choice that rests on which sites were seen
    # (some member picks another answer, or doubts it) is not asserted on a site not seen.
    committee: tuple[Mapping[str, float], ...] = ()
    committee_thresholds: Mapping[str, float | None] = field(default_factory=dict)

    def committee_agrees(self, table: Sequence[Mapping[str, float]], keys: Sequence[str], kind: str) -> bool:
        """Whether every member of the committee picks the answer `keys` names first (the best of
        `table`, scored by this model) and gives it at least its kind's chance; True without one.
        `keys` names each candidate's answer (candidates saying the same add up their chances)."""
        if not self.committee or kind not in self.committee_thresholds:
            return True
        need = self.committee_thresholds[kind]
        if need is None:
            return False
        scores = [self.score(f) for f in table]
        chosen = keys[max(range(len(scores)), key=lambda k: scores[k])]
        for weights in self.committee:
            probs = softmax([sum(weights.get(n, 0.0) * x for n, x in f.items()) for f in table])
            best = keys[max(range(len(probs)), key=lambda k: probs[k])]
            if best != chosen or sum(p for p, k in zip(probs, keys, strict=True) if k == chosen) < need:
                return False
        return True

    def threshold_for(self, kind: str) -> float:
        """The probability a choice of this kind needs to be asserted (infinite: never), never under
        ASSERT_FLOOR."""
        if kind not in self.kind_thresholds:
            return max(ASSERT_FLOOR, self.threshold)
        value = self.kind_thresholds[kind]
        return math.inf if value is None else max(ASSERT_FLOOR, value)

    def score(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        """Logistic: the chance that this one candidate is right."""
        return _sigmoid(self.score(features))


def softmax(scores: Sequence[float]) -> list[float]:
    """The chance of each candidate being the one, among these candidates."""
    if not scores:
        return []
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def margin_chance(scores: Sequence[float], keys: Sequence[str], rivals: Sequence[bool] | None = None) -> float:
    """The chance that the best-scoring candidate beats the strongest one saying something else (its
    key differs): the logistic of the two scores' margin; 1 when every candidate says the same.
    Unlike the best candidate's share of the softmax it does not shrink with the number of weak
    candidates a page happens to have, which varies by site more than by how sure the choice is.
    `rivals` (one flag per candidate, all by default) names the candidates that could be the answer
    at all: one that could not (a headline's candidate with a shape no headline has) is no rival."""
    top = max(range(len(scores)), key=lambda k: scores[k])
    could = rivals if rivals is not None else [True] * len(scores)
    others = [s for s, k, r in zip(scores, keys, could, strict=True) if k != keys[top] and r]
    return _sigmoid(scores[top] - max(others)) if others else 1.0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@cache
def load_model(name: str) -> LinearModel:
    """The model saved as `<name>.json` beside this module."""
    data = json.loads((_HERE / f"{name}.json").read_text(encoding="utf-8"))
    kinds = data.get("kind_thresholds") or {}
    members = data.get("committee") or []
    needs = data.get("committee_thresholds") or {}
    return LinearModel(weights={str(k): float(v) for k, v in data["weights"].items()},
                       bias=float(data.get("bias", 0.0)), threshold=float(data.get("threshold", 0.5)),
                       kind_thresholds={str(k): None if v is None else float(v) for k, v in kinds.items()},
                       committee=tuple({str(k): float(v) for k, v in m.items()} for m in members),
                       committee_thresholds={str(k): None if v is None else float(v) for k, v in needs.items()})
