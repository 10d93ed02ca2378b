#!/bin/sh
# The queue with real work, part of `make bench` (after tests/dbbench.sh): `certify worker`s
# on this machine draining the hidden selftest plan with --device edu (about a second a
# configuration under TCG) from a private PostgreSQL server on a Unix socket
# (tests/pgserver.sh), as the tests start it.
#   claim-to-start  one idle worker (woken by the submit's NOTIFY); a one-configuration run
#                   submitted; the time from `certify submit` returning (its COMMIT, which
#                   makes the configuration claimable, precedes that by the process's exit)
#                   to its QEMU's exec, which a CERTIFY_QEMU wrapper timestamps. REPS runs.
#   throughput      two submitted runs of 4 configurations each (pc/q35 x smp 1/2), then
#                   1 or 2 `certify worker --drain` started together: 8 configurations over
#                   the time from the workers' start to the last one's exit, in configurations
#                   a minute. REPS drains each.
# Medians with min..max. Every configuration must be stored exactly once with verdict pass,
# or the benchmark fails (exit 2) instead of printing a figure.
# Usage: queuebench.sh BUILD [REPS]
set -u
build=$1
reps=${2:-3}
here=$(dirname "$0")
certify=$build/bin/certify
d=$(mktemp -d "${TMPDIR:-/tmp}/queuebench.XXXXXX")
pg=$(sh "$here/pgserver.sh" start) || { rm -rf "$d"; exit 2; }
WPIDS=
trap 'kill $WPIDS 2> /dev/null; sh "$here/pgserver.sh" stop "$pg"; rm -rf "$d"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR="$d"
mkdir "$d/plans"
cp plans/*.plan "$d/plans/"
sed 's/^name = .*/name = selfq/; s/^machines = .*/machines = pc q35/; s/^smp = .*/smp = 1 2/' \
	plans/selftest.plan > "$d/plans/selfq.plan"
real=$(command -v qemu-system-x86_64) || { echo "queuebench: no qemu-system-x86_64" >&2; exit 2; }
cat > "$d/qemu" <<EOF
#!/bin/sh
case "\$*" in *--version*) ;; *) date +%s.%N >> "$d/qemu.log" ;; esac
exec "$real" "\$@"
EOF
chmod 755 "$d/qemu"
export CERTIFY_QEMU="$d/qemu"

die() { echo "queuebench: $*" >&2; exit 2; }
now() { date +%s.%N; }
q() { psql -X -q -At "$HVKIT_DB" -c "$1"; }

# stat FILE: "median X, min..max Y..Z" of the numbers in FILE, one a line, with %.Nf format $2.
stat() {
	sort -g "$1" | awk -v f="$2" '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median " f " (min..max " f ".." f ", %d runs)", m, v[1], v[NR], NR }'
}

# until_done SECONDS RUN: waits until RUN is complete; 1 past the deadline.
until_done() {
	end=$(( $(date +%s) + $1 ))
	while [ "$(q "select status from runs where id = $2")" != complete ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# check RUN N: RUN complete, verdict pass, N configurations stored once each.
check() {
	v=$(q "select r.status || ' ' || r.verdict || ' ' || (select count(*) || ' ' || count(distinct idx) from configs c where c.run_id = r.id) from runs r where r.id = $1")
	[ "$v" = "complete pass $2 $2" ] || die "run $1: status verdict stored distinct: $v, want complete pass $2 $2"
}

submit() {	# submit PLAN SEED: prints the run id
	"$certify" submit --plans "$d/plans" --plan "$1" --device edu --seed "$2" > "$d/sub.out" 2>&1 ||
		die "submit: $(cat "$d/sub.out")"
	sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$d/sub.out"
}

# Claim-to-start.
HVKIT_DB=$(sh "$here/pgserver.sh" createdb "$pg" lat) || die "createdb lat"
export HVKIT_DB
"$certify" worker --plans "$d/plans" > "$d/w.out" 2>&1 &
WPIDS=$!
i=0
until [ "$(q "select count(*) from workers where state = 'idle'" 2> /dev/null)" = 1 ]; do
	[ $i -lt 600 ] || die "the worker did not register: $(cat "$d/w.out")"
	sleep 0.1; i=$((i + 1))
done
: > "$d/lat"
for r in $(seq "$reps"); do
	: > "$d/qemu.log"
	run=$(submit selftest "$r")
	t0=$(now)
	until_done 120 "$run" || die "run $run not complete after 120 s: $(tail -n 3 "$d/w.out")"
	check "$run" 1
	t1=$(head -n 1 "$d/qemu.log")
	[ -n "$t1" ] || die "run $run: no QEMU started"
	echo "$t1 $t0" | awk '{ printf "%.1f\n", ($1 - $2) * 1000 }' >> "$d/lat"
done
kill -TERM $WPIDS; wait $WPIDS 2> /dev/null; WPIDS=
echo "queue claim-to-start (postgresql, 1 idle worker, NOTIFY): $(stat "$d/lat" %.0f) ms"

# Throughput with 1 and 2 workers.
for nw in 1 2; do
	: > "$d/cpm.$nw"
	for r in $(seq "$reps"); do
		HVKIT_DB=$(sh "$here/pgserver.sh" createdb "$pg" "tp${nw}_$r") || die "createdb"
		a=$(submit selfq "$r")
		b=$(submit selfq "$((r + 100))")
		t0=$(now)
		for k in $(seq "$nw"); do
			timeout 600 "$certify" worker --plans "$d/plans" --drain > "$d/w$k.out" 2>&1 &
			WPIDS="$WPIDS $!"
		done
		for p in $WPIDS; do wait "$p" || die "worker exit $?: $(tail -n 3 "$d"/w*.out)"; done
		WPIDS=
		t1=$(now)
		check "$a" 4
		check "$b" 4
		n=$(q "select count(distinct worker_id) from queue")
		[ "$n" = "$nw" ] || echo "queuebench: $nw workers started, $n claimed (a worker found nothing left)" >&2
		echo "$t1 $t0" | awk '{ printf "%.2f\n", 8 * 60 / ($1 - $2) }' >> "$d/cpm.$nw"
	done
	echo "queue throughput (postgresql, $nw worker(s), 8 selftest configurations): $(stat "$d/cpm.$nw" %.1f) configurations/min"
done
