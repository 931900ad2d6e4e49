#!/usr/bin/env bash
# Runs a private PostgreSQL 15 server (Debian's postgresql-15) for tests and benchmarks, on
# 127.0.0.1 and a Unix socket inside DIR, with its data in DIR/data.
#
#   pg_test_server.sh start DIR PORT [OWNER_PID] [durable]
#       When DIR/data is missing, copy a cluster made once by initdb (kept beside DIR as
#       roster-pg15-template-<uid>-<fast|durable>), then start and wait until it accepts
#       connections.
#       With OWNER_PID, a watchdog stops the server and removes DIR once that process is
#       gone, so a test that crashes leaves neither behind. "durable" keeps fsync on (benchmarks); tests run
#       with fsync off, as they check semantics, not what survives a power cut.
#   pg_test_server.sh stop DIR [fast|immediate]
#       immediate: the server goes away at once, as if it crashed (tests of a lost server).
#   pg_test_server.sh standby DIR PORT PRIMARY_DIR PRIMARY_PORT [OWNER_PID] [sync|async]
#       A streaming standby of the primary in PRIMARY_DIR, made by pg_basebackup -R, started on
#       PORT (application_name "standby"). sync: the primary then waits for it on every commit
#       (synchronous_standby_names), so an acknowledged commit is on both servers.
#   pg_test_server.sh promote DIR          the standby becomes a primary (pg_ctl promote)
#   pg_test_server.sh kill DIR             kill -9 of the postmaster and all its processes
#   pg_test_server.sh pause-sender DIR     SIGSTOP the primary's WAL senders: nothing more reaches
#   pg_test_server.sh resume-sender DIR    the standby until SIGCONT (see the failover test)
#
# initdb refuses to run as root: as root, the server runs as the package's `postgres` user
# (created when missing), and DIR is handed to that user. Connect as user "roster" (trust
# authentication: the server listens on loopback only and lives as long as a test).
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:?usage: pg_test_server.sh start|stop DIR ...}
dir=${2:?DIR missing}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    port=${3:?PORT missing}
    owner=${4:-}
    fsync=off
    [[ ${5:-} == durable ]] && fsync=on
    if [[ $(id -u) -eq 0 ]]; then
      id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      chown postgres "$dir"
    fi
    if [[ ! -d $dir/data ]]; then
      # initdb takes seconds, and CTest runs every test case in a process of its own: one
      # initdb'd cluster is kept as a template (per machine and user) and copied, under a lock
      # so that parallel tests make it once.
      # Beside DIR, so that the copy stays on one file system. Test clusters take 1 MB WAL
      # segments (a 23 MB copy instead of 39 MB); benchmark ones keep the default 16 MB.
      template=$(dirname "$dir")/roster-pg15-template-$(id -u)-$([[ $fsync == on ]] && echo durable || echo fast)
      walseg=()
      [[ $fsync == off ]] && walseg=(--wal-segsize=1)
      (
        flock 9
        if [[ ! -f $template/data/PG_VERSION ]]; then
          rm -rf "$template" "$template.new"
          mkdir -p "$template.new"
          [[ $(id -u) -eq 0 ]] && chown postgres "$template.new"
          as_server_user "$bin/initdb" -D "$template.new/data" -U roster -A trust -E UTF8 \
            --locale=C --no-sync "${walseg[@]}" >"$template.new/initdb.log" 2>&1 ||
            { cat "$template.new/initdb.log" >&2; exit 1; }
          mv "$template.new" "$template"
        fi
      ) 9>"$template.lock"
      cp -a "$template/data" "$dir/data"
    fi
    # -w: return once the server accepts connections; -t: give up after 60 s.
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=$fsync \
          -c full_page_writes=$fsync -c max_connections=200 -c shared_buffers=64MB" \
      start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    if [[ -n $owner ]]; then
      # Checks once a second, detached from the caller, so it outlives a crashed owner; then
      # stops the server and removes DIR, which the owner would have removed.
      setsid bash -c "$(declare -f as_server_user)
        while kill -0 $owner 2>/dev/null && [[ -d '$dir/data' ]]; do sleep 1; done
        if [[ -d '$dir/data' ]]; then
          as_server_user '$bin/pg_ctl' -D '$dir/data' -m immediate stop
          rm -rf '$dir'
        fi" >/dev/null 2>&1 </dev/null &
    fi
    ;;
  standby)
    port=${3:?PORT missing}
    primary_dir=${4:?PRIMARY_DIR missing}
    primary_port=${5:?PRIMARY_PORT missing}
    owner=${6:-}
    mode=${7:-sync}
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    as_server_user "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U roster -D "$dir/data" \
      -R -X stream --no-sync -c fast >"$dir/basebackup.log" 2>&1 ||
      { cat "$dir/basebackup.log" >&2; exit 1; }
    # The later line wins: -R wrote a primary_conninfo without the name the primary waits for.
    echo "primary_conninfo = 'host=127.0.0.1 port=$primary_port user=roster application_name=standby'" |
      as_server_user tee -a "$dir/data/postgresql.auto.conf" >/dev/null
    "$0" start "$dir" "$port" $owner
    if [[ $mode == sync ]]; then
      # Set after the base backup, so that the standby, once promoted, does not wait for a
      # standby of its own.
      as_server_user "$bin/psql" -h "$primary_dir" -p "$primary_port" -U roster -d postgres -Atq \
        -c "ALTER SYSTEM SET synchronous_standby_names = 'standby'" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    # Return once the standby streams (and, for sync, is the synchronous one).
    want=$([[ $mode == sync ]] && echo sync || echo async)
    for _ in $(seq 100); do
      state=$(as_server_user "$bin/psql" -h "$primary_dir" -p "$primary_port" -U roster -d postgres -Atq \
        -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby' AND state = 'streaming'")
      [[ $state == "$want" ]] && exit 0
      sleep 0.1
    done
    echo "the standby did not start streaming ($want) within 10 s" >&2
    tail -20 "$dir/server.log" >&2
    exit 1
    ;;
  promote)
    as_server_user "$bin/pg_ctl" -D "$dir/data" -w -t 60 promote >/dev/null
    ;;
  kill)
    [[ -f $dir/data/postmaster.pid ]] || exit 0
    postmaster=$(head -1 "$dir/data/postmaster.pid")
    # The children first: a killed postmaster leaves its children running for a while.
    for pid in $(ps -o pid= --ppid "$postmaster") "$postmaster"; do kill -9 "$pid" 2>/dev/null || true; done
    ;;
  pause-sender | resume-sender)
    signal=$([[ $cmd == pause-sender ]] && echo STOP || echo CONT)
    postmaster=$(head -1 "$dir/data/postmaster.pid")
    senders=$(ps -o pid=,args= --ppid "$postmaster" | awk '/walsender/ {print $1}')
    # No sender would make the pause a no-op, and the failover test prove nothing.
    [[ -n $senders ]] || { echo "no WAL sender runs on the server in $dir" >&2; exit 1; }
    for pid in $senders; do kill -"$signal" "$pid"; done
    ;;
  stop)
    mode=${3:-fast}
    [[ -f $dir/data/postmaster.pid ]] || exit 0
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null
    ;;
  *)
    echo "usage: pg_test_server.sh start DIR PORT [OWNER_PID] [durable] | stop DIR [mode]" >&2
    exit 2
    ;;
esac
