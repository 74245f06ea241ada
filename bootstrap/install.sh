#!/usr/bin/env bash
# Sets up smesh on this machine: Node.js >= 22 (installed from the npm
# registry if the machine's is older), the npm dependencies, and the build.
#   bootstrap/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bootstrap/node.sh npm ci --no-audit --no-fund
bootstrap/node.sh npm run build
echo "smesh is installed. Start a node with: bootstrap/smesh start"
