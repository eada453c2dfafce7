#!/usr/bin/env bash
# Builds and installs pymetal, then runs every example on the default device.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements-dev.txt
python3 -m pip install -q --force-reinstall --no-deps .
python3 examples/run_all.py
