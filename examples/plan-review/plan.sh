#!/usr/bin/env bash
# The plan step of sitewise-plan-review.yml: plan a selection file and write the pull request comment.
#
#   plan.sh SELECTION_FILE OUT_DIR
#
# SELECTION_FILE holds the selection flags, one or more per line (shell words, # comments), exactly as
# `sitewise-teardown plan @SELECTION_FILE` reads them. Writes to OUT_DIR:
#   plan.json    the plan: the artifact the merge job applies
#   digest       its sha256 digest (verified by `show`)
#   comment.md   the comment: a marker the workflow finds it by, the digest the merge job will insist on,
#                and the markdown plan (summarised past the comment size limit; FULL_PLAN says where the
#                whole plan is, e.g. a link to this run's artifact)
#   plan.txt, plan.log   the command's output and its JSON logs
# Exit codes are plan's: 0 a plan (or nothing to do), 2 bad input, 3 selection refused; the comment is
# written in every case, saying why when there is no plan.
# SITEWISE_TEARDOWN overrides the command (default: sitewise-teardown).
set -euo pipefail

selection=$1
out=$2
read -r -a teardown <<< "${SITEWISE_TEARDOWN:-sitewise-teardown}"
full_plan=${FULL_PLAN:-"the plan artifact of this workflow run"}
marker="<!-- sitewise-teardown-plan -->"
mkdir -p "$out"
rm -f "$out/plan.json" "$out/digest"

code=0
"${teardown[@]}" plan "@$selection" --out "$out/plan.json" --log-format json > "$out/plan.txt" 2> "$out/plan.log" \
    || code=$?
cat "$out/plan.txt"

if [ "$code" -ne 0 ]; then
    {
        echo "$marker"
        echo "<!-- sitewise-teardown-digest: none -->"
        echo "## SiteWise teardown plan: not made (exit $code)"
        echo
        echo "\`sitewise-teardown plan @$selection\` answered:"
        echo
        echo '```text'
        grep -v '^{' "$out/plan.log" || true
        echo '```'
    } > "$out/comment.md"
    cat "$out/plan.log" >&2
    exit "$code"
fi

if [ ! -f "$out/plan.json" ]; then  # the selection matches nothing: no plan, nothing to apply
    {
        echo "$marker"
        echo "<!-- sitewise-teardown-digest: none -->"
        echo "## SiteWise teardown plan"
        echo
        echo "Nothing to do: \`$selection\` matches no resources. Merging applies nothing."
    } > "$out/comment.md"
    exit 0
fi

digest=$("${teardown[@]}" show "$out/plan.json" --format digest)
echo "$digest" > "$out/digest"
{
    echo "$marker"
    echo "<!-- sitewise-teardown-digest: $digest -->"
    "${teardown[@]}" show "$out/plan.json" --format markdown --full-plan "$full_plan"
    echo
    echo "---"
    echo "Merging applies exactly this plan (\`apply --expect-digest $digest\`), if nothing it depends on"
    echo "changed meanwhile. Every push re-plans and updates this comment."
} > "$out/comment.md"
echo "Plan $digest: comment in $out/comment.md"
