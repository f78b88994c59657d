#!/bin/bash
# Two versions of digest on the same corpus, step by step, interleaved (old then new, new then old,
# ...), so that a busy machine slows both alike: a cold build, nothing changed, one edit, one entry added
# (the newest), that one deleted. The default command (search on). Wall s and peak KB per step.
#
#   bench/ab.sh OLD_COMMIT [N]     (N entries of the bench corpus, default 10000)
#
# The old version runs from a worktree of OLD_COMMIT with this checkout's .venv (PYTHONPATH puts
# its package first); the new one is this checkout.
set -eu
OLD=${1:?usage: bench/ab.sh OLD_COMMIT [N]}
N=${2:-10000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=$HERE/.venv/bin/python
WORK=${AB_WORK:-/tmp/digest-ab}
rm -rf "$WORK"; mkdir -p "$WORK"
git -C "$HERE" worktree add -q --detach "$WORK/old" "$OLD"
trap 'git -C "$HERE" worktree remove --force "$WORK/old"' EXIT
CORPUS=$HERE/bench/work/corpus-$N/content
[ -d "$CORPUS" ] || python3 "$HERE/../shared/peer-bench/gen_corpus.py" "$N" "$WORK/corpus" >/dev/null
[ -d "$CORPUS" ] || CORPUS=$WORK/corpus/content
for side in old new; do
  mkdir -p "$WORK/$side-site"; cp -r "$CORPUS" "$WORK/$side-site/content"
  cp "$HERE/bench/work/digest-$N/digest.toml" "$WORK/$side-site/" 2>/dev/null \
    || "$PY" -c "import sys; sys.path.insert(0, '$HERE/bench'); import run; print(run.DIGEST_TOML)" > "$WORK/$side-site/digest.toml"
done
unset PYTHONDONTWRITEBYTECODE
run() {  # run SIDE STEP (from $WORK: `python -m` puts the working folder first on the path)
  local side=$1 step=$2 path=$HERE
  [ "$side" = old ] && path=$WORK/old
  (cd "$WORK" && PYTHONPATH=$path /usr/bin/time -f "$step $side: %e s wall, %M KB" "$PY" -m digest.cli build -C "$WORK/$side-site" \
    2>&1 >/dev/null | grep -E "^$step $side:|rror") || true
}
target() { find "$WORK/$1-site/content" -name '*.md' | sort | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
newest() { find "$WORK/$1-site/content" -name '*.md' | sort | tail -1; }
order="old new"
for step in cold no-change one-edit one-add one-delete; do
  for side in $order; do
    case $step in
      one-edit) printf '\nA paragraph added for the bench.\n' >> "$(target $side)" ;;
      one-add) src=$(newest $side); sed '0,/title:/s//title: Bench addition/' "$src" > "$(dirname "$src")/zz-bench-addition.md" ;;
      one-delete) rm "$(dirname "$(newest $side)")/zz-bench-addition.md" ;;
    esac
    run $side $step
  done
  [ "$order" = "old new" ] && order="new old" || order="old new"  # neither side always runs second
done
