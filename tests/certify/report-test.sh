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
	want=$(sqlite3 "$HVKIT_DB" "select count(*) from results where run_id = $([ $f = pass ] && echo 1 || echo 2)")
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
