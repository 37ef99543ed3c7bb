#!/usr/bin/env bash
# Installs what berth needs on a fresh Debian machine: the OCI runtimes, conmon,
# an init for --init, busybox for the default image, and the build toolchain.
set -euo pipefail
packages=(runc crun conmon tini catatonit busybox-static iptables iproute2 python3 make g++ curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
