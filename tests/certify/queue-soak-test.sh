#!/bin/sh
# The queue under fire (docs/certify.md, "The queue"): SOAK_RUNS submitted runs of two
# configurations each (default 20: 40 configurations, as issue 18 asks; 30 s on a quiet
# host, 230 s at load 13), SOAK_WORKERS supervised workers (default 4; a killed
# one is started again, as a lab's service manager would) SIGKILLed SOAK_KILLS times
# (default 3) at random moments, and the PostgreSQL server restarted once mid-run. Then:
# every run complete with the verdict and kernel command lines of a single `certify run`,
# every configuration stored exactly once, every queue row done, the store's indexes sound,
# every worker ends on SIGTERM, no QEMU left. Bounded: 400 s at most.
CERTIFY_BACKEND=pg
. "$(dirname "$0")/lib.sh"
plans
RUNS=${SOAK_RUNS:-20}
NW=${SOAK_WORKERS:-4}
KILLS=${SOAK_KILLS:-3}
WPIDS=
trap 'kill -KILL $WPIDS 2> /dev/null; sh "$PGSERVER" stop "$PGDIR"; rm -rf "$T"' EXIT
# Two configurations a run (pc and q35, one CPU each). Three workers and the other tests on
# two cores stall QEMU for seconds: the probe deadline (driver.deadline_ms, 3 s) is raised so
# that a slow edu probe is not abandoned, in the baseline or in the soak.
sed 's/^name = .*/name = selfjobs/; s/^machines = .*/machines = pc q35/; s/^params = .*/params = boot.probe=42 driver.deadline_ms=30000/' \
	plans/selftest.plan > "$T/plans/selfjobs.plan"

rnd() { echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 )); }

expect soak-baseline 0 "$CERTIFY" run --plans "$T/plans" --plan selfjobs --device edu --seed 31
base=$(q "select max(id) from runs")
i=0
while [ $i -lt "$RUNS" ]; do
	"$CERTIFY" submit --plans "$T/plans" --plan selfjobs --device edu --seed 31 > "$T/sub.out" 2>&1 ||
		bad soak-submit "$(cat "$T/sub.out")"
	i=$((i + 1))
done
total=$((RUNS * 2))

# start SLOT: a worker in slot SLOT (its pid in $T/w.SLOT).
start() {
	"$CERTIFY" worker --plans "$T/plans" --lease 10 >> "$T/w$1.out" 2>&1 &
	echo $! > "$T/w.$1"
}
s=1
while [ $s -le "$NW" ]; do start $s; s=$((s + 1)); done
killed=0
restarted=0
deadline=$(( $(date +%s) + 400 ))
# The kills land at random moments spread over the run's progress (kill K once K/(KILLS+1)
# of the configurations are done, plus a random part of the next share), never after the
# last configuration: timed kills missed a run that a quiet machine finished early.
share=$(( total / (KILLS + 1) ))
next_kill=$(( share + $(rnd $(( share / 2 + 1 ))) ))
while [ "$(q "select count(*) from runs where id > $base and status = 'complete'")" != "$RUNS" ]; do
	now=$(date +%s)
	[ "$now" -lt "$deadline" ] || break
	done_n=$(q "select count(*) from queue where state = 'done'")
	if [ "$restarted" = 0 ] && [ "${done_n:-0}" -ge $((total / 3)) ]; then
		sh "$PGSERVER" restart "$PGDIR" && restarted=1
		echo "  server restarted after $done_n of $total configurations"
	fi
	if [ "$killed" -lt "$KILLS" ] && [ "${done_n:-0}" -ge "$next_kill" ]; then
		v=$(( $(rnd "$NW") + 1 ))
		kill -KILL "$(cat "$T/w.$v")" 2> /dev/null && killed=$((killed + 1))
		next_kill=$(( (killed + 1) * share + $(rnd $(( share / 2 + 1 ))) ))
	fi
	s=1	# the supervisor: a dead worker is started again
	while [ $s -le "$NW" ]; do
		kill -0 "$(cat "$T/w.$s")" 2> /dev/null || { wait "$(cat "$T/w.$s")" 2> /dev/null; start $s; }
		s=$((s + 1))
	done
	sleep 0.5
done
echo "  $killed workers killed, server restarted $restarted time(s), $(q "select sum(attempts) from queue") claims for $total configurations"
n=$(q "select count(*) from runs where id > $base and status = 'complete'")
[ "$n" = "$RUNS" ] && ok soak-runs-complete || bad soak-runs-complete "$n of $RUNS complete: $(q "select state, count(*) from queue group by state")"
[ "$killed" = "$KILLS" ] && ok soak-kills || bad soak-kills "$killed of $KILLS kills"
[ "$restarted" = 1 ] && ok soak-restart || bad soak-restart "the server was not restarted"

# Every worker ends on SIGTERM within 15 s (none hangs).
alive() {	# alive PID: the process exists and has not exited (a zombie has)
	[ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}
WPIDS=$(cat "$T"/w.*)
kill -TERM $WPIDS 2> /dev/null
i=0
while [ $i -lt 150 ]; do
	n=0
	for p in $WPIDS; do alive "$p" && n=$((n + 1)); done
	[ "$n" = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
hung=0
for p in $WPIDS; do
	alive "$p" || continue
	hung=$((hung + 1))
	echo "  worker $p: $(cat /proc/$p/wchan 2> /dev/null); $(ls /proc/$p/task | wc -l) threads"
	for f in "$T"/w.*; do [ "$(cat "$f")" = "$p" ] && tail -5 "$T/w${f##*.}.out"; done
done
[ "$hung" = 0 ] && ok soak-workers-end || bad soak-workers-end "$hung workers still running 15 s after SIGTERM"
kill -KILL $WPIDS 2> /dev/null
WPIDS=

v=$(q "select count(*) || ' ' || count(distinct (run_id, idx)) from configs where run_id > $base")
[ "$v" = "$total $total" ] && ok soak-stored-once || bad soak-stored-once "stored, distinct: $v of $total"
v=$(q "select count(*) from queue where state != 'done'")
[ "$v" = 0 ] && ok soak-queue-done || bad soak-queue-done "$v rows not done"
want=$(q "select verdict from runs where id = $base")
v=$(q "select count(*) from runs where id > $base and verdict = '$want'")
[ "$want" = pass ] && [ "$v" = "$RUNS" ] && ok soak-verdicts || bad soak-verdicts "$v of $RUNS runs '$want': $(q "select run_id, idx, verdict, reason from configs where run_id > $base and verdict != 'pass'")"
b=$(q "select string_agg(idx || ' ' || verdict || ' ' || cmdline, ';' order by idx) from configs where run_id = $base")
v=$(q "select count(*) from (select run_id, string_agg(idx || ' ' || verdict || ' ' || cmdline, ';' order by idx) s from configs where run_id > $base group by run_id) x where s = '$(echo "$b" | sed "s/'/''/g")'")
[ -n "$b" ] && [ "$v" = "$RUNS" ] && ok soak-as-single-run || bad soak-as-single-run "$v of $RUNS runs as the single run"
r=$(store_integrity)
[ "$r" = ok ] && ok soak-integrity || bad soak-integrity "$r"
if pgrep -f "qemu-system.*$T" > /dev/null; then sleep 3; fi
if pgrep -f "qemu-system.*$T" > /dev/null; then bad soak-no-qemu "$(pgrep -af "qemu-system.*$T" | head -2)"
else ok soak-no-qemu; fi
exit $failed
