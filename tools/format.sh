#!/usr/bin/env bash
# Formats every C++ file of the repository with clang-format-14 and the repo's .clang-format.
#   tools/format.sh          rewrite files in place
#   tools/format.sh --check  change nothing; list the files that would change and exit 1
# tools/test.sh (and so CI) runs the check.
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cc' '*.h')
else
  mapfile -t files < <(find domain eventstore projections api tools tests -name '*.cc' -o -name '*.h')
fi
if [[ ${1:-} == --check ]]; then
  report=$(mktemp)
  trap 'rm -f "$report"' EXIT
  if ! clang-format-14 --dry-run --Werror "${files[@]}" 2>"$report"; then
    echo "roster: these files are not formatted (run tools/format.sh):" >&2
    grep -o '^[^:]*:[0-9]*:[0-9]*: error' "$report" | cut -d: -f1 | sort -u | sed 's/^/  /' >&2
    exit 1
  fi
  echo "roster: formatting ok (${#files[@]} files)"
else
  clang-format-14 -i "${files[@]}"
fi
