#!/usr/bin/env bash
# Roster on PostgreSQL beside Roster on its embedded log and beside the hand-built peer
# (../shared/peers/members_pg: the same commands written as a careful team would, one
# transaction each, rules checked by the application), on one private PostgreSQL 15 server with
# fsync on, in one run (docs/benchmarks.md, "PostgreSQL side by side"):
#
#   tools/bench/pg_compare.sh [--seconds S] [--peer DIR] [--bin DIR] [--json]
#
# Order: the peer's commands and checks (pgbench, 64 clients), then `roster-bench api` with
# rosterd's log in a database of the same server, then `roster-bench api` on the embedded log
# (PostgreSQL idle). Prints each figure and the ratios the issue sets targets for.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=10
peer=$root/../shared/peers/members_pg
bin=$root/build/bin
json=0
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --peer) peer=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "pg_compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for f in schema.sql preload.sql bench_orgs.sql commands.sql check.sql pgbench_pct.py; do
  [[ -f $peer/$f ]] || { echo "pg_compare.sh: $peer/$f is missing (--peer DIR)" >&2; exit 2; }
done
for tool in pgbench psql python3; do
  command -v "$tool" >/dev/null || { echo "pg_compare.sh: $tool is missing" >&2; exit 2; }
done
[[ -x $bin/roster-bench ]] || { echo "pg_compare.sh: no $bin/roster-bench (--bin DIR)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/roster-pg-compare-XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
say() { echo "pg_compare: $*" >&2; }
cleanup() { "$root/tests/support/pg_test_server.sh" stop "$work/pg" fast >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
# The server runs as the postgres user (initdb refuses root), which must reach its directory.
chmod 755 "$work"
mkdir -p "$work/pg"
say "PostgreSQL 15 (fsync on) on port $port"
"$root/tests/support/pg_test_server.sh" start "$work/pg" "$port" $$ durable
PG="-h 127.0.0.1 -p $port -U roster"
psql $PG -d postgres -X -q -c 'CREATE DATABASE members' -c 'CREATE DATABASE roster_log'
PSQL="psql $PG -d members -X -q -v ON_ERROR_STOP=1"
say "peer schema and preload (10,000 organizations; about 2 minutes)"
$PSQL -f "$peer/schema.sql" >/dev/null
$PSQL -f "$peer/preload.sql" >/dev/null
$PSQL -v round=1 -f "$peer/bench_orgs.sql" >/dev/null
$PSQL -c CHECKPOINT
base=$((1000000 + 1 * 1000))

say "peer commands: pgbench, 64 clients, ${seconds} s"
pgbench $PG -n -M prepared -c 64 -j 2 -T "$seconds" --log --log-prefix="$work/cmdlog" \
  -D n=0 -D orgbase=$base -f "$peer/commands.sql" members >"$work/cmd.out" 2>&1 ||
  { cat "$work/cmd.out" >&2; exit 1; }
grep -q 'number of failed transactions: 0' "$work/cmd.out" ||
  grep -qv 'failed' "$work/cmd.out" || { cat "$work/cmd.out" >&2; exit 1; }
python3 "$peer/pgbench_pct.py" "$work/cmdlog" >"$work/peer_cmd.json"
maxu=$($PSQL -At -c "SELECT min(c) FROM (SELECT o.id, count(m.id) FILTER (WHERE m.user_id <> 'owner') c
  FROM organizations o LEFT JOIN memberships m ON m.org_id = o.id AND m.status = 'active'
  WHERE o.id BETWEEN $base AND $base + 255 GROUP BY o.id) s")
((maxu > 0)) || { say "the peer's commands made no members"; exit 1; }
say "peer checks: pgbench, 64 clients, ${seconds} s (users per org: $maxu)"
pgbench $PG -n -M prepared -c 64 -j 2 -T "$seconds" --log --log-prefix="$work/chklog" \
  -D ci=0 -D orgbase=$base -D maxu="$maxu" -f "$peer/check.sql" members >"$work/chk.out" 2>&1 ||
  { cat "$work/chk.out" >&2; exit 1; }
python3 "$peer/pgbench_pct.py" "$work/chklog" >"$work/peer_chk.json"
rm -f "$work"/cmdlog.* "$work"/chklog.*
$PSQL -c CHECKPOINT

say "roster-bench api, rosterd --log postgresql://... on the same server"
"$bin/roster-bench" api --json --phases commands,checks --records 0 --seconds "$seconds" \
  --dir "$work" --log "postgresql://roster@127.0.0.1:$port/roster_log" >"$work/pg.json"
psql $PG -d roster_log -X -q -c CHECKPOINT
say "roster-bench api on the embedded log (PostgreSQL idle)"
"$bin/roster-bench" api --json --phases commands,checks --records 0 --seconds "$seconds" \
  --dir "$work" >"$work/rocks.json"

python3 - "$work" "$json" "$seconds" <<'PY'
import json, sys
work, as_json, seconds = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
def load(name):
    with open(f"{work}/{name}") as f:
        return json.load(f)
def fig(report, key):
    r = report.get("figures", report)
    v = r[key]
    return v["value"] if isinstance(v, dict) else v
pg, rocks = load("pg.json"), load("rocks.json")
peer_cmd, peer_chk = load("peer_cmd.json"), load("peer_chk.json")
out = {
  "seconds_per_phase": float(seconds),
  "pg_commands_per_s_64conn": fig(pg, "commands_per_s_64conn"),
  "pg_command_p99_ms_64conn": fig(pg, "command_p99_ms_64conn"),
  "peer_commands_per_s_64conn": peer_cmd["steady_tps"],
  "peer_command_p99_ms_64conn": peer_cmd["steady"]["p99_ms"],
  "rocks_commands_per_s_64conn": fig(rocks, "commands_per_s_64conn"),
  "rocks_command_p99_ms_64conn": fig(rocks, "command_p99_ms_64conn"),
  "pg_checks_per_s_64conn": fig(pg, "checks_per_s_64conn"),
  "peer_checks_per_s_64conn": peer_chk["steady_tps"],
  "rocks_checks_per_s_64conn": fig(rocks, "checks_per_s_64conn"),
  "pg_command_failures": fig(pg, "command_failures"),
  "pg_check_failures": fig(pg, "check_failures"),
}
out["pg_vs_peer_commands"] = out["pg_commands_per_s_64conn"] / out["peer_commands_per_s_64conn"]
out["pg_vs_peer_command_p99"] = out["pg_command_p99_ms_64conn"] / out["peer_command_p99_ms_64conn"]
out["pg_vs_peer_checks"] = out["pg_checks_per_s_64conn"] / out["peer_checks_per_s_64conn"]
out["pg_vs_rocks_commands"] = out["pg_commands_per_s_64conn"] / out["rocks_commands_per_s_64conn"]
out["pg_vs_rocks_checks"] = out["pg_checks_per_s_64conn"] / out["rocks_checks_per_s_64conn"]
targets = {"pg_vs_peer_commands": ">= 3", "pg_vs_peer_command_p99": "<= 1 (p99 no worse)",
           "pg_vs_peer_checks": ">= 2.5", "pg_vs_rocks_commands": ">= 0.5",
           "pg_vs_rocks_checks": "about 1 (equal within noise)"}
if as_json:
    print(json.dumps(out, indent=2))
else:
    for k, v in out.items():
        print(f"  {k:34} {v:12.3f}   {targets.get(k, '')}")
PY
