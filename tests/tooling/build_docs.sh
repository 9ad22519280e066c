#!/usr/bin/env bash
# The module reference in docs/reference/, generated from the modules' own documentation with antsibull-docs.
#   build_docs.sh VENV COLLECTIONS check    lint the docs and the changelog; fail if docs/reference/ or CHANGELOG.rst
#                                           is stale
#   build_docs.sh VENV COLLECTIONS update   regenerate docs/reference/ and CHANGELOG.rst
set -euo pipefail
venv=$1
collections=$2
mode=${3:-check}
repo=$(pwd)
export PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$collections"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== antsibull-docs lint-collection-docs"
antsibull-docs lint-collection-docs --plugin-docs "$collections/ansible_collections/winrds/sessions"
echo "== antsibull-changelog lint"
antsibull-changelog lint
echo "== README.md and docs/ (links, versions)"
python "$repo/tests/tooling/check_readme.py"
echo "== CHANGELOG.rst (rendered for galaxy.yml's version, fragments kept)"
python "$repo/tests/tooling/render_changelog.py" "$mode"

echo "== antsibull-docs collection (the module reference)"
antsibull-docs collection --use-current --dest-dir "$work" --output-format simplified-rst winrds.sessions >/dev/null
generated="$work/collections/winrds/sessions"
if [ "$mode" = update ]; then
    rm -rf "$repo/docs/reference"
    mkdir -p "$repo/docs/reference"
    cp "$generated"/*.rst "$repo/docs/reference/"
    echo "docs/reference/ regenerated"
    exit 0
fi
if ! diff -ru "$repo/docs/reference" "$generated"; then
    echo "FAILED: docs/reference/ is not what the module documentation generates: run 'make docs-update'" >&2
    exit 1
fi
echo "docs/reference/ is up to date"
