# Shared by tests/certify/*-test.sh: a private temp dir, a store and check helpers.
# Each check prints "PASS name" or "FAIL name: why"; the script exits 1 if one failed.
set -u
CERTIFY=${CERTIFY:-build/bin/certify}
T=$(mktemp -d "${TMPDIR:-/tmp}/certify-e2e.XXXXXX")
export TMPDIR="$T"		# session temp dirs (QEMU sockets) go here: pgrep finds them
export HVKIT_DB="$T/cert.db"
failed=0
trap 'rm -rf "$T"' EXIT

# CERTIFY_BACKEND=pg: the same tests against a private PostgreSQL server (tests/pgserver.sh),
# stopped at exit whatever happens; test names get a "pg:" prefix.
PGDIR=
tag=
PGSERVER="$(dirname "$0")/../pgserver.sh"
if [ "${CERTIFY_BACKEND:-sqlite}" = pg ]; then
	tag=pg:
	PGDIR=$(sh "$PGSERVER" start) || { echo "FAIL pg:server: the test server did not start"; exit 1; }
	trap 'sh "$PGSERVER" stop "$PGDIR"; rm -rf "$T"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	HVKIT_DB=$(sh "$PGSERVER" createdb "$PGDIR" cert) || { echo "FAIL pg:createdb"; exit 1; }
	export HVKIT_DB
fi

ok() { echo "PASS $tag$1"; }
bad() { echo "FAIL $tag$1: $2"; failed=1; }

# q SQL: runs SQL on the store, one row a line, columns '|'-separated (sqlite3's and psql -At's
# common form). The SQL must mean the same in both dialects.
q() {
	if [ -n "$PGDIR" ]; then psql -X -q -At "$HVKIT_DB" -c "$1"; else sqlite3 "$HVKIT_DB" "$1"; fi
}

# store_exists: the store holds a schema (SQLite: the file exists).
store_exists() {
	if [ -n "$PGDIR" ]; then [ -n "$(q "select to_regclass('runs')")" ]; else [ -e "$HVKIT_DB" ]; fi
}

# store_integrity: "ok", or what is wrong. SQLite: PRAGMA integrity_check. PostgreSQL: amcheck
# (bt_index_check with the heap) on every B-tree index of the store.
store_integrity() {
	if [ -z "$PGDIR" ]; then sqlite3 "$HVKIT_DB" 'PRAGMA integrity_check' 2>&1; return; fi
	r=$(psql -X -q -At "$HVKIT_DB" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS amcheck;
SELECT count(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.amname = 'btree' AND n.nspname = 'public') x;
SQL
)
	case $r in [1-9]*) case $r in *[!0-9]*) echo "$r" ;; *) echo ok ;; esac ;; *) echo "$r" ;; esac
}

# expect NAME RC CMD...: runs CMD (output in $T/out, $T/err), checks its exit status.
expect() {
	name=$1 want=$2
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else
		bad "$name" "exit $got, expected $want: $(head -c 300 "$T/err")"; fi
	return 0
}

# has NAME FILE PATTERN: FILE contains the extended regex PATTERN.
has() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else bad "$1" "no '$3' in $(head -c 300 "$2")"; fi
}

# A plan directory with the self-test plan and variants made by the caller.
plans() {
	mkdir -p "$T/plans"
	cp plans/*.plan "$T/plans/"
}
