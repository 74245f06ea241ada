#!/usr/bin/env bash
# Runs every test, installing what they need first: the Debian packages of the
# network-namespace, fault and browser tests (iproute2, python3, iptables,
# ethtool, faketime, chromium, openssl), Node.js
# >= 22, the npm dependencies and the build. The namespace tests need root;
# without it (or without Chromium) they are skipped with a message.
#   bootstrap/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
command -v ethtool >/dev/null 2>&1 || [ -x /usr/sbin/ethtool ] || missing+=(ethtool)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || [ -n "$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null)" ] || missing+=(faketime)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "smesh: installing ${missing[*]} for the tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  else
    echo "smesh: the namespace tests need ${missing[*]} (install them as root); they will be skipped" >&2
  fi
fi
bootstrap/ensure.sh
exec bootstrap/node.sh npm test
