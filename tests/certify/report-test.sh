#!/bin/sh
# Run reports: JUnit XML valid against reports/junit.xsd, JSON well formed, and the HTML
# page rendered by headless Chromium shows the verdict and one row per test.
. "$(dirname "$0")/lib.sh"
plans
sed 's/^params = .*/params = boot.probe=41/; s/^name = .*/name = selffail/' plans/selftest.plan \
	> "$T/plans/selffail.plan"

expect report-pass-run 0 "$CERTIFY" run --plan selftest --device edu --json \
	--junit "$T/pass.xml" --html "$T/pass.html"
cp "$T/out" "$T/pass.json"
expect report-fail-run 1 "$CERTIFY" run --plans "$T/plans" --plan selffail --device edu
expect report-junit 0 "$CERTIFY" report 2 --format junit -o "$T/fail.xml"
expect report-html 0 "$CERTIFY" report 2 --format html -o "$T/fail.html"
expect report-json 0 "$CERTIFY" report last --format json -o "$T/fail.json"

# More real reports for the schema: a partial-coverage unofficial pass, a required host check
# that never ran (an error), a storage run whose host check read every block back.
sed 's/^name = .*/name = selfcov/; s/^irq = .*/irq = msix intx/; s/^accel = .*/accel = tcg kvm/' \
	plans/selftest.plan > "$T/plans/selfcov.plan"
expect report-partial-run 0 "$CERTIFY" run --plans "$T/plans" --plan selfcov --device edu \
	--accel tcg --json
cp "$T/out" "$T/partial.json"
sed 's/^name = .*/name = selfcheck/; s/^params = .*/params = boot.probe=42 blk.host_verify=1/' \
	plans/selftest.plan > "$T/plans/selfcheck.plan"
expect report-notrun-check 2 "$CERTIFY" run --plans "$T/plans" --plan selfcheck --device edu --json
cp "$T/out" "$T/notrun.json"
has report-notrun-check-why "$T/err" "^ERROR +pc-none-smp1-tcg .*host check image.verify did not run: the kernel never reached sync point blkverify"
expect report-storage-run 0 "$CERTIFY" run --plans tests/certify/plans --plan storage-quick \
	--device nvme --accel tcg --json
cp "$T/out" "$T/storage.json"
n=$(jq '[.configurations[].hostchecks[] | select(.name == "image.verify" and .ran and .ok)] | length' \
	"$T/storage.json")
[ "$n" = 1 ] && ok report-storage-hostcheck || bad report-storage-hostcheck "$n image.verify ok"

# A verifier violation in the reports (the edu double-free defect build): the JSON names
# its kind, module and symbolized call site, JUnit has a failed verifier test case, the HTML
# a row in the violations table.
vfmod=${MODULES_DIR:-build/modules}/defect/vf-double-free/edu.hvm
expect report-violation-run 1 "$CERTIFY" run --plans tests/certify/plans --plan edu-quick \
	--device edu --module "$vfmod" --accel tcg --json --junit "$T/viol.xml" --html "$T/viol.html"
cp "$T/out" "$T/viol.json"
jq -e '[.configurations[].violations[]] | length == 1 and .[0].kind == "double_free" and
	.[0].module == "edu" and (.[0].location | startswith("edu_probe at ")) and
	(.[0].offset | test("^0x[0-9a-f]+$"))' "$T/viol.json" > /dev/null &&
	ok report-violation-json || bad report-violation-json "$(jq -c '[.configurations[].violations[]]' "$T/viol.json" | head -c 400)"
has report-violation-junit "$T/viol.xml" '<testcase classname="verifier" name="double_free"'
has report-violation-html "$T/viol.html" '<tr class="violation"><td>[^<]*</td><td class="fail">double_free</td><td>edu</td><td>edu_probe at '
if xmllint --noout --schema reports/junit.xsd "$T/viol.xml" > "$T/xl" 2>&1; then
	ok junit-valid-violation; else bad junit-valid-violation "$(head -c 400 "$T/xl")"; fi

# The JSON Schema of the report (reports/run.schema.json) holds for every real report, and
# refuses a report with a required field missing, a certified run that is not official, and
# a passing configuration with no test.
PY3=/usr/bin/python3
V=tests/certify/validate-report.py
S=reports/run.schema.json
if "$PY3" "$V" "$S" "$T/pass.json" "$T/fail.json" "$T/partial.json" "$T/notrun.json" \
	"$T/storage.json" "$T/viol.json" > "$T/schema.out" 2>&1; then
	ok schema-valid-reports
else
	bad schema-valid-reports "$(head -c 600 "$T/schema.out")"
fi
jq 'del(.binding.kernel_sha256)' "$T/pass.json" > "$T/nokernel.json"
jq '.binding.official = false | .binding.unofficial_reason = "x"' "$T/pass.json" > "$T/uncert.json"
jq '.configurations[0].tests = []' "$T/pass.json" > "$T/notests.json"
jq '.configurations[0].violations = [.configurations[0].violations[0] // {"kind": "leak",
	"module": "edu", "site": "0x1", "offset": "0x1", "location": "", "address": "0x0",
	"size": 0, "device": "-", "test": "-", "message": "x"}]' "$T/pass.json" > "$T/passviol.json"
for f in nokernel uncert notests passviol; do
	"$PY3" "$V" "$S" "$T/$f.json" > "$T/schema.out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q "$f.json invalid" "$T/schema.out"; then ok "schema-refuses-$f"
	else bad "schema-refuses-$f" "exit $rc: $(head -c 300 "$T/schema.out")"; fi
done
"$PY3" "$V" "$S" "$T/nokernel.json" > "$T/schema.out" 2>&1
has schema-says-which-field "$T/schema.out" "nokernel.json invalid: binding: 'kernel_sha256' is a required property"
jq -e '.summary.coverage == "partial" and .binding.official == false and .run.certified == false' \
	"$T/partial.json" > /dev/null && ok report-partial-unofficial || \
	bad report-partial-unofficial "$(jq -c '.summary, .binding' "$T/partial.json" | head -c 300)"

for f in pass fail; do
	if xmllint --noout --schema reports/junit.xsd "$T/$f.xml" > "$T/xl" 2>&1; then
		ok "junit-valid-$f"; else bad "junit-valid-$f" "$(head -c 400 "$T/xl")"; fi
	v=$(sqlite3 :memory: "select json_valid(readfile('$T/$f.json'))")
	[ "$v" = 1 ] && ok "json-valid-$f" || bad "json-valid-$f" "json_valid gave '$v'"
done
has junit-failure "$T/fail.xml" '<failure message="boot.cmdline: fail'
has json-verdict "$T/fail.json" '"verdict": ?"fail"'
has json-certified "$T/pass.json" '"certified": ?true'
if grep -Ei '(src|href)=|<script|<link|url\(' "$T/pass.html" > /dev/null; then
	bad html-self-contained "external references in the page"; else ok html-self-contained; fi

# Headless Chromium: what a reader sees.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	bad html-render "chromium is not installed (scripts/deps.sh installs it)"
	exit $failed
fi
render() {	# render FILE MODE-ARGS...
	page=$1
	shift
	timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" "file://$page" 2> "$T/chrome.err"
}
for f in pass fail; do
	render "$T/$f.html" --dump-dom > "$T/$f.dom"
	rows=$(grep -o '<tr class="test">' "$T/$f.dom" | wc -l)
	want=$(q "select count(*) from results where run_id = $([ $f = pass ] && echo 1 || echo 2)")
	if [ "$rows" = "$want" ] && [ "$rows" -gt 0 ]; then ok "html-rows-$f"; else
		bad "html-rows-$f" "$rows rows shown, $want results stored"; fi
done
has html-verdict-pass "$T/pass.dom" '<p id="verdict" class="pass">PASS \(certified\)</p>'
has html-verdict-fail "$T/fail.dom" '<p id="verdict" class="fail">FAIL</p>'
has html-chart "$T/pass.dom" '<svg class="chart"'
render "$T/pass.html" --screenshot="$T/pass.png" --window-size=1200,1600 > /dev/null
if [ -s "$T/pass.png" ] && [ "$(head -c 4 "$T/pass.png" | od -An -c | tr -d ' ')" = '211PNG' ]; then
	ok html-screenshot; else bad html-screenshot "no PNG written: $(tail -c 300 "$T/chrome.err")"; fi
exit $failed
