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
	caught=$(jq -r '.configurations[].tests[] | select(.status == "fail" or .status == "error") |
		"\(.suite).\(.name)"' "$work/$name.json" 2>/dev/null | sort -u | tr '\n' ' ')
	if [ "$rc" -ne 1 ]; then
		bad "defect $name" "certify exit $rc, expected 1 (fail): $(tail -n 1 "$work/$name.err")"
	elif ! echo " $caught" | grep -q " $catcher "; then
		bad "defect $name" "failed [$caught] but not $catcher"
	else
		ok "defect $name fails certification on $catcher"
	fi
}

expect_fail drop-rx          e1000 nic-quick     nic.integrity
expect_fail corrupt-rx       e1000 nic-quick     nic.integrity
expect_fail ignore-linkdown  e1000 nic-quick     nic.linkflap
expect_fail leak-page        e1000 nic-quick     nic.attach
expect_fail lose-completion  nvme  storage-quick blk.verify
expect_fail swallow-eio      nvme  storage-quick blk.errors
expect_fail bad-capacity     nvme  storage-quick blk.identify

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
