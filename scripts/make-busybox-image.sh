#!/usr/bin/env bash
# Makes busybox:latest in a berth (or any Engine API) daemon from Debian's
# busybox-static: /bin/busybox, a symlink per applet, a minimal /etc and the usual
# top-level directories; Cmd ["sh"] and the default PATH. Idempotent: does nothing
# when the daemon already has busybox:latest.
#
# Usage: scripts/make-busybox-image.sh [HOST]
#   HOST: unix:///path/to.sock or tcp://host:port (default: $BERTH_HOST, $DOCKER_HOST,
#   unix:///run/berth/berth.sock)
set -euo pipefail

HOST="${1:-${BERTH_HOST:-${DOCKER_HOST:-unix:///run/berth/berth.sock}}}"
IMAGE=busybox:latest
BUSYBOX=${BUSYBOX:-/bin/busybox}
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "$HOST" in
  unix://*) CURL=(curl -sS --unix-socket "${HOST#unix://}"); BASE=http://localhost ;;
  /*) CURL=(curl -sS --unix-socket "$HOST"); BASE=http://localhost; HOST="unix://$HOST" ;;
  tcp://*) CURL=(curl -sS); BASE="http://${HOST#tcp://}" ;;
  *) echo "make-busybox-image: unsupported host $HOST" >&2; exit 2 ;;
esac

status=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/images/$IMAGE/json" || true)
if [ "$status" = 200 ]; then
  echo "$IMAGE already exists"
  exit 0
fi
if [ "$status" = 000 ]; then
  echo "make-busybox-image: cannot reach the daemon at $HOST" >&2
  exit 1
fi

if ! "$BUSYBOX" true 2>/dev/null || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
  echo "make-busybox-image: $BUSYBOX is not a static busybox (apt-get install busybox-static)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,etc,home,root,tmp,var,usr,dev,proc,sys}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
install -m 755 "$BUSYBOX" "$rootfs/bin/busybox"
# One symlink per applet; `busybox` itself is the binary (a self-link would replace it).
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] && continue
  ln -sf busybox "$rootfs/bin/$applet"
done
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
GROUP

# Fixed owners, order and times: the same busybox binary always gives the same layer.
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$rootfs" -cf "$work/rootfs.tar" .

CMD='CMD ["sh"]'
ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# Prefer the berth CLI when it has `import`; otherwise talk to the API directly.
if [ -f "$ROOT_DIR/dist/src/cli/main.js" ] && node "$ROOT_DIR/bin/berth" import --help >/dev/null 2>&1; then
  node "$ROOT_DIR/bin/berth" -H "$HOST" import -c "$CMD" -c "$ENV" - "$IMAGE" < "$work/rootfs.tar"
else
  enc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }
  out=$("${CURL[@]}" -X POST -H 'Content-Type: application/x-tar' --data-binary @"$work/rootfs.tar" \
    "$BASE/images/create?fromSrc=-&repo=busybox&tag=latest&changes=$(enc "$CMD")&changes=$(enc "$ENV")")
  case "$out" in
    *'"status":"sha256:'*) echo "$out" | sed -n 's/.*"status":"\(sha256:[0-9a-f]*\)".*/\1/p' ;;
    *) echo "make-busybox-image: import failed: $out" >&2; exit 1 ;;
  esac
fi
