#!/usr/bin/env bash
# The main job on a fresh machine: install, build, start berthd, make the default
# busybox image, and run a container in it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npm ci
npm run build
host="${BERTH_HOST:-unix:///run/berth/berth.sock}"
if ! node bin/berth -H "$host" version >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup node bin/berthd -H "$host" --pidfile /run/berth/berthd.pid >/var/log/berthd.log 2>&1 &
  for _ in $(seq 1 100); do node bin/berth -H "$host" version >/dev/null 2>&1 && break; sleep 0.1; done
fi
bash scripts/make-busybox-image.sh "$host"
node bin/berth -H "$host" run --rm busybox echo "hello from a berth container"
echo "berthd is running (pid $(cat /run/berth/berthd.pid 2>/dev/null || echo '?')); try: DOCKER_HOST=$host docker ps"
