#!/bin/sh
# certify rerun RUN --failed (docs/certify.md, "certify rerun"): only the configurations that
# failed or erred run again, the others stay on the record as not run with the reason; the
# new run's request names the run it completes and what it reran, and the JSON (schema),
# JUnit and HTML reports and certify show say so. A run with nothing failed, and a host whose
# module is not the run's, are refused with one line and nothing is stored. The self-test
# plan with 1 and 2 CPUs (two boots of about a second); a failure is written into the store
# (the rerun selects from the stored verdicts).
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/plans" "$T/m"
sed 's/^smp = 1$/smp = 1 2/; s/^name = selftest$/name = selftest2/' plans/selftest.plan > "$T/plans/selftest2.plan"
cp build/modules/edu.hvm "$T/m/edu.hvm"
expect "first run passes" 0 "$CERTIFY" run --plans "$T/plans" --plan selftest2 --device edu --module "$T/m/edu.hvm" --seed 3
q "UPDATE configs SET verdict = 'error', reason = 'written by the test' WHERE name = 'pc-none-smp2-tcg'; UPDATE runs SET verdict = 'error'"
expect "rerun without --failed" 2 "$CERTIFY" rerun 1 --plans "$T/plans"
expect "rerun --failed" 0 "$CERTIFY" rerun 1 --failed --plans "$T/plans"
has "rerun: says which run it completes" "$T/out" "^completes: run 1 \(1 configuration that failed or erred there\)$"
has "rerun: the other configuration not run" "$T/out" "^NOTRUN pc-none-smp1-tcg: not rerun: it neither failed nor erred in run 1$"
has "rerun: the erred one run again" "$T/out" "^PASS   pc-none-smp2-tcg "
[ "$(q "SELECT name || ':' || verdict FROM configs WHERE run_id = 2 ORDER BY idx" | tr '\n' ' ')" = "pc-none-smp1-tcg:notrun pc-none-smp2-tcg:pass " ] &&
	ok "rerun: stored verdicts" || bad "rerun: stored verdicts" "$(q 'SELECT name, verdict FROM configs WHERE run_id = 2')"
expect "show" 0 "$CERTIFY" show 2
has "show: completes" "$T/out" "^completes: run 1 \(reran pc-none-smp2-tcg\)$"
expect "report json" 0 "$CERTIFY" report 2 --format json -o "$T/r.json"
expect "json: request.completes names run 1 and what it reran" 0 python3 -c "import json, sys
sys.exit(json.load(open(sys.argv[1]))['request'].get('completes') != {'run': 1, 'configurations': ['pc-none-smp2-tcg']})" "$T/r.json"
expect "json: valid against reports/run.schema.json" 0 python3 "$(dirname "$0")/validate-report.py" reports/run.schema.json "$T/r.json"
expect "report junit" 0 "$CERTIFY" report 2 --format junit -o "$T/r.xml"
has "junit: completes_run" "$T/r.xml" '<property name="completes_run" value="1"/>'
has "junit: completes_reran" "$T/r.xml" '<property name="completes_reran" value="pc-none-smp2-tcg"/>'
expect "report html" 0 "$CERTIFY" report 2 --format html -o "$T/r.html"
has "html: completes" "$T/r.html" '<p id="completes">Completes run 1: reran the configurations that failed or erred there \(pc-none-smp2-tcg\)'
expect "rerun of a run with nothing failed" 2 "$CERTIFY" rerun 2 --failed --plans "$T/plans"
has "rerun: says nothing failed" "$T/err" "^certify: rerun: run 2: no configuration failed or erred: nothing to rerun$"
# The module file the run named is now another build: the rerun would not complete that run.
cp build/modules/defect/vf-double-free/edu.hvm "$T/m/edu.hvm"
expect "rerun with another module build" 2 "$CERTIFY" rerun 1 --failed --plans "$T/plans"
has "rerun: names the module" "$T/err" "^certify: rerun: this host differs from run 1: module edu sha256 [0-9a-f]{16} is none of the run's$"
[ "$(q 'SELECT count(*) FROM runs')" = 2 ] && ok "refused reruns: nothing stored" ||
	bad "refused reruns: nothing stored" "$(q 'SELECT id, status FROM runs')"
[ "$failed" = 0 ]
