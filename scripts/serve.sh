#!/usr/bin/env bash
# Serves Thrive with its task worker and outbox sweeper; stopping this script stops them all.
# `serve.sh demo`: the embedded SQLite database; `serve.sh production`: DATABASE_URL (PostgreSQL), gunicorn workers.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
port=${PORT:-8000}
bin=.venv/bin
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if [ "$mode" = production ]; then
  "$bin/thrive" check --deploy --fail-level WARNING
  "$bin/thrive" migrate --noinput
  "$bin/thrive" collectstatic --noinput >/dev/null
  workers=${THRIVE_WEB_WORKERS:-4}
else
  "$bin/thrive" collectstatic --noinput >/dev/null
  workers=${THRIVE_WEB_WORKERS:-3}
  export THRIVE_SITE_URL=${THRIVE_SITE_URL:-http://127.0.0.1:${port}}
fi
if [ "${THRIVE_TASK_BACKEND:-database}" = redis ]; then
  "$bin/thrive" rqworker default &
else
  "$bin/thrive" db_worker --interval 0.2 --no-reload --no-startup-delay &
fi
pids+=($!)
# The sweeper delivers anything the task queue missed (a crash between commit and enqueue loses nothing).
"$bin/thrive" outbox deliver --loop --interval 2 &
pids+=($!)
echo "Thrive is serving on http://127.0.0.1:${port}/ (sign-in accounts: .venv/bin/thrive demo-users)"
"$bin/gunicorn" thrive.wsgi:application --bind "127.0.0.1:${port}" --workers "$workers" --threads 4 \
  --timeout 60 --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
