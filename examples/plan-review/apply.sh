#!/usr/bin/env bash
# The apply step of sitewise-plan-review.yml: apply the reviewed plan artifact, and only that plan.
#
#   apply.sh PLAN_DIR COMMENT_FILE
#
# PLAN_DIR is the downloaded artifact (PLAN_DIR/plan.json); COMMENT_FILE is the plan comment as it stood
# when the pull request was merged. The digest is read from the comment, not from the artifact, so an
# artifact that is not the plan the reviewers saw is refused (exit 3) before anything is touched.
# Writes PLAN_DIR/report.md (the report comment), PLAN_DIR/report.json and the journal beside the plan.
# Exit codes are apply's: 0 all done (or nothing to apply), 1 some actions failed, 2 bad input (a
# corrupted artifact, no digest in the comment), 3 refused (another plan, stale, wrong account).
# SITEWISE_TEARDOWN overrides the command (default: sitewise-teardown).
set -euo pipefail

dir=$1
comment=$2
read -r -a teardown <<< "${SITEWISE_TEARDOWN:-sitewise-teardown}"
marker="<!-- sitewise-teardown-report -->"

digest=$(sed -n 's/^<!-- sitewise-teardown-digest: \(sha256:[0-9a-f]\{64\}\|none\) -->$/\1/p' "$comment" | head -n 1)
if [ -z "$digest" ]; then
    echo "error: $comment holds no reviewed plan digest" >&2
    exit 2
fi
if [ "$digest" = none ]; then
    printf '%s\n## SiteWise teardown: nothing to apply\n\nThe reviewed plan was empty or not made.\n' \
        "$marker" > "$dir/report.md"
    echo "nothing to apply: the reviewed comment holds no plan"
    exit 0
fi

code=0
"${teardown[@]}" apply "$dir/plan.json" --expect-digest "$digest" --auto-approve --log-format json \
    --report "$dir/report.json" 2> "$dir/apply.log" | tee "$dir/apply.txt" || code=${PIPESTATUS[0]}
cat "$dir/apply.log" >&2
case $code in
    0) verdict="applied" ;;
    1) verdict="some actions failed" ;;
    2) verdict="bad input" ;;
    3) verdict="refused, nothing was changed" ;;
    130) verdict="interrupted: re-run this job to resume" ;;
    *) verdict="exit $code" ;;
esac
{
    echo "$marker"
    echo "## SiteWise teardown: $verdict (exit $code)"
    echo
    echo "Plan \`$digest\`"
    echo
    echo '```text'
    grep -v '^  \[[#-]*\] ' "$dir/apply.txt" || true   # the summary, without the progress lines
    grep -v '^{' "$dir/apply.log" || true              # errors and refusals, without the JSON logs
    echo '```'
} > "$dir/report.md"
exit "$code"
