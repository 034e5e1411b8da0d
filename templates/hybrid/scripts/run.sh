#!/usr/bin/env bash
# `make run`: the worker and the gateway side by side, in the foreground.
# Ctrl-C or SIGTERM stops both (each finishes its in-flight work) and exits 0. If one of them
# stops on its own, the other is stopped too and the exit status is 1.
set -u
cd "$(dirname "$0")/.."
: "${HOST:=127.0.0.1}" "${PORT:=3000}" "${WORKER_PORT:=8000}"
export NODE_ENV="${NODE_ENV:-production}"

(cd worker && HOST="$HOST" PORT="$WORKER_PORT" exec .venv/bin/python -m worker) &
worker=$!
(cd gateway && HOST="$HOST" PORT="$PORT" exec node --enable-source-maps dist/index.js) &
gateway=$!

signalled=0
stop() {
  signalled=1
  kill -TERM "$worker" "$gateway" 2>/dev/null
}
trap stop TERM INT

# Returns when either service exits, or when a signal runs the trap.
wait -n "$worker" "$gateway"
if [ "$signalled" = 0 ]; then
  echo "run: a service stopped on its own; stopping the other one" >&2
  kill -TERM "$worker" "$gateway" 2>/dev/null
fi
wait "$worker"
worker_status=$?
wait "$gateway"
gateway_status=$?

if [ "$signalled" = 1 ] && [ "$worker_status" = 0 ] && [ "$gateway_status" = 0 ]; then
  exit 0
fi
echo "run: worker exited with $worker_status, gateway with $gateway_status" >&2
exit 1
