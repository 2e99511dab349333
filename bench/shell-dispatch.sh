#!/usr/bin/env bash
# A minimal shell dispatcher, written only as a yardstick for `npm run bench`: mirror the
# repo (clone once, fetch after), a fresh clone of the mirror per run, the agent with the
# task on stdin, then the diff of everything it changed. No locks, limits, events or
# summary: what any dispatcher must at least do.
# usage: shell-dispatch.sh REPO HOME TASK AGENT [AGENT-ARGS...]  (the agent runs in the clone)
set -euo pipefail
repo=$1 home=$2 task=$3
shift 3
mirror=$home/mirror.git
if [ -d "$mirror" ]; then
  git --git-dir="$mirror" fetch --quiet --prune "$repo" '+refs/heads/*:refs/heads/*'
else
  git clone --quiet --mirror -- "$repo" "$mirror"
fi
run=$home/runs/$(date +%s%N)-$$
mkdir -p "$run"
git clone --quiet --shared -- "$mirror" "$run/ws"
status=0
(cd "$run/ws" && printf '%s' "$task" | "$@") >"$run/output.log" 2>"$run/stderr.log" || status=$?
git -C "$run/ws" add -A
git -C "$run/ws" diff --cached --binary HEAD >"$run/diff.patch"
echo "$run"
exit "$status"
