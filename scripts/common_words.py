"""Write digest/stories/common_words.json: how common each common English word is in the language, taken
once from spaCy's lookup tables, so that story grouping weighs "market", "white" or "drug" as the
everyday words they are, whatever one site's counts say (session 43 of issue #22; docs/stories.md).

    python scripts/common_words.py [PATH/en_lexeme_prob.json.gz]

The source is `en_lexeme_prob` of the package spacy-lookups-data (MIT licence, ExplosionAI GmbH): a
million English word forms with the natural log of their probability in running text. Without a path
the installed package's file is read (`pip install spacy-lookups-data`: 98 MB, needed only here; digest
reads the small table this writes). Each form is read as grouping reads a title word (NFKC, case folded,
stemmed: "Stocks", "stocks" and "stock" are one term) and the probabilities of the forms of one term are
added. Kept: the terms used more than COMMON_ZIPF (on the Zipf scale, log10 of uses per billion words: 4
is ten in a million), with their Zipf value to two decimals; rarer words, and every name and word pair
not in the table, weigh as they did. `weights.english_factor` turns a value into a weight.

tests/test_stories.py checks that the file is what this script makes of a small table, and that the
shipped table holds what grouping needs of it.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.stories.features import STOPWORDS, stem  # noqa: E402
from digest.stories.weights import COMMON_ZIPF  # noqa: E402

TARGET = ROOT / "digest" / "stories" / "common_words.json"
SOURCE = "spacy-lookups-data 1.0.5, en_lexeme_prob (MIT licence, ExplosionAI GmbH)"


def term(form: str) -> str | None:
    """The title term grouping makes of a word form, or None for a form it never makes one of."""
    if not form.replace("'", "").isalnum():
        return None
    word = stem(unicodedata.normalize("NFKC", form).casefold())
    return word if word and word not in STOPWORDS else None


def zipf_values(log_probabilities: Mapping[str, float]) -> dict[str, float]:
    """Each common term's Zipf value (log10 of its uses per billion words), its forms' probabilities
    added; only terms above COMMON_ZIPF, sorted."""
    summed: dict[str, float] = {}
    for form, log_probability in log_probabilities.items():
        word = term(form)
        if word is not None:
            summed[word] = summed.get(word, 0.0) + math.exp(log_probability)
    zipf = {word: round(math.log10(p) + 9.0, 2) for word, p in summed.items()}
    return {word: z for word, z in sorted(zipf.items()) if z > COMMON_ZIPF}


def default_source() -> Path:
    import spacy_lookups_data  # type: ignore[import-not-found]

    return Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"


def text(log_probabilities: Mapping[str, float]) -> str:
    table = {"made_by": f"scripts/common_words.py from {SOURCE}", "zipf": zipf_values(log_probabilities)}
    return json.dumps(table, ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else default_source()
    with gzip.open(source, "rt", encoding="utf-8") as file:
        TARGET.write_text(text(json.load(file)), encoding="utf-8")
    print(TARGET)
