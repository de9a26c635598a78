#!/usr/bin/env bash
# End-to-end demo against a running server: submit an RSI backtest on the
# bundled GOOG data (POST /api/backtests), poll GET /status/<run_id> until it
# is completed or failed, and print the key metrics.
#
# usage: scripts/demo.sh [BASE_URL]      (default http://127.0.0.1:8000)
#   DEMO_TIMEOUT=300 (seconds to wait for the run), DEMO_POLL=1 (seconds between polls)
# Needs curl and python3. Exits non-zero if the run fails or times out.
set -euo pipefail

BASE_URL="${1:-http://127.0.0.1:8000}"
BASE_URL="${BASE_URL%/}"
TIMEOUT="${DEMO_TIMEOUT:-300}"
POLL="${DEMO_POLL:-1}"

REQUEST='{"ticker":"GOOG","rule_type":"RSI","params":{"period":14,"oversold":30,"overbought":70},"start_date":"2010-01-01","end_date":"2012-12-31"}'

# json_get FIELD: read a top-level field of the JSON document on stdin ("" if absent/null).
json_get() {
  python3 -c 'import json, sys
doc = json.load(sys.stdin)
value = doc.get(sys.argv[1]) if isinstance(doc, dict) else None
print("" if value is None else value)' "$1"
}

echo "==> health: $BASE_URL/health"
curl -fsS --max-time 5 "$BASE_URL/health" >/dev/null || { echo "server not reachable at $BASE_URL" >&2; exit 1; }

echo "==> submit: POST $BASE_URL/api/backtests"
echo "    $REQUEST"
response="$(curl -sS --max-time 30 -w '\n%{http_code}' -X POST "$BASE_URL/api/backtests" \
  -H 'Content-Type: application/json' -d "$REQUEST")"
code="${response##*$'\n'}"
body="${response%$'\n'*}"
if [[ $code != 202 && $code != 200 && $code != 201 ]]; then
  echo "submit failed: HTTP $code: $body" >&2
  exit 1
fi
run_id="$(printf '%s' "$body" | json_get run_id)"
status_url="$(printf '%s' "$body" | json_get status_url)"
[[ -n $run_id ]] || { echo "no run_id in response: $body" >&2; exit 1; }
case "$status_url" in
  http://* | https://*) ;;
  /*) status_url="$BASE_URL$status_url" ;;
  *) status_url="$BASE_URL/status/$run_id" ;;
esac
echo "    run_id=$run_id"

echo "==> poll: $status_url (timeout ${TIMEOUT}s)"
deadline=$((SECONDS + TIMEOUT))
status=""
while :; do
  body="$(curl -fsS --max-time 10 "$status_url")" || { echo "status request failed" >&2; exit 1; }
  new_status="$(printf '%s' "$body" | json_get status)"
  [[ $new_status != "$status" ]] && echo "    status=$new_status"
  status="$new_status"
  case "$status" in
    completed | failed) break ;;
  esac
  if ((SECONDS >= deadline)); then
    echo "timed out after ${TIMEOUT}s waiting for run $run_id (last status: ${status:-none})" >&2
    exit 1
  fi
  sleep "$POLL"
done

if [[ $status == failed ]]; then
  echo "run $run_id failed: $(printf '%s' "$body" | json_get error_message)" >&2
  exit 1
fi

echo "==> result of run $run_id"
printf '%s' "$body" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
result = doc.get("result") or {}
if isinstance(result, str):  # a result stored as a JSON string
    result = json.loads(result)
metrics = result.get("metrics") or doc.get("metrics") or {}
keys = ["total_return_pct", "sharpe_ratio", "max_drawdown_pct", "num_trades"]
missing = [k for k in keys if k not in metrics]
for k in keys:
    v = metrics.get(k)
    print(f"    {k:<18} {v:.4f}" if isinstance(v, float) else f"    {k:<18} {v}")
if missing:
    sys.exit("metrics missing from the result: " + ", ".join(missing))
'
