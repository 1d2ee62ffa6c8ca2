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
if [ "${THRIVE_TASK_BACKEND:-database}" != redis ]; then
  # Finished task results are kept by the database backend until pruned (also run it daily: docs/operations.md).
  "$bin/thrive" prune_db_task_results --queue-name '*' --min-age-days 7 >/dev/null || true
fi
# The workers below skip Django's system checks: they ran just now (check/migrate/collectstatic), and importing
# every page's module for them would cost each worker seconds of CPU and about 190 MB it never uses.
# Task workers for notifications alone (THRIVE_NOTIFICATION_WORKERS, default 2: a delivery mostly waits on the
# network, so two overlap; a new referral's webhook goes out within a second of the report), and one for the
# rest (detection runs, which can take a while and must not hold up a delivery).
for _ in $(seq "${THRIVE_NOTIFICATION_WORKERS:-2}"); do
  if [ "${THRIVE_TASK_BACKEND:-database}" = redis ]; then
    "$bin/thrive" rqworker notifications --skip-checks &
  else
    "$bin/thrive" db_worker --queue-name notifications --interval 0.1 --no-reload --no-startup-delay --skip-checks &
  fi
  pids+=($!)
done
if [ "${THRIVE_TASK_BACKEND:-database}" = redis ]; then
  "$bin/thrive" rqworker default --skip-checks &
else
  "$bin/thrive" db_worker --queue-name default --interval 0.5 --no-reload --no-startup-delay --skip-checks &
fi
pids+=($!)
# The sweeper delivers anything the task queue missed (a crash between commit and enqueue loses nothing);
# deliveries due for under 5 s are left to their task.
"$bin/thrive" outbox --skip-checks deliver --loop --interval 2 --grace 5 &
pids+=($!)
# Escalates referrals past their first-contact target to the service's managers and the area's leads.
"$bin/thrive" referrals --skip-checks escalate --loop --interval 300 &
pids+=($!)
echo "Thrive is serving on http://127.0.0.1:${port}/ (sign-in accounts: .venv/bin/thrive demo-users)"
"$bin/gunicorn" thrive.wsgi:application --config python:thrive.gunicorn_conf --bind "127.0.0.1:${port}" \
  --workers "$workers" --threads 4 --timeout 60 --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
