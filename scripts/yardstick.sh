#!/usr/bin/env bash
# The community yardstick: nanoGPT's CPU "baby GPT" on tiny Shakespeare, PyTorch vs Betti, on
# the same machine, one after the other, both on 2 threads. PyTorch is installed into a scratch
# virtual environment as a reference only; Betti never depends on it.
#
#   scripts/yardstick.sh                # one round: PyTorch, then Betti (2,000 steps each)
#   ROUNDS=3 scripts/yardstick.sh       # three rounds, alternating which runs first; medians
#   STEPS=500 scripts/yardstick.sh      # a shorter check
#   NANOGPT_DIR=~/nanoGPT scripts/yardstick.sh
#                                       # also nanoGPT's own train.py, with its README command
#
# A shared or virtual machine can change speed by half from one minute to the next; more rounds,
# with the order alternating, keep such a change from deciding the ratio. The last round's
# validation curves are drawn in docs/yardstick.svg (YARDSTICK_SVG sets another path). After
# each round, untimed, the final models (and nanoGPT train.py's checkpoint) are also scored on the
# whole validation split, free of the 20-batch estimates' own noise.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${STEPS:-2000}
rounds=${ROUNDS:-1}
venv=${YARDSTICK_VENV:-.venv-yardstick}
out=${YARDSTICK_OUT:-$(mktemp -d /tmp/betti-yardstick-XXXXXX)}
svg=${YARDSTICK_SVG:-docs/yardstick.svg}
nanogpt=${NANOGPT_DIR:-}
case "$steps$rounds" in
  *[!0-9]*) echo "yardstick: STEPS and ROUNDS must be positive integers (got STEPS=$steps ROUNDS=$rounds)" >&2; exit 2 ;;
esac
if [ "$steps" -lt 1 ] || [ "$rounds" -lt 1 ]; then
  echo "yardstick: STEPS and ROUNDS must be at least 1 (got STEPS=$steps ROUNDS=$rounds)" >&2
  exit 2
fi
if [ -n "$nanogpt" ]; then
  nanogpt=$(cd "$nanogpt" 2>/dev/null && pwd) || nanogpt=""
  if [ -z "$nanogpt" ] || [ ! -f "$nanogpt/train.py" ] \
    || [ ! -f "$nanogpt/data/shakespeare_char/prepare.py" ]; then
    echo "yardstick: NANOGPT_DIR=$NANOGPT_DIR is not a nanoGPT checkout (it needs train.py and" \
      "data/shakespeare_char/prepare.py); clone https://github.com/karpathy/nanoGPT there or" \
      "unset NANOGPT_DIR" >&2
    exit 2
  fi
  nanogpt_data="$nanogpt/data/shakespeare_char"
  if [ -f "$nanogpt_data/input.txt" ] \
    && ! cmp -s "$nanogpt_data/input.txt" Configs/data/tinyshakespeare.txt; then
    echo "yardstick: $nanogpt_data/input.txt differs from Configs/data/tinyshakespeare.txt;" \
      "move it away so that both programs train on the same corpus" >&2
    exit 2
  fi
fi
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet torch numpy
fi
python=$(cd "$venv/bin" && pwd)/python
# Betti refuses a run shorter than its warmup; say so before an hour of PyTorch runs, not after.
warmup=$("$python" -c "import json; print(json.load(open('Configs/shakespeare_char.json'))['schedule']['warmup_steps'])")
if [ "$steps" -lt "$warmup" ]; then
  echo "yardstick: STEPS=$steps is shorter than the $warmup warmup steps of" \
    "Configs/shakespeare_char.json; use STEPS of at least $warmup" >&2
  exit 2
fi
if [ -n "$nanogpt" ] && [ ! -f "$nanogpt_data/train.bin" ]; then
  # nanoGPT's own preparation of the same corpus (its script imports requests to download the
  # text, which it skips when input.txt is there).
  "$python" -c "import requests" 2>/dev/null || "$python" -m pip install --quiet requests
  cp Configs/data/tinyshakespeare.txt "$nanogpt_data/input.txt"
  (cd "$nanogpt_data" && "$python" prepare.py >/dev/null)
fi
swift build -c release >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

run_pytorch() {  # $1: round folder
  echo "== PyTorch (nanoGPT's model and training loop, scripts/nanogpt_mirror.py)"
  local start; start=$(now_ms)
  OMP_NUM_THREADS=2 "$python" scripts/nanogpt_mirror.py train \
    --data Configs/data/tinyshakespeare.txt --threads 2 --max-iters "$steps" --json "$1/pytorch.json" \
    --save "$1/pytorch.safetensors"
  echo $(( $(now_ms) - start )) > "$1/pytorch_wall_ms"
}

run_nanogpt() {  # $1: round folder
  echo "== nanoGPT's own train.py ($nanogpt), its README command for CPUs"
  local start; start=$(now_ms)
  if ! (cd "$nanogpt" && OMP_NUM_THREADS=2 "$python" train.py config/train_shakespeare_char.py \
    --device=cpu --compile=False --eval_iters=20 --log_interval=1 --block_size=64 \
    --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters="$steps" \
    --lr_decay_iters="$steps" --dropout=0.0 --out_dir="$1/nanogpt-out") >"$1/nanogpt.log" 2>&1
  then
    tail -20 "$1/nanogpt.log" >&2
    echo "yardstick: nanoGPT's train.py failed; its whole log is $1/nanogpt.log" >&2
    exit 1
  fi
  echo $(( $(now_ms) - start )) > "$1/nanogpt_wall_ms"
  grep "^step " "$1/nanogpt.log"
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
    run_pytorch "$folder"; [ -z "$nanogpt" ] || run_nanogpt "$folder"; run_betti "$folder"
  else
    run_betti "$folder"; [ -z "$nanogpt" ] || run_nanogpt "$folder"; run_pytorch "$folder"
  fi
  # Outside the timed runs: the final models on the whole validation split, in one model code
  # (nanoGPT's train.py keeps the checkpoint of its best validation estimate; its step is shown).
  checkpoints=("$folder/yardstick" "$folder/pytorch.safetensors")
  [ -z "$nanogpt" ] || [ ! -f "$folder/nanogpt-out/ckpt.pt" ] \
    || checkpoints+=("$folder/nanogpt-out/ckpt.pt")
  OMP_NUM_THREADS=2 "$python" scripts/nanogpt_mirror.py evaluate \
    --data Configs/data/tinyshakespeare.txt "${checkpoints[@]}" > "$folder/full_val.jsonl"
done

"$python" scripts/yardstick_report.py --svg "$svg" "${folders[@]}"
