#!/usr/bin/env bash
# End to end on a real Slurm cluster: `betti sweep --backend slurm` against the local backend.
#
#   scripts/slurm-e2e.sh
#
# Submits a 6-trial sweep (3 learning rates × 2 seeds of a small copy task, at most 2 at once)
# as a job array; one trial is made to fail (its run folder holds a config.json that is not
# JSON, as a damaged run folder would) and one is cancelled half-way with scancel. Then it
# checks the statuses, submits the same command again (only the cancelled and the failed trial
# go back to Slurm), waits, and compares results.csv with the same sweep run by the local
# backend: the same final losses and accuracies bit for bit, the failure recorded, the cancelled
# trial resumed from its checkpoint rather than restarted.
#
# Uses the cluster sbatch talks to; when no controller answers it starts the single-node one of
# scripts/slurm-cluster.sh (with MaxArraySize=4, so the sweep is split into two arrays) and
# stops it at the end. The work folder is under Runs/ (shared with the nodes) and removed at
# the end unless KEEP=1. BETTI_SCRATCH_PATH selects the build folder (default .build); an
# up-to-date betti there (e.g. from `swift test -c release`) is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

fail() { echo "slurm-e2e: FAILED: $*" >&2; exit 1; }
command -v sbatch >/dev/null || fail "sbatch is not on PATH"
scratch=${BETTI_SCRATCH_PATH:-.build}
betti="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/betti"
# `swift test -c release` (as in .ci/run) leaves an up-to-date betti; building it again only
# for this script would recompile everything without testing enabled.
if [ ! -x "$betti" ] || [ -n "$(find Sources Package.swift -newer "$betti" -print -quit)" ]; then
  swift build -c release --scratch-path "$scratch" --product betti
fi
[ -x "$betti" ] || fail "no betti executable at $betti"

started_cluster=0
if ! scontrol ping >/dev/null 2>&1 || ! sinfo --noheader >/dev/null 2>&1; then
  echo "== no Slurm controller answers; starting the single-node cluster"
  BETTI_SLURM_MAX_ARRAY_SIZE=4 scripts/slurm-cluster.sh up
  started_cluster=1
fi

mkdir -p Runs
work=$(mktemp -d "$root/Runs/.slurm-e2e.XXXXXX")
cleanup() {
  local status=$?
  if [ "$status" != 0 ] && [ -d "$work" ]; then
    echo "== slurm-e2e FAILED; logs of the Slurm tasks:" >&2
    tail -n 5 "$work"/runs/e2e/slurm/logs/*.out >&2 2>/dev/null || true
  fi
  scancel --name=betti-e2e >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
  [ "$started_cluster" = 1 ] && scripts/slurm-cluster.sh down
  exit "$status"
}
trap cleanup EXIT

cat >"$work/spec.json" <<EOF
{
  "name": "e2e",
  "base": {
    "runs_dir": "$work/runs",
    "seed": 1,
    "model": {"context": 16, "width": 48, "depth": 2, "heads": 4},
    "optimizer": {"kind": "adamw", "lr": 0.001},
    "schedule": {"kind": "cosine", "warmup_steps": 20},
    "task": {"kind": "copy", "length": 8, "symbols": 12},
    "training": {"steps": 400, "batch_size": 16, "eval_every": 100, "eval_batches": 4,
                 "log_every": 20, "checkpoint_every": 25}
  },
  "grid": {"optimizer.lr": [0.003, 0.01, 0.03]},
  "seeds": [1, 2],
  "slurm": {"max_concurrent": 2, "time": "00:10:00"}
}
EOF

# The trial made to fail: a run folder whose config.json is not JSON, in both sweeps.
break_trial() { mkdir -p "$1" && echo "not json" >"$1/config.json"; }
failing=t005-optimizer.lr_0.03-seed_2
cancelled=t000-optimizer.lr_0.003-seed_1

queue_count() { squeue --noheader --array --name=betti-e2e --format=%T | grep -c "$1" || true; }

wait_for_queue_to_empty() {
  local most=0 running
  for _ in $(seq 1 600); do
    running=$(queue_count RUNNING)
    [ "$running" -gt "$most" ] && most=$running
    [ "$running" -gt 2 ] && fail "$running trials running at once; --max-concurrent is 2"
    if [ "$(squeue --noheader --name=betti-e2e | wc -l)" = 0 ]; then
      echo "queue empty; at most $most trials ran at once"
      return
    fi
    sleep 1
  done
  fail "the sweep's jobs were still queued after 10 minutes"
}

echo "== local backend, 2 at a time"
break_trial "$work/runs/e2e-local/$failing"
set +e
"$betti" sweep "$work/spec.json" --name e2e-local --jobs 2
status=$?
set -e
[ "$status" = 3 ] || fail "the local sweep exited $status, expected 3 (one trial failed)"

echo "== slurm backend: dry run"
"$betti" sweep "$work/spec.json" --backend slurm --dry-run | tail -n 4

echo "== slurm backend: submit"
break_trial "$work/runs/e2e/$failing"
"$betti" sweep "$work/spec.json" --backend slurm
jobs=$(grep -c '"job_id"' "$work/runs/e2e/slurm/jobs.json")
echo "recorded $jobs job array(s)"

echo "== cancel $cancelled half-way"
task_job=""
for _ in $(seq 1 300); do
  if [ -f "$work/runs/e2e/$cancelled/checkpoints/latest" ]; then
    task_job=$(squeue --noheader --array --name=betti-e2e --format='%F_%K %T' | awk '$1 ~ /_0$/ && $2 == "RUNNING" {print $1; exit}')
    [ -n "$task_job" ] && break
  fi
  sleep 0.2
done
[ -n "$task_job" ] || fail "trial 0 never ran with a checkpoint written"
scancel "$task_job"
echo "scancel $task_job"

wait_for_queue_to_empty
"$betti" sweep status "$work/runs/e2e"
summary() { grep "\"$2\"" "$work/runs/e2e/$1/summary.json" | head -n 1 | tr -d ' ,'; }
[ "$(summary $cancelled status)" = '"status":"interrupted"' ] ||
  fail "the cancelled trial is not marked interrupted: $(summary $cancelled status)"
stopped_at=$(summary $cancelled step | cut -d: -f2)
[ "$stopped_at" -lt 400 ] || fail "the cancelled trial was not stopped half-way (step $stopped_at)"
[ "$(summary $failing status)" = '"status":"failed"' ] || fail "the broken trial is not failed"
echo "cancelled trial stopped at step $stopped_at with a checkpoint; broken trial failed"

echo "== slurm backend: submit again (only what is not finished)"
"$betti" sweep "$work/spec.json" --backend slurm | tee "$work/resubmit.txt"
grep -q "2 to submit" "$work/resubmit.txt" || fail "the resubmission did not send exactly 2 trials"
wait_for_queue_to_empty
"$betti" sweep status "$work/runs/e2e" | tee "$work/status.txt"
grep -q "every trial has ended" "$work/status.txt" || fail "status did not see the sweep as ended"
[ -s "$work/runs/e2e/report.html" ] || fail "status did not write the sweep report"
grep -q "resumed at step $stopped_at" "$work/runs/e2e/$cancelled/log.txt" ||
  fail "the cancelled trial did not resume from its checkpoint at step $stopped_at"

echo "== results.csv: slurm against local"
columns() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { print $col["index"], $col["trial"], $col["status"], $col["train_loss"], $col["train_accuracy"],
            $col["val_loss"], $col["val_accuracy"], $col["best_val_loss"], $col["step"] }' "$1"
}
columns "$work/runs/e2e-local/results.csv" >"$work/local.txt"
columns "$work/runs/e2e/results.csv" >"$work/slurm.txt"
cat "$work/slurm.txt"
diff "$work/local.txt" "$work/slurm.txt" || fail "results differ between the local and the slurm backend"
[ "$(grep -c ' completed ' "$work/slurm.txt")" = 5 ] || fail "expected 5 completed trials"
[ "$(grep -c ' failed ' "$work/slurm.txt")" = 1 ] || fail "expected 1 failed trial"
grep -q "config.json" "$work/runs/e2e/results.csv" || fail "the failure's error is not in results.csv"
echo "slurm-e2e: OK — 6 trials, 5 completed bit-identical to the local backend, 1 failed and recorded, 1 cancelled and resumed from step $stopped_at"
