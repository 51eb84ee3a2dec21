#!/usr/bin/env bash
# Checks `betti board` in a real browser: trains Configs/quickstart.json as Runs/boardcheck,
# serves the runs folder, and has headless Chromium render the run page twice, some seconds
# apart, as PNG screenshots and as the DOM after the page's script ran. Passes when the second
# rendering shows a later step and a longer loss curve than the first.
#
#   scripts/board-screenshots.sh [OUT_DIR]      # default /tmp/betti-board-check
#
# Needs Debian's chromium (apt-get install -y chromium). GAP (seconds between the two
# renderings, default 30), PORT (default 6107) and BETTI (a built betti to use instead of
# building one) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/betti-board-check}
gap=${GAP:-30}
port=${PORT:-6107}
mkdir -p "$out"
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }

if [[ -z "${BETTI:-}" ]]; then
  swift build -c release >/dev/null
  BETTI="$(swift build -c release --show-bin-path)/betti"
fi
betti=$BETTI

rm -rf Runs/boardcheck
"$betti" train Configs/quickstart.json --name boardcheck >"$out/train.log" 2>&1 &
train=$!
"$betti" board Runs --port "$port" >"$out/board.log" 2>&1 &
board=$!
trap 'kill -INT $train 2>/dev/null || true; kill $board 2>/dev/null || true' EXIT

url="http://127.0.0.1:$port/run/boardcheck"
# Wait for the first rows of the first training steps (step 0 is the initial evaluation).
for _ in $(seq 1 120); do
  if grep -q '"step":20,' Runs/boardcheck/metrics.jsonl 2>/dev/null; then break; fi
  sleep 1
done

render() { # name: a screenshot and the DOM of the run page
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$out/chromium-profile" --hide-scrollbars --window-size=1200,2200 \
    --virtual-time-budget=6000 --screenshot="$out/$1.png" "$url" >/dev/null 2>&1
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$out/chromium-profile" --virtual-time-budget=6000 --dump-dom "$url" \
    2>/dev/null >"$out/$1.html"
}

# What a rendering shows: the progress line's step and the points of the loss chart's first line.
shown() {
  local step points
  step=$(grep -o '<span id="progress">step [0-9]*' "$out/$1.html" | grep -o '[0-9]*$' || echo 0)
  points=$(grep -o '<polyline points="[^"]*"' "$out/$1.html" | head -1 | tr ' ' '\n' | grep -c , || true)
  echo "$step $points"
}

render first
sleep "$gap"
render second
chromium --headless --no-sandbox --disable-gpu --user-data-dir="$out/chromium-profile" --hide-scrollbars --window-size=1200,700 \
  --virtual-time-budget=4000 --screenshot="$out/index.png" "http://127.0.0.1:$port/" >/dev/null 2>&1
read -r step1 points1 <<<"$(shown first)"
read -r step2 points2 <<<"$(shown second)"
echo "first:  step $step1, $points1 points on the training-loss line ($out/first.png)"
echo "second: step $step2, $points2 points on the training-loss line ($out/second.png)"
if ((step2 > step1 && points2 > points1)); then
  echo "ok: the run page grew while the run trained"
else
  echo "FAILED: the second rendering does not show more steps than the first" >&2
  exit 1
fi
