#!/usr/bin/env bash
# Run `ansible-test sanity` for one test environment, without the pip bootstrap download.
#
#   run_sanity.sh <venv> <python X.Y> <stage dir> [ansible-test sanity args...]
#
# 1. stage_collection.py copies the files git knows about to
#    <stage dir>/ansible_collections/<namespace>/<name>; ansible-test needs a real folder of that
#    shape (it reads os.getcwd(), which resolves symlinks). The copy gets a git index of its own:
#    it sits inside this repository's ignored .build/, and ansible-test, which lists files with git
#    when it finds a repository, would otherwise see none of them.
# 2. seed_pip_bootstrap.py puts offline_get_pip.py where ansible-test caches its pip bootstrap
#    script, under $ANSIBLE_TEST_HOME (used as HOME for ansible-test).
# 3. ansible-test sanity --python X.Y runs every sanity test with ansible-test's own pinned
#    requirements, each in the venv ansible-test builds for it. Its output is also kept in
#    <stage dir>/sanity.log. A run that tested no file fails.
# Run from the repository root.
set -euo pipefail

venv="${1:?usage: run_sanity.sh <venv> <python X.Y> <stage dir> [ansible-test sanity args...]}"
python_version="${2:?python version missing}"
stage_dir="${3:?stage dir missing}"
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${ANSIBLE_TEST_HOME:?set ANSIBLE_TEST_HOME to the folder ansible-test uses as HOME}"
pip_cache="${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}"

core="$("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
echo "== ansible-test sanity on $(basename "$venv") (Python $python_version, ansible-core $core)"

collection="$("$venv/bin/python" "$here/stage_collection.py" . "$stage_dir")"
git -C "$collection" init --quiet
git -C "$collection" add --all

mkdir -p "$ANSIBLE_TEST_HOME"
HOME="$ANSIBLE_TEST_HOME" "$venv/bin/python" "$here/seed_pip_bootstrap.py"

log="$stage_dir/sanity.log"
set +e
(
    cd "$collection"
    HOME="$ANSIBLE_TEST_HOME" PIP_CACHE_DIR="$pip_cache" PATH="$venv/bin:$PATH" \
        ansible-test sanity --python "$python_version" "$@"
) 2>&1 | grep --line-buffered -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory" | tee "$log"
rc="${PIPESTATUS[0]}"
set -e

ran="$(grep -c '^Running sanity test' "$log" || true)"
if [ "$rc" -eq 0 ] && { [ "$ran" -eq 0 ] || grep -q 'All targets skipped' "$log"; }; then
    echo "FAILED: ansible-test found no file to test in $collection" >&2
    exit 1
fi
echo "ansible-test sanity on $(basename "$venv"): $ran tests run, exit $rc (log: $log)"
exit "$rc"
