#!/bin/sh
# The store's own costs (tools/dbbench.c), part of `make bench`: one configuration record's
# write latency on SQLite and on PostgreSQL (a private server on a Unix socket,
# tests/pgserver.sh), and the queue's throughput with 1, 2 and 16 simulated workers (no QEMU),
# on PostgreSQL and on SQLite as a single-host queue (a file, each worker its own connection).
# Usage: dbbench.sh BUILD/bin/dbbench
set -u
bin=$1
here=$(dirname "$0")
d=$(mktemp -d "${TMPDIR:-/tmp}/dbbench.XXXXXX")
pg=$(sh "$here/pgserver.sh" start) || exit 2
trap 'sh "$here/pgserver.sh" stop "$pg"; rm -rf "$d"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rc=0
"$bin" write "$d/cert.db" 200 || rc=2
"$bin" write "$(sh "$here/pgserver.sh" createdb "$pg" w)" 200 || rc=2
"$bin" queue "$(sh "$here/pgserver.sh" createdb "$pg" q1)" 1 1000 || rc=2
"$bin" queue "$(sh "$here/pgserver.sh" createdb "$pg" q2)" 2 1000 || rc=2
"$bin" queue "$(sh "$here/pgserver.sh" createdb "$pg" q16)" 16 10000 || rc=2
"$bin" queue "$d/q1.db" 1 1000 || rc=2
"$bin" queue "$d/q2.db" 2 1000 || rc=2
"$bin" queue "$d/q16.db" 16 10000 || rc=2
exit $rc
