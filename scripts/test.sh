#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
# constraints.txt pins every package of the test environment to versions that pass
# together, so a new upstream release cannot break a fresh install (see its header).
python -m pip install -q -c constraints.txt -e ".[test]"
# System programs some tests use: Graphviz's dot (plot_model) and a PostgreSQL server
# (the distributed tuner test starts its own on 127.0.0.1 in a temporary folder).
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# With a server installed, the PostgreSQL tuner tests must run, not skip.
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  export NEUROFLOW_REQUIRE_POSTGRES=1
fi
if [ -z "${NEUROFLOW_DATA:-}" ] && [ -d ../shared/datasets ]; then
  NEUROFLOW_DATA="$(cd ../shared/datasets && pwd)"
  export NEUROFLOW_DATA
fi
set +e
# One pytest worker per core (pytest-xdist): the suite is CPU-bound and its tests are
# independent (each server a test starts picks a free port, each file goes to tmp_path).
python -m pytest -n auto "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
