#!/usr/bin/env bash
# The community yardstick: nanoGPT's CPU "baby GPT" on tiny Shakespeare, PyTorch vs Betti, on
# the same machine, one after the other, both on 2 threads. PyTorch is installed into a scratch
# virtual environment as a reference only; Betti never depends on it.
#
#   scripts/yardstick.sh            # full runs (2,000 steps each)
#   STEPS=500 scripts/yardstick.sh  # a shorter check
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${STEPS:-2000}
venv=${YARDSTICK_VENV:-.venv-yardstick}
out=${YARDSTICK_OUT:-$(mktemp -d /tmp/betti-yardstick-XXXXXX)}
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy
fi
swift build -c release >/dev/null

echo "== PyTorch (nanoGPT's model and training loop, scripts/nanogpt_mirror.py)"
start=$(date +%s%N)
OMP_NUM_THREADS=2 "$venv/bin/python" scripts/nanogpt_mirror.py train \
  --data Configs/data/tinyshakespeare.txt --threads 2 --max-iters "$steps" --json "$out/pytorch.json"
torch_wall=$(( ($(date +%s%N) - start) / 1000000 ))

echo "== Betti (Configs/shakespeare_char.json)"
start=$(date +%s%N)
BETTI_THREADS=2 .build/release/betti train Configs/shakespeare_char.json --name yardstick \
  --set runs_dir="$out" --set training.steps="$steps" --overwrite
betti_wall=$(( ($(date +%s%N) - start) / 1000000 ))

"$venv/bin/python" scripts/yardstick_report.py "$out/pytorch.json" "$out/yardstick/metrics.csv" \
  "$torch_wall" "$betti_wall" docs/yardstick.svg  # wall times in milliseconds
