#!/usr/bin/env bash
# Browser tests drive Chromium through playwright-core. Uses $TASKDROP_CHROMIUM when set,
# otherwise Debian's /usr/bin/chromium, installing it with apt-get when missing (never
# Playwright's own browser download).
set -euo pipefail
chromium=${TASKDROP_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "taskdrop: installing Debian's chromium for the browser tests..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
  [ -x "$chromium" ] && exit 0
fi
echo "taskdrop: the browser tests need Chromium. Install it, or set TASKDROP_CHROMIUM to its path." >&2
exit 1
