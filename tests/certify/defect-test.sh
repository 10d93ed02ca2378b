#!/bin/sh
# certify must catch bad drivers: each deliberately defective build of an inbox driver
# (build/modules/defect/, made by mk/modules.mk) fails certification, and the test that
# should catch its defect is among the failed ones; the good drivers pass GOOD_RUNS runs in
# a row. Quick one-configuration plans (tests/certify/plans/) keep it to a few minutes.
set -u
. "$(dirname "$0")/lib.sh"
plans=$(dirname "$0")/plans
mods=${MODULES_DIR:-build/modules}
runs=${GOOD_RUNS:-10}
work=$T

# defect  device  plan  the test that must fail
expect_fail() {
	name=$1 model=$2 plan=$3 catcher=$4
	mod=$(ls "$mods/defect/$name/"*.hvm 2>/dev/null | head -n 1)
	if [ -z "$mod" ]; then
		bad "defect $name" "no module built in $mods/defect/$name"
		return
	fi
	"$CERTIFY" run --plans "$plans" --plan "$plan" --device "$model" --module "$mod" \
		--accel tcg --db "$work/db" --json > "$work/$name.json" 2> "$work/$name.err"
	rc=$?
	# The catcher is a kernel test (SUITE.NAME), a host check (AREA.WHAT) that disagreed or a
	# verifier violation (verifier.KIND).
	caught=$(jq -r '(.configurations[].tests[] | select(.status == "fail" or .status == "error") |
		"\(.suite).\(.name)"), (.configurations[].hostchecks[] | select(.ran and (.ok | not)) |
		.name), (.configurations[].violations[]? | "verifier.\(.kind)")' "$work/$name.json" \
		2>/dev/null | sort -u | tr '\n' ' ')
	if [ "$rc" -ne 1 ]; then
		bad "defect $name" "certify exit $rc, expected 1 (fail): $(tail -n 1 "$work/$name.err")"
	elif ! echo " $caught" | grep -q " $catcher "; then
		bad "defect $name" "failed [$caught] but not $catcher"
	else
		ok "defect $name fails certification on $catcher"
	fi
}

# A verifier defect is invisible to the functional suites: the same build passes
# certification without the verifier (certify run --no-verifier), so the verifier is what
# caught it.
expect_pass_unverified() {
	name=$1 model=$2 plan=$3
	mod=$(ls "$mods/defect/$name/"*.hvm 2>/dev/null | head -n 1)
	[ -n "$mod" ] || return	# expect_fail reported it
	"$CERTIFY" run --no-verifier --plans "$plans" --plan "$plan" --device "$model" --module "$mod" \
		--accel tcg --db "$work/db" --json > "$work/$name.nv.json" 2> "$work/$name.nv.err"
	rc=$?
	nviol=$(jq '[.configurations[].violations[]] | length' "$work/$name.nv.json" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		bad "defect $name without the verifier" "certify exit $rc, expected 0 (the functional suites pass): $(tail -n 1 "$work/$name.nv.err")"
	elif ! grep -q 'verifier=1' "$work/$name.json" || grep -q 'verifier=1' "$work/$name.nv.json" || [ "$nviol" != 0 ]; then
		bad "defect $name without the verifier" "the two runs did not differ in verifier=1 alone ($nviol violations without it)"
	else
		ok "defect $name passes the functional suites without the verifier"
	fi
}

# Every defect in the tables (tests/certify/defects/README); a table whose rows name no
# plan (built for another test) is skipped here, and a table that lists nothing to run
# fails: an empty corpus proves nothing.
ran=0
for tab in "$(dirname "$0")"/defects/*.tab; do
	while read -r name drv flag model plan catcher; do
		case $name in ''|\#*) continue ;; esac
		if [ -z "$catcher" ]; then
			bad "defect $name" "$tab: expected NAME DRIVER FLAG DEVICE PLAN CATCHER"
			continue
		fi
		[ "$plan" = - ] && continue
		expect_fail "$name" "$model" "$plan" "$catcher"
		case $catcher in verifier.*) expect_pass_unverified "$name" "$model" "$plan" ;; esac
		ran=$((ran + 1))
	done < "$tab"
done
[ "$ran" -gt 0 ] || bad "defect corpus" "no defect in tests/certify/defects/*.tab names a plan"

# The good drivers: runs passes in a row each.
for model in e1000 nvme; do
	plan=nic-quick
	[ "$model" = nvme ] && plan=storage-quick
	good=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		if "$CERTIFY" run --plans "$plans" --plan "$plan" --device "$model" --accel tcg \
			--db "$work/db" > "$work/good.out" 2>&1; then
			good=$((good + 1))
		else
			echo "  run $i of the good $model: $(grep -E '^(FAIL|ERROR)' "$work/good.out" | head -n 2)"
		fi
		i=$((i + 1))
	done
	if [ "$good" -eq "$runs" ]; then
		ok "good $model passes $runs certification runs in a row"
	else
		bad "good $model" "passed $good of $runs runs"
	fi
done
exit "$failed"
