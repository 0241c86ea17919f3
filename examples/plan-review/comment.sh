#!/usr/bin/env bash
# The pull request comments of sitewise-plan-review.yml, through the GitHub CLI (GH_TOKEN, GITHUB_REPOSITORY).
#
#   comment.sh upsert PR MARKER BODY_FILE   create the bot's comment holding MARKER, or update it in place
#   comment.sh get PR MARKER                print the body of the bot's comment holding MARKER
#
# Only comments by BOT_LOGIN (default github-actions[bot]) count: a person quoting the marker cannot
# become the comment the merge job reads its digest from.
set -euo pipefail

mode=$1
pr=$2
marker=$3
bot=${BOT_LOGIN:-github-actions[bot]}
comments="repos/$GITHUB_REPOSITORY/issues/$pr/comments"

# The id of the newest such comment, if any (jq runs on each page; the last id printed is the newest).
newest() {
    gh api "$comments" --paginate --jq ".[] | select(.user.login == \"$bot\" and (.body | contains(\"$marker\"))) | .id" \
        | tail -n 1
}

case $mode in
    upsert)
        id=$(newest)
        if [ -n "$id" ]; then
            gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$4" > /dev/null
        else
            gh api -X POST "$comments" -F "body=@$4" > /dev/null
        fi
        ;;
    get)
        id=$(newest)
        if [ -z "$id" ]; then
            echo "error: pull request $pr has no comment by $bot holding $marker" >&2
            exit 3
        fi
        gh api "repos/$GITHUB_REPOSITORY/issues/comments/$id" --jq .body
        ;;
    *)
        echo "usage: comment.sh upsert PR MARKER BODY_FILE | get PR MARKER" >&2
        exit 2
        ;;
esac
