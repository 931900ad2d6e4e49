#!/usr/bin/env bash
# run.sh ROSTERD WORKDIR: the console's browser test. Installs puppeteer-core into WORKDIR
# (npm ci, from package-lock.json) unless the same lock is installed there already, then runs
# console_test.mjs with Debian's Chromium. Screenshots go to WORKDIR/screenshots.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rosterd="$1"
work="$2"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "console_browser_test: $tool is missing (apt-get install nodejs npm, or tools/deps.sh)" >&2; exit 1; }
done
chromium="${ROSTER_CHROMIUM:-$(command -v chromium || true)}"
[[ -x "$chromium" ]] || { echo "console_browser_test: chromium is missing (apt-get install chromium, or tools/deps.sh)" >&2; exit 1; }
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [[ ! -d "$work/node_modules/puppeteer-core" ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Node resolves puppeteer-core from the test file's directory upwards, and the test lives in
# the source tree: NODE_PATH does not apply to ES modules, so the test runs from a copy.
cp "$here/console_test.mjs" "$work/"
exec node "$work/console_test.mjs" "$rosterd" "$chromium" "$work/screenshots"
