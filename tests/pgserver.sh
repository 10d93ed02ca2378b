#!/bin/sh
# A private PostgreSQL server for the tests: initdb in a new temporary directory, listening
# only on a Unix socket in that directory (listen_addresses = '', no TCP port, no system
# service), owned by an unprivileged user (initdb refuses root: as root the cluster belongs
# to `nobody`; otherwise to the caller), trust authentication on the socket alone.
#
#   pgserver.sh start          starts one; prints its directory (stdout) and stays out of
#                              the way; the directory holds url, the base connection URI
#   pgserver.sh stop DIR       stops it (immediate shutdown) and removes DIR
#   pgserver.sh run CMD...     start; export HVKIT_TEST_PG (URI of database postgres) and
#                              HVKIT_TEST_PGDIR; run CMD; stop whatever happens; CMD's status.
#                              Without PostgreSQL installed, CMD runs without HVKIT_TEST_PG
#                              (its PostgreSQL tests are then counted as skipped).
#   pgserver.sh url DIR DB     the URI of database DB on the server in DIR
#   pgserver.sh restart DIR    stops and starts the server in DIR (data kept)
#   pgserver.sh createdb DIR DB  makes database DB and prints its URI
set -u
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

as_owner() {	# runs "$@" as the cluster's owner
	if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

owner() { if [ "$(id -u)" = 0 ]; then echo nobody; else id -un; fi; }

pg_url() {	# pg_url DIR DB
	echo "postgresql:///$2?host=$1&user=$(owner)"
}

pg_start() {
	[ -x "$PGBIN/initdb" ] || { echo "pgserver.sh: no PostgreSQL (initdb) under ${PGBIN:-/usr/lib/postgresql}; scripts/deps.sh installs it" >&2; return 3; }
	# Not under $TMPDIR: a test's private (0700) temp dir is closed to the cluster's owner.
	dir=$(mktemp -d /tmp/hvkit-pg.XXXXXX) || return 2
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown nobody "$dir"
	# initdb and postgres resolve their working directory: give them one they can read.
	if ! (cd "$dir" && as_owner "$PGBIN/initdb" -N -D "$dir/data" -U "$(owner)" --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1); then
		echo "pgserver.sh: initdb failed: $(tail -n 3 "$dir/initdb.log")" >&2
		rm -rf "$dir"
		return 2
	fi
	cat >> "$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = on
max_connections = 60
log_min_messages = warning
EOF
	# The owner and everyone else by trust on the socket; role hvkit_pw (password 'right',
	# made below) by password, for the tests of a wrong one. No TCP line: there is no TCP.
	printf 'local all hvkit_pw scram-sha-256\nlocal all all trust\n' > "$dir/data/pg_hba.conf"
	if ! (cd "$dir" && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		start > /dev/null 2>&1); then
		echo "pgserver.sh: the server did not start: $(tail -n 3 "$dir/server.log")" >&2
		rm -rf "$dir"
		return 2
	fi
	pg_url "$dir" postgres > "$dir/url"
	if ! psql -X -q "$(cat "$dir/url")" -c "CREATE ROLE hvkit_pw LOGIN PASSWORD 'right'" > /dev/null 2>&1; then
		echo "pgserver.sh: cannot create role hvkit_pw" >&2
		pg_stop "$dir"
		return 2
	fi
	echo "$dir"
}

pg_stop() {
	[ -d "$1/data" ] && (cd "$1" && as_owner "$PGBIN/pg_ctl" -D "$1/data" -m immediate -w -t 30 \
		stop > /dev/null 2>&1)
	rm -rf "$1"
}

case "${1:-}" in
start) pg_start ;;
stop) pg_stop "$2" ;;
url) pg_url "$2" "$3" ;;
createdb)
	psql -X -q "$(cat "$2/url")" -c "CREATE DATABASE \"$3\"" > /dev/null && pg_url "$2" "$3" ;;
restart)
	(cd "$2" && as_owner "$PGBIN/pg_ctl" -D "$2/data" -m immediate -w -t 30 stop > /dev/null 2>&1)
	(cd "$2" && as_owner "$PGBIN/pg_ctl" -D "$2/data" -l "$2/server.log" -w -t 60 start > /dev/null 2>&1) ;;
run)
	shift
	d=$(pg_start)
	rc=$?
	if [ "$rc" = 3 ]; then
		"$@"
		exit $?
	fi
	[ "$rc" = 0 ] || exit 2
	trap 'pg_stop "$d"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	HVKIT_TEST_PG=$(cat "$d/url") HVKIT_TEST_PGDIR=$d "$@"
	exit $? ;;
*) echo "usage: pgserver.sh start | stop DIR | run CMD... | url DIR DB | restart DIR" >&2; exit 2 ;;
esac
