#!/usr/bin/env bash
# Print the path of a working Python interpreter of the version given (for example 3.12).
#
# Order: "pythonX.Y" on PATH, then pyenv's "$(pyenv root)/versions/X.Y.*/bin/pythonX.Y" (newest
# patch release first). A candidate counts only if it runs, reports the version asked for and can
# create virtual environments (venv and ensurepip: Debian ships them apart, as pythonX.Y-venv):
# a pyenv shim for a version that is installed but not selected exists on PATH yet fails.
# When none is found it says what to install and exits 1.
set -euo pipefail

want="${1:?usage: find_python.sh X.Y}"
# The Makefile gives every tool a home inside the repository; pyenv lives in the user's own.
user_home="${WINRDS_USER_HOME:-$HOME}"

probe() {
    # Print the real executable of "$1" when it runs, is Python $want and has venv with ensurepip.
    "$1" -c 'import sys, venv, ensurepip; v = "%d.%d" % sys.version_info[:2]; print(sys.executable) if v == sys.argv[1] else sys.exit(1)' \
        "$want" 2>/dev/null
}

if command -v "python$want" >/dev/null 2>&1 && probe "python$want"; then
    exit 0
fi

roots=()
if command -v pyenv >/dev/null 2>&1; then
    roots+=("$(HOME="$user_home" pyenv root)")
fi
roots+=("${PYENV_ROOT:-$user_home/.pyenv}")

for root in "${roots[@]}"; do
    [ -d "$root/versions" ] || continue
    mapfile -t candidates < <(printf '%s\n' "$root/versions/$want".*/bin/"python$want" | sort -V -r)
    for candidate in "${candidates[@]}"; do
        if [ -x "$candidate" ] && probe "$candidate"; then
            exit 0
        fi
    done
done

cat >&2 <<EOF
This needs Python $want with its venv module, and found none: no python$want on PATH or under pyenv
that runs and can create a virtual environment. Install it, then run the same command again, e.g.
  Debian/Ubuntu:  sudo apt-get install python$want python$want-venv
  Fedora/RHEL:    sudo dnf install python$want
  pyenv:          pyenv install $want
(make test needs Python 3.11 and 3.12; make demo needs 3.12 only. See README.md, "What the machine needs".)
EOF
exit 1
