#!/usr/bin/env bash
# Makes sure this checkout is installed: Node.js >= 22 (bootstrap/node.sh),
# the npm dependencies of the lockfile, and the build. Runs bootstrap/install.sh
# on the first run and whenever the lockfile or the checked-out commit changed;
# otherwise returns at once. Progress goes to stderr.
#   bootstrap/ensure.sh
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.smesh-installed
want="$(cksum < package-lock.json | cut -d' ' -f1) $(git rev-parse HEAD 2>/dev/null || echo no-git)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node/dist/src/cli/main.js ]; then
  exit 0
fi
echo "smesh: installing (Node.js if needed, npm packages, build); this happens once" >&2
bootstrap/install.sh >&2
echo "$want" > "$stamp"
