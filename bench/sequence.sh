#!/bin/bash
# One site, the default command, one run per step: a full build, nothing changed (twice), one edit
# (twice), its headline edited, one entry added, that one deleted, nothing changed. Wall s, CPU s,
# peak KB of the largest process, and the build's stages (-v). Used for the 100,000-entry figures in
# docs/speed.md.
# ARGS="--no-search" bench/sequence.sh SITE: the same steps with these options to every build.
set -u
SITE=${1:?usage: bench/sequence.sh SITE  (a built site; its content/ gets an edit, an added and a deleted entry)}
D=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/digest
cd $SITE
T() { local what=$1; shift; /usr/bin/time -f "$what: %e s wall, %U+%S s CPU, %M KB" "$@" 2>&1 | grep -E "^$what:|^built|^stages|error" ; }
export -n PYTHONDONTWRITEBYTECODE; unset PYTHONDONTWRITEBYTECODE
T "full build" $D build -C $SITE -v ${ARGS:-}
T "nothing changed" $D build -C $SITE -v ${ARGS:-}
T "nothing changed again" $D build -C $SITE -v ${ARGS:-}
MID=$(cd $SITE && find content -name '*.md' | sort | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
echo "middle entry: $MID"
printf '\nBench edit one.\n' >> "$MID"
T "one edit" $D build -C $SITE -v ${ARGS:-}
printf '\nBench edit two.\n' >> "$MID"
T "one edit again" $D build -C $SITE -v ${ARGS:-}
sed -i '0,/^title: /s//title: Retitled /' "$MID"
T "its headline edited" $D build -C $SITE -v ${ARGS:-}
NEW=$(dirname "$MID")/bench-addition.md
sed '0,/title:/s//title: Bench addition/' "$MID" > "$NEW"
T "one added" $D build -C $SITE -v ${ARGS:-}
rm "$NEW"
T "that one deleted" $D build -C $SITE -v ${ARGS:-}
T "nothing changed after" $D build -C $SITE -v ${ARGS:-}
