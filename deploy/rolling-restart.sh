#!/usr/bin/env bash
# Restarts every Bandeja server instance one at a time: each closes gracefully (its clients move to the
# others through nginx), comes back, and must answer /readyz before the next one goes.
#   deploy/rolling-restart.sh 8801 8802 8803
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 PORT..." >&2; exit 2; }
for port in "$@"; do
  echo "restarting bandeja-server@${port}"
  systemctl restart "bandeja-server@${port}"
  for _ in $(seq 1 60); do
    # From this machine, with no proxy in between, /readyz answers without a token.
    if curl -fsS -o /dev/null "http://127.0.0.1:${port}/readyz"; then break; fi
    sleep 1
  done
  curl -fsS -o /dev/null "http://127.0.0.1:${port}/readyz" || { echo "bandeja-server@${port} is not ready: stopping here" >&2; exit 1; }
done
echo "all restarted"
