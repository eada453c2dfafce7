#!/usr/bin/env bash
# The whole test suite: Rust tests of every crate, then pytest over every available device.
# Builds and installs the Python package first, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements-dev.txt
python3 -m pip install -q --force-reinstall --no-deps .
cargo test --workspace --exclude pymetal-python
python3 -m pytest -ra tests
