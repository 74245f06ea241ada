#!/usr/bin/env bash
# Runs a command with Node.js >= 22 first on PATH. When the machine's node is
# older (or missing), installs Node 24 from the npm registry into
# $SMESH_NODE_PREFIX (default ~/.cache/smesh/node24) once, then uses it.
#   bootstrap/node.sh npm test
set -euo pipefail
need=22
prefix="${SMESH_NODE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/smesh/node24}"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$prefix/bin/node" ] && [ "$(major "$prefix/bin/node")" -ge "$need" ]; then
  export PATH="$prefix/bin:$PATH"
elif command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$need" ]; then
  :
else
  if ! command -v npm >/dev/null 2>&1; then
    echo "smesh: Node.js >= $need is needed and npm is not available to install it." >&2
    echo "hint: install Node.js >= $need (https://nodejs.org) and run this again" >&2
    exit 1
  fi
  echo "smesh: installing Node.js 24 into $prefix (the machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
  mkdir -p "$prefix"
  npm install --global --prefix "$prefix" --no-audit --no-fund node@24 >&2
  if [ "$(major "$prefix/bin/node")" -lt "$need" ]; then
    echo "smesh: the Node.js install in $prefix did not work" >&2
    exit 1
  fi
  export PATH="$prefix/bin:$PATH"
fi
exec "$@"
