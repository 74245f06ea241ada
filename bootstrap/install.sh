#!/usr/bin/env bash
# Sets up smesh on this machine: Node.js >= 22 (installed from the npm
# registry if the machine's is older), the npm dependencies, and the build.
#   bootstrap/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# node-llama-cpp ships llama.cpp prebuilt (CPU, and CUDA/Vulkan where present):
# never compile it from source at install time (minutes on a small machine)
NODE_LLAMA_CPP_SKIP_DOWNLOAD=true bootstrap/node.sh npm ci --no-audit --no-fund
bootstrap/node.sh npm run build
echo "smesh is installed. Start a node with: bootstrap/smesh start"
