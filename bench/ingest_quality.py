"""Measure ingest quality on the shared dev set (../shared/ingest-devset beside the repo).

Runs the text-dump reader and the HTML reader over every dev page, writes predictions JSON
and scores them with the dev set's own score.py, on all pages and on two fixed halves
(A: even positions in sorted id order, used while developing; B: odd, the check).

    .venv/bin/python bench/ingest_quality.py [--devset PATH] [--out DIR] [--per-doc]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.ingest.article import Article  # noqa: E402
from digest.ingest.clean import decode, sanitize  # noqa: E402
from digest.ingest.html import read_html  # noqa: E402
from digest.ingest.text import read_text  # noqa: E402


def default_devset() -> Path:
    return REPO.parent / "shared" / "ingest-devset"


def prediction(article: Article) -> dict[str, object]:
    pred: dict[str, object] = {"articleBody": article.body, "title": article.title or ""}
    pred["author"] = list(article.authors)
    pred["date"] = article.date or ""
    return pred


def predict(devset: Path, mode: str) -> dict[str, dict[str, object]]:
    truth = json.loads((devset / "truth.json").read_text(encoding="utf-8"))
    preds = {}
    for page_id in sorted(truth):
        if mode == "text":
            raw = (devset / "text-w3m" / f"{page_id}.txt").read_bytes()
            article = read_text(sanitize(decode(raw)))
        else:
            raw = (devset / "html" / f"{page_id}.html").read_bytes()
            article = read_html(sanitize(decode(raw)), url=None)
        preds[page_id] = prediction(article)
    return preds


def score(devset: Path, preds: dict[str, dict[str, object]], ids: list[str], label: str,
          out: Path, per_doc: bool) -> str:
    truth = json.loads((devset / "truth.json").read_text(encoding="utf-8"))
    sub_truth = {i: truth[i] for i in ids}
    truth_path = out / f"truth-{label}.json"
    truth_path.write_text(json.dumps(sub_truth), encoding="utf-8")
    pred_path = out / f"pred-{label}.json"
    pred_path.write_text(json.dumps({i: preds[i] for i in ids}, ensure_ascii=False, indent=1),
                         encoding="utf-8")
    cmd = [sys.executable, str(devset / "score.py"), str(pred_path), "--truth", str(truth_path),
           "--n-bootstrap", "200", "--label", label]
    if per_doc:
        cmd += ["--per-doc", str(out / f"per-doc-{label}.tsv")]
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=default_devset())
    ap.add_argument("--out", type=Path, help="where to keep predictions (default: a temp dir)")
    ap.add_argument("--per-doc", action="store_true")
    ap.add_argument("--modes", default="text,html")
    args = ap.parse_args(argv)
    if not (args.devset / "truth.json").exists():
        print(f"dev set not found at {args.devset}", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="ingest-quality-"))
    out.mkdir(parents=True, exist_ok=True)
    ids = sorted(json.loads((args.devset / "truth.json").read_text(encoding="utf-8")))
    halves = {"all": ids, "A": ids[0::2], "B": ids[1::2]}
    for mode in args.modes.split(","):
        preds = predict(args.devset, mode)
        for half, half_ids in halves.items():
            print(score(args.devset, preds, half_ids, f"{mode}-{half}", out, args.per_doc))
    print(f"predictions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
