#!/bin/sh
# Starts `c2i agent` in a container. The agent binds 0.0.0.0, which the coordinator cannot dial, so unless
# C2I_ADVERTISE is set (Kubernetes sets it to the pod IP) advertise this container's own IP and listen port.
set -eu
if [ -z "${C2I_ADVERTISE:-}" ]; then
  listen="${C2I_LISTEN:-127.0.0.1:7071}"
  ip="$(hostname -i | cut -d' ' -f1)"
  C2I_ADVERTISE="${ip}:${listen##*:}"
  export C2I_ADVERTISE
fi
exec node /app/bin/c2i.mjs agent "$@"
