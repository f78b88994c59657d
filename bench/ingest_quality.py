"""Measure ingest quality on the shared dev sets, as `digest ingest` writes entries.

Every page of each dev set (../shared/ingest-devset, ../shared/ingest-devset-2) goes through
what `digest ingest <file> --out <dir>` does: the reader chosen from the content, then the
entry's text (front matter and body). Title, authors and date are read back from that front
matter; a field listed under `review:` is not asserted (it counts as no value).

Pages are split by site (publisher): `aside` holds the sites whose sha256 falls in the first
third (the same pages every run). Nothing was tuned or trained on them; `tuned` is the rest.
Figures per dev set, input format and part:
  body F1 (of mean shingle precision and recall, as the dev set's score.py),
  per field: accuracy = right / pages with a true value,
             precision = right / pages with a true value where ingest asserted one,
             asserted = how many of those pages got a value;
  entries with review: how many entries list fields under `review:`;
  title written, right: how often the title the entry carries (asserted or kept as a guess
             under review) is the labelled one.

    .venv/bin/python bench/ingest_quality.py [--devsets PATH,PATH] [--modes text,html]
                                             [--out DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import frontmatter

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.ingest.entry import render_entry  # noqa: E402
from digest.ingest.run import read_articles  # noqa: E402

SHARED = REPO.parent / "shared"
DEVSETS = (SHARED / "ingest-devset", SHARED / "ingest-devset-2")
FIELDS = ("title", "author", "date")
_FORMAT_DIR = {"text": ("text-w3m", "txt"), "html": ("html", "html")}


def site_of(label: dict[str, Any]) -> str:
    """The page's publisher: the dev set's own split group, else its address's host."""
    site = label.get("site") or urlsplit(str(label.get("url") or "")).hostname or ""
    return str(site).removeprefix("www.")


def is_aside(site: str) -> bool:
    """A third of the sites, fixed by their name's hash: never tuned or trained on."""
    return int(hashlib.sha256(site.encode("utf-8")).hexdigest(), 16) % 3 == 0


def load_truth(devset: Path) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((devset / "truth.json").read_text(encoding="utf-8"))
    return dict(sorted(data.items()))


def page_path(devset: Path, page_id: str, mode: str) -> Path:
    folder, ext = _FORMAT_DIR[mode]
    return devset / folder / f"{page_id}.{ext}"


def ingest_entry(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter and body of the entry `digest ingest` writes for this input (first article)."""
    article = read_articles(path, path.read_bytes())[0]
    post = frontmatter.loads(render_entry(article, ()))
    return dict(post.metadata), post.content


def prediction(meta: dict[str, Any], body: str) -> dict[str, Any]:
    """What the entry asserts: fields under `review:` are left out."""
    review = set(meta.get("review") or ())
    return {
        "articleBody": body,
        "title": None if "title" in review else meta.get("title"),
        "author": None if "authors" in review else meta.get("authors"),
        "date": None if "date" in review else (str(meta["date"]) if meta.get("date") else None),
        "review": sorted(review),
        "title_guess": meta.get("title"),
    }


def _scorer(devset: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"score_{devset.name.replace('-', '_')}",
                                                  devset / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def field_hit(score: ModuleType, field: str, value: Any, label: dict[str, Any]) -> bool:
    if field == "title":
        return bool(value) and score.norm_title(value) == score.norm_title(label["title"])
    if field == "date":
        accept = label.get("date_accept") or [label["date"]]
        day = score.to_day(value)
        return day is not None and day in accept
    return bool(score.author_f1(value, label["author"]) >= 0.5)


def measure(score: ModuleType, truth: dict[str, dict[str, Any]], preds: dict[str, dict[str, Any]],
            ids: list[str]) -> dict[str, Any]:
    rows = [score.page_scores(preds[i]["articleBody"], truth[i].get("articleBody", "")) for i in ids]
    p = sum(r["p"] for r in rows) / len(rows)
    r = sum(r["r"] for r in rows) / len(rows)
    out: dict[str, Any] = {"pages": len(ids), "body_f1": 2 * p * r / (p + r) if p + r else 0.0,
                           "body_p": p, "body_r": r}
    for field in FIELDS:
        labelled = [i for i in ids if truth[i].get(field)]
        asserted = [i for i in labelled if preds[i][field]]
        right = [i for i in asserted if field_hit(score, field, preds[i][field], truth[i])]
        out[field] = {"labelled": len(labelled), "asserted": len(asserted), "right": len(right),
                      "accuracy": len(right) / len(labelled) if labelled else float("nan"),
                      "precision": len(right) / len(asserted) if asserted else float("nan")}
    out["review"] = sum(1 for i in ids if preds[i]["review"])
    # The title ingest writes even when it asks for review (an entry needs one): how often it is right.
    out["title_guess"] = sum(1 for i in ids if truth[i].get("title")
                             and field_hit(score, "title", preds[i]["title_guess"], truth[i]))
    return out


def run(devset: Path, mode: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    truth = load_truth(devset)
    preds = {}
    for page_id in truth:
        meta, body = ingest_entry(page_path(devset, page_id, mode))
        preds[page_id] = prediction(meta, body)
    score = _scorer(devset)
    parts = {"tuned": [i for i in truth if not is_aside(site_of(truth[i]))],
             "aside": [i for i in truth if is_aside(site_of(truth[i]))]}
    parts["all"] = list(truth)
    return preds, {part: measure(score, truth, preds, ids) for part, ids in parts.items()}


def _fmt(m: dict[str, Any]) -> str:
    return f"{m['right']}/{m['labelled']} = {m['accuracy']:.2f}, P {m['precision']:.2f} ({m['asserted']} asserted)"


def table_line(devset: str, mode: str, part: str, m: dict[str, Any]) -> str:
    fields = " | ".join(_fmt(m[f]) for f in FIELDS)
    return (f"| {devset} | {mode} | {part} ({m['pages']}) | {m['body_f1']:.3f} ({m['body_p']:.3f} / "
            f"{m['body_r']:.3f}) | {fields} | {m['review']} | {m['title_guess']}/{m['title']['labelled']} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devsets", default=",".join(str(d) for d in DEVSETS))
    ap.add_argument("--modes", default="text,html")
    ap.add_argument("--parts", default="tuned,aside", help="tuned, aside, all")
    ap.add_argument("--out", type=Path, help="write predictions per dev set and format here")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)
    devsets = [Path(d) for d in args.devsets.split(",")]
    missing = [d for d in devsets if not (d / "truth.json").exists()]
    if missing:
        print(f"dev set not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    print("| dev set | input | part (pages) | body F1 (P / R) | title: right/labelled = accuracy, "
          "precision | author | date | entries with review | title written, right (review or not) |")
    print("|---|---|---|---|---|---|---|---|---|")
    figures: dict[str, Any] = {}
    for devset in devsets:
        for mode in args.modes.split(","):
            preds, parts = run(devset, mode)
            figures[f"{devset.name}/{mode}"] = parts
            for part in args.parts.split(","):
                print(table_line(devset.name, mode, part, parts[part]), flush=True)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"pred-{devset.name}-{mode}.json").write_text(
                    json.dumps(preds, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
