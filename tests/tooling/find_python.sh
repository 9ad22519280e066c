#!/usr/bin/env bash
# Print the path of a working Python interpreter of the version given (for example 3.12).
#
# Order: "pythonX.Y" on PATH, then pyenv's "$(pyenv root)/versions/X.Y.*/bin/pythonX.Y" (newest
# patch release first). A candidate counts only if it runs and reports the version asked for:
# a pyenv shim for a version that is installed but not selected exists on PATH yet fails.
set -euo pipefail

want="${1:?usage: find_python.sh X.Y}"

probe() {
    # Print the real executable of "$1" when it runs and is Python $want.
    "$1" -c 'import sys; v = "%d.%d" % sys.version_info[:2]; print(sys.executable) if v == sys.argv[1] else sys.exit(1)' \
        "$want" 2>/dev/null
}

if command -v "python$want" >/dev/null 2>&1 && probe "python$want"; then
    exit 0
fi

roots=()
if command -v pyenv >/dev/null 2>&1; then
    roots+=("$(pyenv root)")
fi
roots+=("${PYENV_ROOT:-$HOME/.pyenv}")

for root in "${roots[@]}"; do
    [ -d "$root/versions" ] || continue
    mapfile -t candidates < <(printf '%s\n' "$root/versions/$want".*/bin/"python$want" | sort -V -r)
    for candidate in "${candidates[@]}"; do
        if [ -x "$candidate" ] && probe "$candidate"; then
            exit 0
        fi
    done
done

echo "find_python.sh: no working python$want on PATH or under pyenv" >&2
exit 1
