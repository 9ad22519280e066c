#!/usr/bin/env bash
# Run one pytest suite in one test environment, with the collection importable.
#
#   run_pytest.sh <venv> <collections dir> <suite dir> [pytest args...]
#
# The collection is imported as ansible_collections.<namespace>.<name> from <collections dir>
# (the symlink layout the Makefile builds) through the pytest_collection_loader plugin here.
#
# Empty suites are handled explicitly, never passed silently:
# - a suite folder without any test_*.py / *_test.py file is reported as "skipped: ... has no
#   tests yet" (and noted for the summary) and exits 0, so a suite that is still being written
#   does not break the build;
# - a suite WITH test files where pytest still collects nothing (exit 5) is a failure.
# Run from the repository root.
set -euo pipefail

venv="${1:?usage: run_pytest.sh <venv> <collections dir> <suite dir> [pytest args...]}"
collections="$(cd "${2:?collections dir missing}" && pwd)"
suite="${3:?suite dir missing}"
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
label="$(basename "$venv")"

if [ -z "$(find "$suite" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null)" ]; then
    echo "skipped: $suite has no tests yet ($label)" | tee -a "${TEST_STEP_NOTES:-/dev/null}"
    exit 0
fi

echo "== pytest $suite on $label ($("$venv/bin/python" -V), ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)'))"
set +e
ANSIBLE_COLLECTIONS_PATH="$collections" \
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" \
    "$venv/bin/python" -m pytest -p pytest_collection_loader "$suite" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "FAILED: $suite has test files but pytest collected no test ($label)" >&2
fi
exit "$rc"
