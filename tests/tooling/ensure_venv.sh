#!/usr/bin/env bash
# Create or refresh one test virtual environment from a pinned requirements file.
#
#   ensure_venv.sh <venv dir> <python X.Y> <requirements file> [<optional file> <command it needs>]
#
# The environment is rebuilt only when its stamp differs: the stamp is a SHA-256 over the
# interpreter's full version, the requirements file, every file it includes with -r/-c (one
# level, relative to it) and tests/requirements/pip.txt. A run whose stamp matches takes well
# under a second. The stamp is written last, so an interrupted build is redone next time.
# Packages come from the package index through pip's ordinary configuration; nothing else.
#
# The optional file is installed too when <command> is on PATH (tests/requirements/kerberos.txt
# with krb5-config: its packages compile against the Kerberos headers of libkrb5-dev). Whether
# it was is part of the stamp, so installing the system package later rebuilds the environment;
# without it the environment is built without them and the tests that need them say so.
set -euo pipefail

venv="${1:?usage: ensure_venv.sh <venv dir> <python X.Y> <requirements file> [<optional file> <command>]}"
version="${2:?python version missing}"
requirements="${3:?requirements file missing}"
optional="${4:-}"
optional_needs="${5:-}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req_dir="$(cd "$(dirname "$requirements")" && pwd)"
pip_pins="$req_dir/pip.txt"
stamp="$venv/.requirements.sha256"

python="$(bash "$here/find_python.sh" "$version")"

inputs=("$requirements" "$pip_pins")
while read -r _ included; do
    inputs+=("$req_dir/$included")
done < <(grep -E '^\s*-(r|c)\s+' "$requirements" || true)

use_optional=""
if [ -n "$optional" ] && command -v "$optional_needs" >/dev/null 2>&1; then
    use_optional="$optional"
    inputs+=("$optional")
fi

want="$({
    "$python" -VV
    for file in "${inputs[@]}"; do
        echo "== $(basename "$file")"
        cat "$file"
    done
} | sha256sum | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
    echo "venv $venv: up to date ($("$venv/bin/python" -V), stamp ${want:0:12})"
    exit 0
fi

echo "venv $venv: building with $python from $requirements"
start=$SECONDS
rm -rf "$venv"
"$python" -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$venv/bin/python" -m pip install --quiet -r "$pip_pins"
"$venv/bin/python" -m pip install --quiet -r "$requirements" ${use_optional:+-r "$use_optional"}
if [ -n "$optional" ] && [ -z "$use_optional" ]; then
    echo "venv $venv: without $(basename "$optional") ($optional_needs not found; see bindep.txt)"
fi
"$venv/bin/python" -m pip check
"$venv/bin/python" -m pip freeze --all > "$venv/freeze.txt"
echo "$want" > "$stamp"
echo "venv $venv: built in $((SECONDS - start))s ($(wc -l < "$venv/freeze.txt") packages, see $venv/freeze.txt)"
