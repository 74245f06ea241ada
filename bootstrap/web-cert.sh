#!/usr/bin/env bash
# HTTPS for the phone's page: a mesh-local CA (made once, kept in DIR) and a
# certificate it signs for this node's LAN addresses, with openssl.
#   bootstrap/web-cert.sh DIR IP [IP...]
# Writes DIR/web-ca.crt (install it on the phone as a trusted CA), and
# DIR/web.crt and DIR/web.key (mode 0600) for the node:
#   {"webTlsCert": "web.crt", "webTlsKey": "web.key"} in DIR/config.json
# when DIR is the node's data dir. The CA's key stays in DIR/web-ca.key (0600):
# whoever holds it can pose as any site to a phone that trusts the CA.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: bootstrap/web-cert.sh DIR IP [IP...]  (the data dir, and the LAN addresses phones reach the node at)" >&2
  exit 2
fi
dir=$1
shift
command -v openssl >/dev/null 2>&1 || { echo "web-cert: needs openssl (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
san=""
for ip in "$@"; do
  [[ $ip =~ ^[0-9a-fA-F:.]+$ ]] || { echo "web-cert: $ip is not an IP address" >&2; exit 2; }
  san="${san:+$san,}IP:$ip"
done
if [ ! -s "$dir/web-ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=smesh mesh CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/web-ca.key" -out "$dir/web-ca.crt" 2>/dev/null
fi
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=smesh node" \
  -keyout "$dir/web.key" -out "$dir/web.csr" 2>/dev/null
ext=$(mktemp)
trap 'rm -f "$ext" "$dir/web.csr"' EXIT
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" > "$ext"
# 397 days: the longest a browser accepts for a server certificate
openssl x509 -req -in "$dir/web.csr" -CA "$dir/web-ca.crt" -CAkey "$dir/web-ca.key" -CAcreateserial \
  -days 397 -extfile "$ext" -out "$dir/web.crt" 2>/dev/null
chmod 0644 "$dir/web-ca.crt"
echo "web-cert: $dir/web.crt for $san, signed by $dir/web-ca.crt (install that one on the phone)"
