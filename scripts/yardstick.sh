#!/usr/bin/env bash
# The community yardstick: nanoGPT's CPU "baby GPT" on tiny Shakespeare, PyTorch vs Betti, on
# the same machine, one after the other, both on 2 threads. PyTorch is installed into a scratch
# virtual environment as a reference only; Betti never depends on it.
#
#   scripts/yardstick.sh                # one round: PyTorch, then Betti (2,000 steps each)
#   ROUNDS=3 scripts/yardstick.sh       # three rounds, alternating which runs first; medians
#   STEPS=500 scripts/yardstick.sh      # a shorter check
#
# A shared or virtual machine can change speed by half from one minute to the next; more rounds,
# with the order alternating, keep such a change from deciding the ratio. The last round's
# validation curves are drawn in docs/yardstick.svg (YARDSTICK_SVG sets another path).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${STEPS:-2000}
rounds=${ROUNDS:-1}
venv=${YARDSTICK_VENV:-.venv-yardstick}
out=${YARDSTICK_OUT:-$(mktemp -d /tmp/betti-yardstick-XXXXXX)}
svg=${YARDSTICK_SVG:-docs/yardstick.svg}
case "$steps$rounds" in
  *[!0-9]*) echo "yardstick: STEPS and ROUNDS must be positive integers (got STEPS=$steps ROUNDS=$rounds)" >&2; exit 2 ;;
esac
if [ "$steps" -lt 1 ] || [ "$rounds" -lt 1 ]; then
  echo "yardstick: STEPS and ROUNDS must be at least 1 (got STEPS=$steps ROUNDS=$rounds)" >&2
  exit 2
fi
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy
fi
swift build -c release >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

run_pytorch() {  # $1: round folder
  echo "== PyTorch (nanoGPT's model and training loop, scripts/nanogpt_mirror.py)"
  local start; start=$(now_ms)
  OMP_NUM_THREADS=2 "$venv/bin/python" scripts/nanogpt_mirror.py train \
    --data Configs/data/tinyshakespeare.txt --threads 2 --max-iters "$steps" --json "$1/pytorch.json"
  echo $(( $(now_ms) - start )) > "$1/pytorch_wall_ms"
}

run_betti() {  # $1: round folder
  echo "== Betti (Configs/shakespeare_char.json)"
  local start; start=$(now_ms)
  BETTI_THREADS=2 .build/release/betti train Configs/shakespeare_char.json --name yardstick \
    --set runs_dir="$1" --set training.steps="$steps" --overwrite
  echo $(( $(now_ms) - start )) > "$1/betti_wall_ms"
}

folders=()
for round in $(seq 1 "$rounds"); do
  folder="$out/round-$round"
  mkdir -p "$folder"
  folders+=("$folder")
  echo "=== round $round of $rounds"
  if [ $((round % 2)) -eq 1 ]; then
    run_pytorch "$folder"; run_betti "$folder"
  else
    run_betti "$folder"; run_pytorch "$folder"
  fi
done

"$venv/bin/python" scripts/yardstick_report.py --svg "$svg" "${folders[@]}"
