#!/bin/sh
# The store survives certify being killed at any moment: SIGKILL `certify run` at random
# points (until 22 runs were killed mid-way, each run ~1.5 s; at most 110 s), then the database must pass PRAGMA integrity_check,
# no half-finished run may count as certified, and no QEMU may be left (SIGKILL leaves
# QEMU to die by PR_SET_PDEATHSIG). SIGTERM must end certify and its QEMU at once and
# store the run as complete with verdict error.
. "$(dirname "$0")/lib.sh"
plans
sed 's/^name = .*/name = selfkill/; s/^machines = .*/machines = pc q35/; s/^smp = .*/smp = 1 2/' \
	plans/selftest.plan > "$T/plans/selfkill.plan"
sed 's/^name = .*/name = selfhang/; s/^tests = .*/tests = harness.hang/; s/^params = .*//' \
	plans/selftest.plan > "$T/plans/selfhang.plan"

qemu_left() {	# waits up to 3 s for QEMU processes whose command line names $T to go
	i=0
	while pgrep -f "qemu-system.*$T" > /dev/null && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pgrep -f "qemu-system.*$T" > /dev/null
}

want=22
killed=0
i=0
bad_integrity=0
deadline=$(( $(date +%s) + 110 ))
while [ "$killed" -lt "$want" ] && [ "$(date +%s)" -lt "$deadline" ]; do
	i=$((i + 1))
	# A random delay of 0..2 s: before the store opens, mid-boot, mid-transaction, or after
	# the run completed (a run takes about 1.5 s).
	ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 2000 ))
	"$CERTIFY" run --plans "$T/plans" --plan selfkill --device edu > /dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -KILL "$pid" 2> /dev/null && killed=$((killed + 1))
	wait "$pid" 2> /dev/null
	if store_exists; then
		r=$(store_integrity)
		[ "$r" = ok ] || { bad_integrity=$((bad_integrity + 1)); echo "  round $i: $r"; }
	fi
done
echo "  killed $killed of $i runs"
if [ "$bad_integrity" = 0 ]; then ok kill-integrity; else bad kill-integrity "$bad_integrity rounds"; fi
if [ "$killed" -ge "$want" ]; then ok kill-rounds; else bad kill-rounds "only $killed kills"; fi
if qemu_left; then bad kill-no-qemu "$(pgrep -af "qemu-system.*$T" | head -3)"; else ok kill-no-qemu; fi

# No half-stored configuration: every stored passing configuration has its devices' run
# rows, its results and its host checks' rows (selftest has 8 tests and no host check), all
# written in its one transaction.
n=$(q "select count(*) from configs c where c.verdict = 'pass' and ((select count(*) from results r where r.config_id = c.id) != 8 or not exists (select 1 from run_devices d where d.run_id = c.run_id))")
m=$(q "select count(*) from configs")
if [ "$n" = 0 ]; then ok kill-no-half-config; else bad kill-no-half-config "$n of $m configurations incomplete"; fi
echo "  $m configurations stored"

# No run that is not complete is reported as certified, by the CLI or the view.
"$CERTIFY" history --certified --json > "$T/cert.json" 2> "$T/err" || bad kill-history "$(cat "$T/err")"
running=$(q "select id from runs where status != 'complete'")
leak=0
for id in $running; do
	grep -q "\"id\":$id," "$T/cert.json" && leak=1
done
n=$(q "select count(*) from certified_runs where status != 'complete'")
if [ "$leak" = 0 ] && [ "$n" = 0 ]; then ok kill-not-certified; else
	bad kill-not-certified "a running run is listed as certified"; fi
"$CERTIFY" history > "$T/hist" 2>&1
if grep -E '^[0-9]+ .* running .* yes ' "$T/hist" > /dev/null; then
	bad kill-history-running "$(grep running "$T/hist" | head -2)"; else ok kill-history-running; fi
n=$(grep -Ec '^[0-9]+ .* abandoned +- +no ' "$T/hist")
if [ "$n" = "$(echo $running | wc -w)" ] && [ "$n" -gt 0 ]; then ok kill-abandoned; else
	bad kill-abandoned "$n runs shown abandoned, $(echo $running | wc -w) left running"; fi
echo "  store: $(q "select count(*) from runs") runs, $(echo $running | wc -w) left running"

# The store still takes runs after all that.
expect kill-after 0 "$CERTIFY" run --plans "$T/plans" --plan selftest --device edu
[ "$(store_integrity)" = ok ] && ok kill-final-integrity || \
	bad kill-final-integrity "integrity_check failed"

# SIGTERM during a hanging boot: certify kills QEMU, stores an error verdict, exits 143.
"$CERTIFY" run --plans "$T/plans" --plan selfhang --device edu > "$T/term.out" 2>&1 &
pid=$!
sleep 1.5
kill -TERM "$pid"
start=$(date +%s)
wait "$pid"
rc=$?
took=$(( $(date +%s) - start ))
if [ "$rc" = 143 ] && [ "$took" -le 5 ]; then ok term-exit; else bad term-exit "exit $rc after $took s"; fi
if qemu_left; then bad term-no-qemu "QEMU outlived certify"; else ok term-no-qemu; fi
v=$(q "select status || ' ' || verdict from runs order by id desc limit 1")
if [ "$v" = "complete error" ]; then ok term-stored; else bad term-stored "last run: $v"; fi
exit $failed
