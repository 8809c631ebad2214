#!/usr/bin/env bash
# tests/e2e/test_metrics.sh - xlbd's /metrics in the lab:
#  - the live output passes the real `promtool check metrics` and carries the
#    contract's series (backend up, health results, build info, datapath);
#  - a real Prometheus server (started here, inside the LB's namespace, on
#    loopback, with its own config and storage under the lab's directory)
#    scrapes xlbd; after the test makes N new connections through the VIP,
#    the PromQL query xlb_backend_new_flows_total gives, per backend, exactly
#    the number of connections each backend answered;
#  - every query of scripts/grafana-dashboard.json is valid PromQL and
#    returns data from this Prometheus.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cp_lib.sh"
. "$(dirname "$0")/hc_lib.sh"

bail() { tap_fail "$1" "${2:-}"; tap_done; exit 1; }

PROMETHEUS=/usr/bin/prometheus PROMTOOL=/usr/bin/promtool
MPORT=9464 PPORT=19090 N=60
if [ ! -x "$PROMETHEUS" ] || [ ! -x "$PROMTOOL" ]; then
	tap_skip "metrics end to end" "prometheus/promtool not installed (Debian package prometheus)"
	tap_done
	exit 0
fi

lab_up || bail "lab up"
cp_init
lab_on_exit cp_cleanup
PROM_PID=
lab_on_exit '[ -n "$PROM_PID" ] && kill "$PROM_PID" && wait "$PROM_PID"'
cp_xlbd_start --metrics "127.0.0.1:$MPORT" || bail "xlbd starts with metrics on 127.0.0.1:$MPORT"
tap_ok "xlbd serves metrics on 127.0.0.1:$MPORT in $LB_NS"

VIP="$VIP4:80/tcp"
{
	echo "vips:"
	echo "  - vip: \"$VIP\""
	echo "    health: { type: http, path: /healthz, interval: 500ms, timeout: 300ms }"
	echo "    backends:"
	for b in $BACKEND_ADDRS4; do echo "      - address: $b"; done
} >"$CP_DIR/metrics.yaml"
out=$(xctl apply -f "$CP_DIR/metrics.yaml" 2>&1) || bail "apply a VIP with 3 health-checked backends" "$out"
for b in $BACKEND_ADDRS4; do
	hc_wait_field "$VIP" "$b" health.state up 10 >/dev/null || tap_fail "backend $b up"
done

scrape() { in_ns lb curl -s --max-time 3 "http://127.0.0.1:$MPORT/metrics"; }
scrape >"$LAB_DIR/metrics.txt"
if out=$("$PROMTOOL" check metrics <"$LAB_DIR/metrics.txt" 2>&1); then
	tap_ok "promtool check metrics: live output ($(wc -l <"$LAB_DIR/metrics.txt") lines) is valid"
else
	tap_fail "promtool check metrics on the live output" "$out"
fi
has() { grep -Eq -- "$1" "$LAB_DIR/metrics.txt"; }
for b in $BACKEND_ADDRS4; do
	tap_check "xlb_backend_up{vip=\"$VIP\",backend=\"$b\"} 1" has "^xlb_backend_up\{vip=\"$VIP\",backend=\"$b\"\} 1$"
	tap_check "xlb_health_checks_total ok > 0 for $b" \
		has "^xlb_health_checks_total\{vip=\"$VIP\",backend=\"$b\",result=\"ok\"\} [1-9][0-9]*$"
done
tap_check "xlb_build_info, xlb_up" has '^xlb_build_info\{version="[^"]+"\} 1$'
tap_check "xlb_datapath_packets_total{reason=\"pass_not_vip\"} present" has '^xlb_datapath_packets_total\{reason="pass_not_vip"\} [0-9]+$'
tap_check "xlb_health_check_duration_seconds histogram" has '^xlb_health_check_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
tap_check "xlb_vip_table_info with a fingerprint" has "^xlb_vip_table_info\{vip=\"$VIP\",fingerprint=\"[0-9a-f]{16}\"\} 1$"
tap_check "GET /nope is 404" test "$(in_ns lb curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/nope")" = 404

# ---- a real Prometheus ----
mkdir -p "$LAB_DIR/prom"
cat >"$LAB_DIR/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: xlb
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
in_ns lb "$PROMETHEUS" --config.file="$LAB_DIR/prom/prometheus.yml" \
	--storage.tsdb.path="$LAB_DIR/prom/data" --web.listen-address="127.0.0.1:$PPORT" \
	--log.level=warn >"$LAB_DIR/prom/log" 2>&1 &
PROM_PID=$!
promq() {	# PromQL -> the API's JSON
	in_ns lb curl -s --max-time 3 -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"
}
if wait_for "promq 'up{job=\"xlb\"} == 1' | grep -q '\"value\"'" 30; then
	tap_ok "Prometheus scrapes xlbd (up{job=\"xlb\"} == 1)"
else
	tap_fail "Prometheus scrapes xlbd" "$(tail -5 "$LAB_DIR/prom/log")"
fi

# ---- N new connections, counted per backend by the answers ----
before=$(promq "xlb_backend_new_flows_total{vip=\"$VIP\"}")
cp_curl_loop c1 "http://$VIP4/" "$N" "$LAB_DIR/answers"
fails=$(grep -cvx 'b[0-9]*' "$LAB_DIR/answers")
tap_check "$N new connections through the VIP all answered" test "$fails" -eq 0
declare -A want=()
for b in $BACKEND_NODES; do
	i=${b#b}
	a=$(echo "$BACKEND_ADDRS4" | cut -d' ' -f"$i")
	base=$(echo "$before" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(next((int(float(x["value"][1])) for x in r if x["metric"]["backend"] == sys.argv[1]), 0))' "$a")
	want[$a]=$(($(grep -cx "$b" "$LAB_DIR/answers") + base))
done
tap_diag "answers per backend: $(sort "$LAB_DIR/answers" | uniq -c | tr '\n' ' ')"
got_all() {
	promq "xlb_backend_new_flows_total{vip=\"$VIP\"}" | "$PY" -c '
import json, sys
want = dict(a.split("=") for a in sys.argv[1:])
r = json.load(sys.stdin)["data"]["result"]
got = {x["metric"]["backend"]: int(float(x["value"][1])) for x in r}
print(" ".join("%s=%s" % (a, got.get(a)) for a in sorted(want)))
sys.exit(0 if all(got.get(a) == int(w) for a, w in want.items()) else 1)' \
		$(for a in "${!want[@]}"; do echo "$a=${want[$a]}"; done)
}
if wait_for got_all 30; then
	tap_ok "PromQL xlb_backend_new_flows_total per backend = connections each answered ($(got_all))"
else
	tap_fail "PromQL xlb_backend_new_flows_total per backend = connections each answered" \
		"want $(for a in "${!want[@]}"; do printf '%s=%s ' "$a" "${want[$a]}"; done); got $(got_all)"
fi
total_q="sum(xlb_vip_new_flows_total{vip=\"$VIP\"})"
tap_diag "PromQL $total_q = $(promq "$total_q" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else None)')"

# ---- the dashboard's queries ----
DASH=$E2E_ROOT/scripts/grafana-dashboard.json
bad=0 n=0
while IFS= read -r expr; do
	n=$((n + 1))
	q=${expr//\$__rate_interval/1m}
	q=${q//\$instance/.*}
	q=${q//\$vip/.*}
	res=$(promq "$q")
	if ! echo "$res" | grep -q '"status":"success"'; then
		bad=$((bad + 1))
		tap_diag "dashboard query failed: $q -> $res"
	fi
done < <("$PY" -c 'import json,sys; [print(t["expr"]) for p in json.load(open(sys.argv[1]))["panels"] for t in p["targets"]]' "$DASH")
tap_check "all $n queries of scripts/grafana-dashboard.json are valid PromQL on live data" test "$bad" -eq 0

tap_done
