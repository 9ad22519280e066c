#!/usr/bin/env bash
# Run make targets one after the other, keep going after a failure, and print a summary.
#
#   run_steps.sh <notes dir> <first target> [<target>...]
#
# $MAKE is the make to call and $STEP_MAKEFLAGS extra flags for it (the Makefile passes
# "-j2 --output-sync=target" so the two environments of a step are handled in parallel).
# The first target is a prerequisite (the environments): when it fails nothing else runs.
# Each other target runs even if an earlier one failed, so one run shows every problem.
# A target that wrote a "skipped: ..." note (to $TEST_STEP_NOTES) and exited 0 is reported as
# SKIPPED with its notes, not as passed. Exit status: 0 only when no target failed.
set -uo pipefail

notes_dir="${1:?usage: run_steps.sh <notes dir> <first target> [<target>...]}"
shift
make_cmd="${MAKE:-make}"
mkdir -p "$notes_dir"

names=()
states=()
times=()
passed=0
failed=0
skipped=0

run_one() {
    local target="$1" notes="$notes_dir/$1.notes" start=$SECONDS rc state
    : > "$notes"
    echo
    echo "################ make $target ################"
    # -k: a target made of several parts (sanity-ac219, sanity-ac221) runs them all.
    # shellcheck disable=SC2086  # STEP_MAKEFLAGS holds several flags
    TEST_STEP_NOTES="$notes" "$make_cmd" --no-print-directory --keep-going ${STEP_MAKEFLAGS:-} "$target"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        state="FAILED (exit $rc)"
        failed=$((failed + 1))
    elif grep -q '^skipped:' "$notes"; then
        state="SKIPPED"
        skipped=$((skipped + 1))
    else
        state="passed"
        passed=$((passed + 1))
    fi
    names+=("$target")
    states+=("$state")
    times+=("$((SECONDS - start))s")
    return "$rc"
}

first="$1"
shift
if run_one "$first"; then
    for target in "$@"; do
        run_one "$target"
    done
else
    for target in "$@"; do
        names+=("$target")
        states+=("not run ($first failed)")
        times+=("-")
    done
fi

echo
echo "================ summary ================"
for i in "${!names[@]}"; do
    printf '  %-10s %-28s %6s\n' "${names[$i]}" "${states[$i]}" "${times[$i]}"
    sed 's/^/               /' "$notes_dir/${names[$i]}.notes" 2>/dev/null || true
done
echo "make test steps: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "${#names[@]}" -eq $((passed + skipped)) ]
