#!/bin/sh
# certify must catch bad drivers: each deliberately defective build of an inbox driver
# (build/modules/defect/, made by mk/modules.mk) fails certification, the test that should
# catch its defect is among the failed ones and says what went wrong; the good driver of
# every (device, plan) the tables name passes that plan, and e1000 and nvme pass GOOD_RUNS
# runs. Quick one-configuration plans (tests/certify/plans/) keep each run short, and all of
# these certifications share one pool of DEFECT_JOBS (default: the CPUs, nproc) running at once.
set -u
. "$(dirname "$0")/lib.sh"
plans=$(dirname "$0")/plans
mods=${MODULES_DIR:-build/modules}
runs=${GOOD_RUNS:-10}
jobs=${DEFECT_JOBS:-$(nproc)}
work=$T

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# defect  device  plan  the test that must fail
expect_fail() {
	name=$1 model=$2 plan=$3 catcher=$4
	mod=$(ls "$mods/defect/$name/"*.hvm 2>/dev/null | head -n 1)
	if [ -z "$mod" ]; then
		bad "defect $name" "no module built in $mods/defect/$name"
		return
	fi
	t0=$(now)
	"$CERTIFY" run --plans "$plans" --plan "$plan" --device "$model" --module "$mod" \
		--accel tcg --db "$work/db" --json > "$work/$name.json" 2> "$work/$name.err"
	rc=$?
	# The catcher is a kernel test (SUITE.NAME) or a host check (AREA.WHAT) that disagreed;
	# its message is the symptom the line below quotes.
	caught=$(jq -r '(.configurations[].tests[] | select(.status == "fail" or .status == "error") |
		"\(.suite).\(.name)"), (.configurations[].hostchecks[] | select(.ran and (.ok | not)) |
		.name)' "$work/$name.json" 2>/dev/null | sort -u | tr '\n' ' ')
	msg=$(jq -r --arg c "$catcher" '([.configurations[].tests[] |
		select("\(.suite).\(.name)" == $c and .status == "fail") | .message] +
		[.configurations[].hostchecks[] | select(.name == $c and .ran and (.ok | not)) |
		.message])[0] // ""' "$work/$name.json" 2>/dev/null)
	# CATCHER `contained`: the kernel abandoned the driver's probe (kern/contain.c) and the
	# verdict's reason says so (certify/judge.c), naming the driver and where it was stuck.
	contained=$(jq -r '.configurations[] | select(.verdict == "fail") | .reason' \
		"$work/$name.json" 2>/dev/null | grep -E '^driver [^ ]+ \(module [^)]+\) contained at .*: (probe|remove) (timeout|fault) \(.*\) at [A-Za-z_]' | head -n 1)
	if [ "$rc" -ne 1 ]; then
		bad "defect $name" "certify exit $rc, expected 1 (fail): $(tail -n 1 "$work/$name.err")"
	elif [ "$catcher" = contained ]; then
		if [ -n "$contained" ]; then
			ok "defect $name fails certification ($(took "$t0") s): $contained"
		else
			bad "defect $name" "failed, but no configuration's reason says the driver was contained: $(jq -r '[.configurations[].reason] | join("; ")' "$work/$name.json" 2>/dev/null)"
		fi
	elif ! echo " $caught" | grep -q " $catcher "; then
		bad "defect $name" "failed [$caught] but not $catcher"
	elif [ -z "$msg" ]; then
		bad "defect $name" "$catcher failed without a message saying why"
	else
		ok "defect $name fails certification on $catcher ($(took "$t0") s): $msg"
	fi
}

# device plan [run]: the good driver passes the plan a defect row runs it on, so the
# catcher tells the defect from the driver.
expect_pass() {
	model=$1 plan=$2 run=${3:-}
	t0=$(now)
	if "$CERTIFY" run --plans "$plans" --plan "$plan" --device "$model" --accel tcg \
		--db "$work/db" > "$work/good.out" 2>&1; then
		ok "good $model passes $plan${run:+ (run $run)} ($(took "$t0") s)"
	else
		bad "good $model on $plan${run:+ (run $run)}" \
			"$(grep -E '^(FAIL|ERROR|N/A)' "$work/good.out" | head -n 2)"
	fi
}

# One job of the concurrent part (below): `defect NAME DEVICE PLAN CATCHER` or
# `good DEVICE PLAN [RUN]`, in its own temp dir and store.
if [ "${1:-}" = --one ]; then
	shift
	kind=$1
	shift
	if [ "$kind" = defect ]; then expect_fail "$@"; else expect_pass "$@"; fi
	exit "$failed"
fi

# Every defect in the tables (tests/certify/defects/README); a table whose rows name no
# plan (built for another test) is skipped here, and a table that lists nothing to run
# fails: an empty corpus proves nothing.
: > "$work/jobs"
for tab in "$(dirname "$0")"/defects/*.tab; do
	while read -r name drv flag model plan catcher; do
		case $name in ''|\#*) continue ;; esac
		if [ -z "$catcher" ]; then
			bad "defect $name" "$tab: expected NAME DRIVER FLAG DEVICE PLAN CATCHER"
			continue
		fi
		[ "$plan" = - ] && continue
		echo "defect $name $model $plan $catcher" >> "$work/jobs"
	done < "$tab"
done
ndefects=$(grep -c '^defect ' "$work/jobs")
[ "$ndefects" -gt 0 ] || bad "defect corpus" "no defect in tests/certify/defects/*.tab names a plan"
awk '$1 == "defect" { print "good", $3, $4 }' "$work/jobs" | sort -u |
	grep -v -e '^good e1000 nic-quick$' -e '^good nvme storage-quick$' > "$work/good-jobs"
# e1000 and nvme: GOOD_RUNS passes each, in the same pool.
i=1
while [ "$i" -le "$runs" ]; do
	echo "good e1000 nic-quick $i" >> "$work/good-jobs"
	echo "good nvme storage-quick $i" >> "$work/good-jobs"
	i=$((i + 1))
done
cat "$work/good-jobs" >> "$work/jobs"
t0=$(now)
xargs -P "$jobs" -L 1 sh "$0" --one < "$work/jobs" > "$work/results" 2>&1
xrc=$?
cat "$work/results"
if grep -q '^FAIL ' "$work/results"; then
	failed=1
elif [ "$xrc" -ne 0 ]; then
	bad "defect corpus" "xargs exit $xrc, but no certification reported a failure"
fi
done_lines=$(grep -cE '^(PASS|FAIL) (defect|good) ' "$work/results")
if [ "$done_lines" -ne "$(wc -l < "$work/jobs")" ]; then
	bad "defect corpus" "$(wc -l < "$work/jobs") certifications started, $done_lines reported"
fi
echo "  defect corpus: $ndefects defects and $(wc -l < "$work/good-jobs") good runs in $(took "$t0") s, $jobs at once"

# storage-quick-intx is storage-quick with INTx: nothing else may differ.
strip() { grep -v -e '^#' -e '^name =' -e '^description =' -e '^irq =' "$1"; }
strip "$plans/storage-quick.plan" > "$work/sq"
strip "$plans/storage-quick-intx.plan" > "$work/sqi"
if cmp -s "$work/sq" "$work/sqi"; then
	ok "storage-quick-intx is storage-quick with INTx"
else
	bad "storage-quick-intx" "differs from storage-quick beyond name, description and irq: $(diff "$work/sq" "$work/sqi" | head -n 4 | tr '\n' ' ')"
fi
exit "$failed"
