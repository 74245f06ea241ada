#!/usr/bin/env bash
# Runs a command with Node.js >= 22.12 first on PATH. When the machine's node is
# older (or missing), installs Node 24 from the npm registry into
# $SMESH_NODE_PREFIX (default ~/.cache/smesh/node24) once, then uses it.
#   bootstrap/node.sh npm test
set -euo pipefail
# engines: >=22.12.0 (commander and others need it); compared as major*1000+minor
need=22012
prefix="${SMESH_NODE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/smesh/node24}"

version() { "$1" -p 'const [a, b] = process.versions.node.split("."); a * 1000 + Number(b)' 2>/dev/null || echo 0; }

if [ -x "$prefix/bin/node" ] && [ "$(version "$prefix/bin/node")" -ge "$need" ]; then
  export PATH="$prefix/bin:$PATH"
elif command -v node >/dev/null 2>&1 && [ "$(version node)" -ge "$need" ]; then
  :
else
  if ! command -v npm >/dev/null 2>&1; then
    echo "smesh: Node.js >= 22.12 is needed and npm is not available to install it." >&2
    echo "hint: install Node.js >= 22.12 (https://nodejs.org) and run this again" >&2
    exit 1
  fi
  echo "smesh: installing Node.js 24 into $prefix (the machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
  mkdir -p "$prefix"
  npm install --global --prefix "$prefix" --no-audit --no-fund node@24 >&2
  if [ "$(version "$prefix/bin/node")" -lt "$need" ]; then
    echo "smesh: the Node.js install in $prefix did not work" >&2
    exit 1
  fi
  export PATH="$prefix/bin:$PATH"
fi
exec "$@"
