#!/usr/bin/env bash
# Installs the Debian packages the project and its tests need (idempotent; needs root or sudo).
# Nothing is installed when every package is already present.
set -euo pipefail
packages=(softflowd nfdump pmacct tcpdump wireshark-common tshark rsyslog rsyslog-gnutls bsdutils openssl snmpd snmp prometheus-alertmanager chromium nats-server)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
