#!/bin/sh
# The job queue on a private PostgreSQL server (CERTIFY_BACKEND=sqlite, sqlite-queue-test.sh:
# on a SQLite file, workers on one host; test names "sq:"): three workers share two submitted
# runs and give them the verdicts and kernel command lines a single `certify run` gives; a
# worker SIGKILLed mid-configuration has its job re-run by another after the lease, stored
# once; (PostgreSQL) a connection the server drops just before or just after a store's COMMIT
# stores the configuration exactly once; cancel. Bounded: every wait has a deadline, every
# worker is killed at exit, no QEMU is left.
CERTIFY_BACKEND=${CERTIFY_BACKEND:-pg}
. "$(dirname "$0")/lib.sh"
[ -n "$PGDIR" ] || tag=sq:
plans
WPIDS=
trap 'kill $WPIDS 2> /dev/null; sh "$PGSERVER" stop "$PGDIR"; rm -rf "$T"' EXIT
sed 's/^name = .*/name = selfjobs/; s/^machines = .*/machines = pc q35/; s/^smp = .*/smp = 1 2/' \
	plans/selftest.plan > "$T/plans/selfjobs.plan"

# until_sql SECONDS SQL WANT: polls SQL until it prints WANT; 0 when it did, 1 past the deadline.
until_sql() {
	end=$(( $(date +%s) + $1 ))
	while [ "$(q "$2")" != "$3" ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

qemu_left() {	# QEMU processes whose command line names $T, after up to 3 s
	i=0
	while pgrep -f "qemu-system.*$T" > /dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	pgrep -f "qemu-system.*$T" > /dev/null
}

# The baseline: the same plans and seeds by `certify run`, into the same store.
expect baseline-jobs 0 "$CERTIFY" run --plans "$T/plans" --plan selfjobs --device edu --seed 11
expect baseline-self 0 "$CERTIFY" run --plans "$T/plans" --plan selftest --device edu --seed 12
base_a=$(q "select max(id) from runs where plan = 'selfjobs'")
base_b=$(q "select max(id) from runs where plan = 'selftest'")

# Three idle workers (woken by the submits' NOTIFY; on SQLite polling), then two submitted runs.
for i in 1 2 3; do
	"$CERTIFY" worker --plans "$T/plans" --lease 10 > "$T/w$i.out" 2>&1 &
	WPIDS="$WPIDS $!"
done
until_sql 30 "select count(*) from workers where state != 'stopped'" 3 && ok workers-registered ||
	bad workers-registered "$(q "select count(*) from workers")"
expect submit-jobs 0 "$CERTIFY" submit --plans "$T/plans" --plan selfjobs --device edu --seed 11
has submit-jobs-queued "$T/out" "^run: +[0-9]+, 4 configurations queued$"
run_a=$(sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$T/out")
expect submit-self 0 "$CERTIFY" submit --plans "$T/plans" --plan selftest --device edu --seed 12
run_b=$(sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$T/out")
expect status-busy 0 "$CERTIFY" status
has status-workers "$T/out" "^[0-9]+ +[^ ]+ +[0-9]+ +1/1 "
has status-runs "$T/out" "^$run_a +selfjobs +(running|complete) "
until_sql 120 "select count(*) from runs where id in ($run_a, $run_b) and status = 'complete'" 2 &&
	ok queue-runs-complete || bad queue-runs-complete "$(q "select id, status from runs")"
for pair in "$run_a $base_a" "$run_b $base_b"; do
	set -- $pair
	v=$(q "select verdict from runs where id = $1")
	w=$(q "select verdict from runs where id = $2")
	[ "$v" = pass ] && [ "$v" = "$w" ] && ok "queue-verdict-$1" || bad "queue-verdict-$1" "queued $v, run $w"
	a=$(q "select idx || ' ' || verdict || ' ' || cmdline from configs where run_id = $1 order by idx")
	b=$(q "select idx || ' ' || verdict || ' ' || cmdline from configs where run_id = $2 order by idx")
	[ -n "$a" ] && [ "$a" = "$b" ] && ok "queue-configs-as-run-$1" || bad "queue-configs-as-run-$1" "'$a' vs '$b'"
done
n=$(q "select count(*) || ' ' || count(distinct run_id || ':' || idx) || ' ' || sum(attempts) from queue where run_id in ($run_a, $run_b) and state = 'done'")
[ "$n" = "5 5 5" ] && ok queue-each-once || bad queue-each-once "rows, distinct, claims: $n"
n=$(q "select count(*) from configs where run_id in ($run_a, $run_b)")
[ "$n" = 5 ] && ok queue-stored-once || bad queue-stored-once "$n configurations stored, 5 queued"
n=$(q "select count(distinct worker_id) from queue where run_id in ($run_a, $run_b)")
[ "$n" -ge 2 ] && ok queue-shared || bad queue-shared "$n worker(s) ran the five configurations"
kill -TERM $WPIDS
for p in $WPIDS; do wait "$p"; rc=$?; [ "$rc" = 143 ] || bad worker-term "worker $p exit $rc"; done
WPIDS=
until_sql 10 "select count(*) from workers where state != 'stopped'" 0 && ok workers-stopped ||
	bad workers-stopped "$(q "select id, state from workers")"

# A worker SIGKILLed mid-configuration: after its lease (3 s) another claims the job, runs
# it and stores it, once. The configuration hangs until its 4 s timeout (a fail), so the
# kill lands while its QEMU runs.
sed 's/^name = .*/name = selfhang/; s/^tests = .*/tests = harness.hang/; s/^timeout = .*/timeout = 4/; s/^params = .*//' \
	plans/selftest.plan > "$T/plans/selfhang.plan"
expect submit-slow 0 "$CERTIFY" submit --plans "$T/plans" --plan selfhang --device edu --seed 13
run_c=$(sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$T/out")
"$CERTIFY" worker --plans "$T/plans" --lease 3 > "$T/wk.out" 2>&1 &
victim=$!
WPIDS=$victim
until_sql 30 "select state from queue where run_id = $run_c" claimed && ok kill-claimed ||
	bad kill-claimed "never claimed"
i=0	# its QEMU is up
while ! pgrep -f "qemu-system.*$T" > /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$victim"
wait "$victim" 2> /dev/null
WPIDS=
if qemu_left; then bad kill-worker-no-qemu "$(pgrep -af "qemu-system.*$T" | head -2)"; else ok kill-worker-no-qemu; fi
n=$(q "select count(*) from configs where run_id = $run_c")
[ "$n" = 0 ] && ok kill-nothing-stored || bad kill-nothing-stored "$n configurations of a killed job"
expect kill-rerun 0 timeout 120 "$CERTIFY" worker --plans "$T/plans" --lease 3 --drain
has kill-rerun-attempt "$T/out" "run $run_c pc-none-smp1-tcg \(attempt 2\)"
has kill-rerun-stored "$T/out" "run $run_c pc-none-smp1-tcg: fail, stored; run complete"
v=$(q "select r.status || ' ' || r.verdict || ' ' || (select count(*) from configs c where c.run_id = r.id) || ' ' || q.attempts from runs r join queue q on q.run_id = r.id where r.id = $run_c")
[ "$v" = "complete fail 1 2" ] && ok kill-rerun-once || bad kill-rerun-once "status verdict stored attempts: $v"

# A store whose connection the server ends just before COMMIT (the transaction is lost: the
# retry stores it) or just after (kept: the retry finds it done and stores nothing more).
drops="before-commit after-commit"
[ -n "$PGDIR" ] || drops=	# a SQLite file has no connection to drop
for when in $drops; do
	expect "drop-$when-submit" 0 "$CERTIFY" submit --plans "$T/plans" --plan selfjobs --device edu --seed 14
	run_d=$(sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$T/out")
	before=$(grep -c "terminating connection due to administrator command" "$PGDIR/server.log")
	expect "drop-$when-worker" 0 timeout 120 env HVKIT_TEST_DROP=$when "$CERTIFY" worker --plans "$T/plans" --lease 10 --drain
	after=$(grep -c "terminating connection due to administrator command" "$PGDIR/server.log")
	[ "$after" = $((before + 1)) ] && ok "drop-$when-happened" || bad "drop-$when-happened" "$before -> $after terminations in the server log"
	n=$(grep -c ': pass, stored' "$T/out")
	[ "$n" = 4 ] && ok "drop-$when-all-stored" || bad "drop-$when-all-stored" "$n of 4 said stored: $(head -c 400 "$T/out")"
	v=$(q "select r.status || ' ' || r.verdict || ' ' || (select count(*) from configs c where c.run_id = r.id) from runs r where r.id = $run_d")
	[ "$v" = "complete pass 4" ] && ok "drop-$when-once" || bad "drop-$when-once" "status verdict stored: $v"
done

# Cancel: a run nobody claimed ends at once with verdict error; a run id that is not queued
# is refused.
expect cancel-submit 0 "$CERTIFY" submit --plans "$T/plans" --plan selfjobs --device edu --seed 15
run_e=$(sed -n 's/^run: *\([0-9]*\),.*/\1/p' "$T/out")
expect cancel 0 "$CERTIFY" cancel "$run_e"
has cancel-msg "$T/out" "^run $run_e: 4 queued configurations cancelled$"
v=$(q "select status || ' ' || verdict from runs where id = $run_e")
[ "$v" = "complete error" ] && ok cancel-finished || bad cancel-finished "$v"
expect cancel-again 2 "$CERTIFY" cancel "$run_e"
has cancel-again-msg "$T/err" "^certify: run $run_e: already complete$"
expect cancel-unknown 2 "$CERTIFY" cancel 9999
if [ -n "$PGDIR" ]; then where=postgresql:; else where=$HVKIT_DB; fi
has cancel-unknown-msg "$T/err" "^certify: run 9999: no such queued run in $where"
expect status-final 0 "$CERTIFY" status
stored=6	# 4 + 1 shared, 1 after the kill, and (PostgreSQL) 4 each after the two drops
[ -z "$PGDIR" ] || stored=14
has status-counts "$T/out" "^queue: 0 queued, 0 running, $stored stored, 4 cancelled$"
has status-cancelled-run "$T/out" "^$run_e +selfjobs +complete +error +0/4 stored, 0 running, 0 queued, 4 cancelled$"
r=$(store_integrity)
[ "$r" = ok ] && ok queue-integrity || bad queue-integrity "$r"
if qemu_left; then bad queue-no-qemu "QEMU left"; else ok queue-no-qemu; fi
exit $failed
