"""stories.locality: may_join_each answers as may_join does, one old group at a time."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from digest.stories import locality
from tests.test_stories_incremental import Site, corpus


@pytest.mark.parametrize(("seed", "small"), [(11, False), (12, True)])
def test_may_join_each_answers_as_may_join_one_by_one(monkeypatch: pytest.MonkeyPatch, seed: int,
                                                       small: bool) -> None:
    """On dense news (twenty stories within a day), every group tested after random edits,
    additions and removals gets may_join's answer; `small` bounds force the batches to be cut
    and the one-by-one path. Each step also checks the stories against group_stories."""
    answers: Counter[tuple[bool, bool]] = Counter()
    each = locality.may_join_each

    def checked(one: locality.History, others: list[locality.History], order: Any, starts: Any, ends: Any,
                at_one: Any, at_other: Any, similarity: Any, bars: Any) -> Any:
        found = each(one, others, order, starts, ends, at_one, at_other, similarity, bars)
        for k, other in enumerate(others):
            at = order[starts[k]:ends[k]]
            alone = locality.may_join(one, other, at_one[at], at_other[at], similarity[at], bars)
            answers[(bool(found[k]), alone)] += 1
            assert bool(found[k]) == alone
        return found

    monkeypatch.setattr(locality, "may_join_each", checked)
    if small:
        monkeypatch.setattr(locality, "PLACES", 2_000)
        monkeypatch.setattr(locality, "STATE_PAIRS", 300)
    rng = random.Random(seed)
    site = Site(rng, corpus(rng, 600, stories=20, days=1))
    for _ in range(12):
        site.step([rng.choice(["title", "title", "add", "remove", "swap", "time"])])
    assert answers[(False, False)] > 50, answers  # groups were tested
