#!/usr/bin/env bash
# Load test: gunicorn (2 workers) on PostgreSQL with the demo data plus 20,000 cities, 10,000 endorsements and
# 535 members; wrk against the dashboard, a bill page, the public campaign page and its JSON, next to a Flask
# "hello world" served the same way in the same run (the ceiling). Prints requests/s and p99 latency.
#
#   benchmarks/load.sh            (needs wrk and PostgreSQL on 127.0.0.1:5432; uses database advocacy_load)
# Settings: DURATION (default 10s), CONNECTIONS (default 16), PG (default postgresql+psycopg://postgres@127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
PG=${PG:-postgresql+psycopg://postgres@127.0.0.1:5432}
DB=advocacy_load
APP_PORT=${APP_PORT:-8765}
HELLO_PORT=${HELLO_PORT:-8766}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
export APP_ENV=production SECRET_KEY=load-test-secret BASE_URL=http://127.0.0.1:8000 DATABASE_URL="$PG/$DB" SESSION_COOKIE_SECURE=0 PYTHONWARNINGS=ignore
export INSTANCE_PATH=$(mktemp -d)
"$BIN/flask" --app wsgi db upgrade >/dev/null 2>&1
"$PY" benchmarks/load_seed.py load@example.org "load test password"

"$BIN/gunicorn" --workers 2 --bind 127.0.0.1:$APP_PORT --log-level warning --no-control-socket wsgi:app &
APP_PID=$!
"$BIN/gunicorn" --workers 2 --bind 127.0.0.1:$HELLO_PORT --log-level warning --no-control-socket --chdir benchmarks hello:app &
HELLO_PID=$!
trap 'kill $APP_PID $HELLO_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$APP_PORT/login" >/dev/null && curl -sf "http://127.0.0.1:$HELLO_PORT/" >/dev/null && break; sleep 0.2; done

# Log in through the form (CSRF token included) to get a session cookie for the staff pages.
JAR=$(mktemp)
TOKEN=$(curl -s -c "$JAR" "http://127.0.0.1:$APP_PORT/login" | sed -n 's/.*name="csrf_token"[^>]*value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$TOKEN" --data-urlencode "email=load@example.org" \
  --data-urlencode "password=load test password" "http://127.0.0.1:$APP_PORT/login"
COOKIE=$(awk '$6 == "session" {print "session=" $7}' "$JAR")
status=$(curl -s -o /dev/null -w "%{http_code}" -H "Cookie: $COOKIE" "http://127.0.0.1:$APP_PORT/dashboard")
[ "$status" = 200 ] || { echo "login for the dashboard failed (HTTP $status)" >&2; exit 1; }

measure() {  # label url [cookie]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $3" "$2")
  else
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  fi
  local rps p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf "%-28s %10s req/s   p99 %8s   non-2xx %s\n" "$1" "$rps" "$p99" "${errors:-0}"
  echo "$rps" > "/tmp/load-$1.rps"
}

echo "load test: gunicorn 2 workers, PostgreSQL, wrk -c$CONNECTIONS -d$DURATION on $(nproc) cores"
measure hello "http://127.0.0.1:$HELLO_PORT/"
measure dashboard "http://127.0.0.1:$APP_PORT/dashboard" "$COOKIE"
measure bill-page "http://127.0.0.1:$APP_PORT/bills/119/hr/5323" "$COOKIE"
measure campaign-page "http://127.0.0.1:$APP_PORT/c/city-state-diplomacy"
measure campaign-json "http://127.0.0.1:$APP_PORT/c/city-state-diplomacy/endorsements.json"
hello=$(cat /tmp/load-hello.rps); page=$(cat /tmp/load-campaign-page.rps)
awk -v h="$hello" -v p="$page" 'BEGIN { r = p / h; printf "public campaign page: %.0f%% of hello world (target >= 50%%)\n", r * 100; exit (r >= 0.5 ? 0 : 1) }'
