#!/usr/bin/env bash
# Installs what berth needs on a fresh Debian machine: the OCI runtimes, conmon,
# an init for --init, busybox for the default image, iproute2/nftables/nsenter for networks,
# and the build toolchain; for the
# tests, git (remote build contexts), Docker's Python clients (docker-py, docker-compose)
# and docker.io, whose dockerd the differential tests start on a private socket.
set -euo pipefail
packages=(runc crun conmon tini catatonit busybox-static iptables iproute2 nftables util-linux python3 make g++ curl git python3-docker docker-compose docker.io)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Installing docker.io must not start a system dockerd (or containerd): invoke-rc.d asks
  # policy-rc.d, and 101 forbids every start. Ours goes away afterwards.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
