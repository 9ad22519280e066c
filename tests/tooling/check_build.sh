#!/usr/bin/env bash
# Build the collection tarball, check what went into it, install it and render every module's docs.
#
#   check_build.sh <dist dir> <build venv> <venv>...
#
# 1. `ansible-galaxy collection build` (with the build venv) writes the tarball into <dist dir>.
# 2. The tarball must not carry environments, build output or caches (galaxy.yml build_ignore),
#    and must carry every module of plugins/modules/.
# 3. For each <venv>: install the tarball with that venv's ansible-galaxy into a new temporary
#    collections path (offline: nothing is fetched) and run check_docs.py for every module there.
# Run from the repository root.
set -euo pipefail

dist="${1:?usage: check_build.sh <dist dir> <build venv> <venv>...}"
build_venv="${2:?build venv missing}"
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

namespace="$("$build_venv/bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["namespace"])')"
name="$("$build_venv/bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["name"])')"

rm -rf "$dist"
mkdir -p "$dist"
"$build_venv/bin/ansible-galaxy" collection build --output-path "$dist" --force .
tarballs=("$dist"/"$namespace-$name"-*.tar.gz)
[ "${#tarballs[@]}" -eq 1 ] && [ -f "${tarballs[0]}" ] || { echo "expected one tarball in $dist" >&2; exit 1; }
tarball="${tarballs[0]}"
members="$(tar -tzf "$tarball")"
echo "built $tarball ($(du -k "$tarball" | cut -f1) KiB, $(grep -vc '/$' <<<"$members") files)"

unwanted="$(grep -E '(^|/)(\.venv|\.build|\.git|tests/output|\.pytest_cache|\.hypothesis|__pycache__)(/|$)|\.pyc$' <<<"$members" || true)"
if [ -n "$unwanted" ]; then
    echo "the tarball carries files that galaxy.yml build_ignore must leave out:" >&2
    head -20 <<<"$unwanted" >&2
    exit 1
fi

modules=()
for path in plugins/modules/*.py; do
    [ -e "$path" ] || continue
    module="$(basename "$path" .py)"
    [ "$module" = "__init__" ] && continue
    grep -qx "$path" <<<"$members" || { echo "$path is missing from the tarball" >&2; exit 1; }
    modules+=("$module")
done
if [ "${#modules[@]}" -eq 0 ]; then
    echo "skipped: plugins/modules/ has no modules yet, no ansible-doc check" | tee -a "${TEST_STEP_NOTES:-/dev/null}"
    exit 0
fi

for venv in "$@"; do
    install_dir="$(cd "$(mktemp -d)" && pwd -P)"
    trap 'rm -rf "$install_dir"' EXIT
    # --force: a copy of the collection found on the default paths must not stop the install.
    ANSIBLE_COLLECTIONS_PATH="$install_dir" "$venv/bin/ansible-galaxy" collection install \
        --offline --no-deps --force -p "$install_dir" "$tarball" >/dev/null
    [ -f "$install_dir/ansible_collections/$namespace/$name/MANIFEST.json" ] \
        || { echo "the tarball did not install into $install_dir" >&2; exit 1; }
    echo "$(basename "$venv") (ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')): installed tarball, checking ${#modules[@]} module doc(s)"
    (cd "$install_dir" && ANSIBLE_COLLECTIONS_PATH="$install_dir" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        "$venv/bin/python" "$here/check_docs.py" "$namespace.$name" "${modules[@]}")
    rm -rf "$install_dir"
    trap - EXIT
done
