#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[test]"
if [ -z "${NEUROFLOW_DATA:-}" ] && [ -d ../shared/datasets ]; then
  NEUROFLOW_DATA="$(cd ../shared/datasets && pwd)"
  export NEUROFLOW_DATA
fi
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
