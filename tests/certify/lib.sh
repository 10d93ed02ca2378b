# Shared by tests/certify/*-test.sh: a private temp dir, a store and check helpers.
# Each check prints "PASS name" or "FAIL name: why"; the script exits 1 if one failed.
set -u
CERTIFY=${CERTIFY:-build/bin/certify}
T=$(mktemp -d "${TMPDIR:-/tmp}/certify-e2e.XXXXXX")
export TMPDIR="$T"		# session temp dirs (QEMU sockets) go here: pgrep finds them
export HVKIT_DB="$T/cert.db"
failed=0
trap 'rm -rf "$T"' EXIT

ok() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; failed=1; }

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
