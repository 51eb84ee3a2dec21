#!/usr/bin/env bash
# Checks runs' TensorBoard event files with TensorBoard's own reader and server (not part of CI).
#   scripts/check_tensorboard.sh Runs/quickstart [more run folders] [--no-serve]
# Installs tensorboard from PyPI into a scratch venv (BETTI_TB_VENV, default /work/.venv-tb).
set -euo pipefail
venv="${BETTI_TB_VENV:-/work/.venv-tb}"
if [ ! -x "$venv/bin/tensorboard" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet tensorboard
fi
exec "$venv/bin/python" "$(dirname "$0")/check_tensorboard.py" "$@"
