#!/bin/sh
# Waivers end to end (docs/certify.md, "Waivers"): a vendor packages a failed run, the
# maintainer verifies and imports it, replays it, waives the failed test with a signed waiver,
# and the run passes in show, in the JSON (schema), JUnit (xsd) and HTML reports and in the
# exported list, which names the waiver; the list is signed and published. Bad waivers
# (malformed date, expired at creation, unknown test, bad pattern, a vendor's key, a key in
# no keyring, a changed byte, an unknown field, an expired one) are refused with one line and
# nothing is stored (SQLite; the waiver, its refusal twice, its effect and revocation on
# PostgreSQL too); a waiver for another configuration or release, an expired one (the
# clock moved with HVKIT_TODAY) and a revoked one waive nothing; a hang is never waived.
# The failed run is the self-test plan (one boot of about a second) on edu, its store doctored
# before packaging: the device row made an e1000 NIC (`hcl export` lists only NICs and
# storage) and boot.heap failed (a real failing NIC run costs minutes of QEMU).
. "$(dirname "$0")/lib.sh"
HCL=$(dirname "$CERTIFY")/hcl
V=$T/vendor.db
M=$T/maint.db
export HVKIT_KEYRING="$T/keyring" HVKIT_MAINTAINERS="$T/maintainers"
unset HVKIT_DB
# The calendar is fixed (a waiver is live before its expiry date), so the test means the same
# whatever day it runs.
export HVKIT_TODAY=2026-12-08
"$HCL" keygen -o "$T/vendor.key" > /dev/null 2>&1 && "$HCL" keygen -o "$T/maint.key" > /dev/null 2>&1 &&
	"$HCL" keygen -o "$T/stranger.key" > /dev/null 2>&1 || { bad "keygen" "hcl keygen failed"; exit 1; }
mkdir -p "$HVKIT_KEYRING" "$HVKIT_MAINTAINERS"
cp "$T/vendor.key.pub" "$HVKIT_KEYRING/acme.pub"
cp "$T/maint.key.pub" "$HVKIT_MAINTAINERS/lists.pub"
nwaivers() { sqlite3 "$M" 'SELECT count(*) FROM waivers'; }

# --- the vendor: a run whose boot.heap failed, packaged
expect "vendor: self-test run" 0 "$CERTIFY" run --plan selftest --device edu --seed 6 --db "$V"
sqlite3 "$V" "UPDATE devices SET kind = 'nic', model = 'e1000', vid = 32902, did = 4110;
UPDATE results SET status = 'fail', message = 'heap counters off by one' WHERE suite = 'boot' AND name = 'heap';
UPDATE configs SET verdict = 'fail', outcome = 'fail', reason = 'boot.heap: fail: heap counters off by one';
UPDATE runs SET verdict = 'fail'"
expect "vendor: package" 0 "$CERTIFY" package 1 -o "$T/p.pkg" --key "$T/vendor.key" --db "$V"

# --- the maintainer: verify, import, replay
expect "verify" 0 "$CERTIFY" verify "$T/p.pkg"
expect "import" 0 "$CERTIFY" import "$T/p.pkg" --db "$M"
has "import: the failed run" "$T/out" "run 1 of acme .*verdict fail\) stored as run 1$"
expect "replay: boot.heap passes here" 1 "$CERTIFY" replay "$T/p.pkg" --db "$T/replay.db"
has "replay: names the test" "$T/out" "^DIFF pc-none-smp1-tcg boot.heap: package fail, replay pass$"
# A run that passed as stored (the replay, made an official e1000 run) exports with no
# "waivers" (a build once wrote a garbage string there for such rows: an invalid list)
cp "$T/replay.db" "$T/passed.db"
sqlite3 "$T/passed.db" "UPDATE devices SET kind = 'nic', model = 'e1000', vid = 32902, did = 4110; UPDATE runs SET official = 1, unofficial_why = ''"
expect "export: a run that passed as stored" 0 "$HCL" export --local --db "$T/passed.db" -o "$T/passed.json"
has "export: its entry" "$T/passed.json" '"vid":"8086","did":"100e"'
grep -q '"waivers"' "$T/passed.json" && bad "export: no waivers for it" "$(grep -o '"waivers":[^]]*]' "$T/passed.json")" ||
	ok "export: no waivers for it"
expect "export: the list is valid" 0 "$HCL" validate "$T/passed.json"
expect "show: failed before any waiver" 0 "$CERTIFY" show 1 --db "$M"
has "show: fail" "$T/out" "^run 1: fail$"
expect "export: nothing certified yet" 0 "$HCL" export --db "$M" -o "$T/l0.json"
has "export: 0 entries" "$T/err" "l0.json: 0 entries from the certified imported runs"

# --- bad waivers: one line naming what is wrong, no file, nothing stored
mk() { "$CERTIFY" waiver create --test boot.heap --config 'e1000/pc-*' --release 0.1.0 \
	--reason 'heap accounting erratum' --key "$T/maint.key" "$@"; }
expect "create: malformed date" 2 mk --id E-0009 --expires 2027-02-30 -o "$T/bad.json"
has "create: says the date is malformed" "$T/err" "^certify: waiver create: expires '2027-02-30': not a date YYYY-MM-DD$"
expect "create: expired at creation" 2 mk --id E-0009 --expires 2020-01-01 -o "$T/bad.json"
has "create: says it expired" "$T/err" "^certify: waiver create: expires 2020-01-01: not after today \(2026-12-08\): it would waive nothing$"
expect "create: unknown test" 2 "$CERTIFY" waiver create --id E-0009 --test boot.nosuch --config 'e1000/*' \
	--release 0.1.0 --reason r --expires 2099-01-01 --key "$T/maint.key" -o "$T/bad.json"
has "create: says the test is unknown" "$T/err" "^certify: waiver create: test 'boot.nosuch': no such test in the kernel \(KTEST\)$"
expect "create: a pattern without a model" 2 "$CERTIFY" waiver create --id E-0009 --test boot.heap \
	--config 'pc-*' --release 0.1.0 --reason r --expires 2099-01-01 --key "$T/maint.key" -o "$T/bad.json"
has "create: says the pattern is wrong" "$T/err" "^certify: waiver create: configuration 'pc-\*': not a MODEL/CONFIG pattern"
[ -e "$T/bad.json" ] && bad "create: no file for a bad waiver" "$T/bad.json exists" || ok "create: no file for a bad waiver"

expect "create: signed by the vendor's key" 0 mk --id E-0002 --expires 2099-01-01 --key "$T/vendor.key" -o "$T/vendor.json"
expect "add: a vendor's waiver" 2 "$CERTIFY" waiver add "$T/vendor.json" --db "$M"
has "add: says a vendor key cannot waive" "$T/err" "^certify: waiver add: .*vendor.json: signed with key [0-9a-f]{16} of vendor acme: only a maintainer's key \(.*maintainers\) signs waivers$"
expect "create: a stranger's key" 0 mk --id E-0003 --expires 2099-01-01 --key "$T/stranger.key" -o "$T/stranger.json"
expect "add: a key in no keyring" 2 "$CERTIFY" waiver add "$T/stranger.json" --db "$M"
has "add: says the key is unknown" "$T/err" "signed with key [0-9a-f]{16}, which is not in the maintainers keyring .*: unknown key$"

expect "create: the waiver" 0 mk --id E-0001 --expires 2027-03-01 -o "$T/e1.json"
sed 's/"reason":"heap accounting erratum"/"reason":"heap accounting erratvm"/' "$T/e1.json" > "$T/t1.json"
sed 's/"expires":"2027-03-01"/"expires":"2029-03-01"/' "$T/e1.json" > "$T/t2.json"
sed 's/"e1000\/pc-\*"/"*\/pc-*"/' "$T/e1.json" > "$T/t3.json"
for t in t1 t2 t3; do
	cmp -s "$T/e1.json" "$T/$t.json" && bad "tamper $t: changed" "sed changed nothing"
	expect "add: tampered waiver $t" 2 "$CERTIFY" waiver add "$T/$t.json" --db "$M"
	has "add: $t has a bad signature" "$T/err" "^certify: waiver add: .*$t.json: bad signature: the waiver was changed after key [0-9a-f]{16} of lists signed it$"
done
sed 's/"id":"E-0001",/"id":"E-0001","note":"x",/' "$T/e1.json" > "$T/t4.json"
expect "add: an unknown field" 2 "$CERTIFY" waiver add "$T/t4.json" --db "$M"
has "add: names the field" "$T/err" "t4.json: unknown field \"note\"$"
expect "add: a waiver expired by now" 2 env HVKIT_TODAY=2027-03-01 "$CERTIFY" waiver add "$T/e1.json" --db "$M"
has "add: says it expired" "$T/err" "e1.json: waiver E-0001 expired on 2027-03-01 \(today is 2027-03-01\): it would waive nothing$"
[ "$(nwaivers)" = 0 ] && ok "refused waivers: nothing stored" || bad "refused waivers: nothing stored" "$(nwaivers) rows"

# --- waivers that do not match waive nothing
expect "create: another configuration" 0 "$CERTIFY" waiver create --id E-0004 --test boot.heap \
	--config 'e1000/q35-*' --release 0.1.0 --reason r --expires 2099-01-01 --key "$T/maint.key" -o "$T/cfg.json"
expect "create: another release" 0 "$CERTIFY" waiver create --id E-0005 --test boot.heap --config 'e1000/pc-*' \
	--release 0.0.9 --reason r --expires 2099-01-01 --key "$T/maint.key" -o "$T/rel.json"
expect "create: another model" 0 "$CERTIFY" waiver create --id E-0006 --test boot.heap --config 'e1000e/*' \
	--release 0.1.0 --reason r --expires 2099-01-01 --key "$T/maint.key" -o "$T/mod.json"
for f in cfg rel mod; do
	expect "add: $f" 0 "$CERTIFY" waiver add "$T/$f.json" --db "$M"
done
expect "show: non-matching waivers" 0 "$CERTIFY" show 1 --db "$M"
has "show: still fail" "$T/out" "^run 1: fail$"
expect "export: non-matching waivers" 0 "$HCL" export --db "$M" -o "$T/l1.json"
has "export: still 0 entries" "$T/err" "l1.json: 0 entries from the certified imported runs"

# --- the waiver
expect "add: the waiver" 0 "$CERTIFY" waiver add "$T/e1.json" --db "$M"
has "add: says what it stored" "$T/out" "^waiver E-0001: boot.heap in 1 configuration pattern, release 0.1.0.*until 2027-03-01, signed by lists \(key [0-9a-f]{16}\): stored$"
expect "add: the same id again" 2 "$CERTIFY" waiver add "$T/e1.json" --db "$M"
has "add: says it is there" "$T/err" "waiver E-0001: already in the store$"
expect "list" 0 "$CERTIFY" waiver list --db "$M"
has "list: E-0001 live" "$T/out" "^E-0001 +live +boot.heap +expires 2027-03-01  by lists  configurations e1000/pc-\*  releases 0.1.0"
expect "show: waived" 0 "$CERTIFY" show 1 --db "$M"
has "show: pass, certified" "$T/out" "^run 1: pass \(certified\)$"
has "show: the stored verdict" "$T/out" "^waived: +1 failed test under live waivers \(stored verdict fail\)$"
has "show: the test waived by E-0001" "$T/out" "^ +waived boot.heap \(waiver E-0001\) heap counters off by one$"
[ "$(sqlite3 "$M" 'SELECT verdict FROM runs WHERE id = 1')" = fail ] && ok "store: the run's verdict stays fail" ||
	bad "store: the run's verdict stays fail" "$(sqlite3 "$M" 'SELECT verdict FROM runs')"
expect "add the waiver to a second store" 0 "$CERTIFY" waiver add "$T/e1.json" --db "$T/m2.db"
expect "import into a store with the waiver" 0 "$CERTIFY" import "$T/p.pkg" --db "$T/m2.db"
has "import: says the run passes under the waiver" "$T/out" "^import: run 1: pass under live waivers \(1 failed test waived; certify show 1\)$"
expect "report json" 0 "$CERTIFY" report 1 --format json --db "$M" -o "$T/r.json"
expect "json: valid against reports/run.schema.json" 0 python3 "$(dirname "$0")/validate-report.py" reports/run.schema.json "$T/r.json"
expect "json: verdict pass, stored fail, boot.heap waived by E-0001" 0 python3 -c "import json, sys
r = json.load(open(sys.argv[1]))
c = r['configurations'][0]
t = [x for x in c['tests'] if x['name'] == 'heap'][0]
sys.exit(not (r['run']['verdict'] == 'pass' and r['run']['stored_verdict'] == 'fail' and r['run']['waived'] == 1
  and c['waived'] is True and c['verdict'] == 'pass' and t['status'] == 'waived' and t['waiver'] == 'E-0001'))" "$T/r.json"
expect "report junit" 0 "$CERTIFY" report 1 --format junit --db "$M" -o "$T/r.xml"
expect "junit: valid against reports/junit.xsd" 0 xmllint --noout --schema reports/junit.xsd "$T/r.xml"
has "junit: the waived test skipped with the waiver's id" "$T/r.xml" '<skipped message="waived by E-0001: heap counters off by one">'
has "junit: the waived property" "$T/r.xml" '<property name="waived.boot.heap" value="E-0001"/>'
has "junit: the configuration's verdict" "$T/r.xml" '<property name="verdict" value="pass"/>'
expect "report html" 0 "$CERTIFY" report 1 --format html --db "$M" -o "$T/r.html"
has "html: the test waived (E-0001)" "$T/r.html" '<td class="waived">waived \(E-0001\)</td>'
has "html: the stored verdict" "$T/r.html" '<p id="waived">1 failed test waived by live waivers; the store.s verdict is fail.</p>'
expect "export: the waived run" 0 "$HCL" export --db "$M" -o "$T/list.json"
has "export: 1 entry" "$T/err" "list.json: 1 entries from the certified imported runs"
has "export: the entry names the waiver" "$T/list.json" '"runs":\["run-1"\].*"status":"certified","waivers":\["E-0001 boot.heap"\]'
expect "export: valid against hcl/schema/hcl.schema.json" 0 python3 -c "import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))" hcl/schema/hcl.schema.json "$T/list.json"
expect "sign the list" 0 "$HCL" sign "$T/list.json" --key "$T/maint.key" -o "$T/list.signed.json"
expect "verify the signed list" 0 "$HCL" verify "$T/list.signed.json" --pubkey "$T/maint.key.pub"
sed 's/"E-0001 boot.heap"/"E-0002 boot.heap"/' "$T/list.signed.json" > "$T/list.forged.json"
expect "a list whose waiver was changed" 1 "$HCL" verify "$T/list.forged.json" --pubkey "$T/maint.key.pub"

# publish: HTTP PUT to a one-file server on 127.0.0.1 that keeps what it got
cat > "$T/put.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        ok = self.headers.get("Authorization") == "Bearer tok"
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if ok:
            open(sys.argv[2], "wb").write(body)
        self.send_response(201 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.handle_request()
EOF
python3 "$T/put.py" "$T/port" "$T/published.json" &
putpid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/port" ] && break; sleep 1; done
expect "publish the signed list" 0 "$HCL" publish "$T/list.signed.json" "http://127.0.0.1:$(cat "$T/port")/hcl.json" --token tok
wait "$putpid"
cmp -s "$T/list.signed.json" "$T/published.json" && ok "publish: the server has the signed list" ||
	bad "publish: the server has the signed list" "$(ls -l "$T/published.json" 2>&1)"

# --- the same on a PostgreSQL store (a private server): stored, applied, exported alike
PGD=$(sh "$(dirname "$0")/../pgserver.sh" start) || { bad "pg: server" "the test server did not start"; PGD=; }
if [ -n "$PGD" ]; then
	trap 'sh "$(dirname "$0")/../pgserver.sh" stop "$PGD"; rm -rf "$T"' EXIT
	PGU=$(sh "$(dirname "$0")/../pgserver.sh" createdb "$PGD" waiv)
	expect "pg: import" 0 "$CERTIFY" import "$T/p.pkg" --db "$PGU"
	expect "pg: add another configuration's waiver" 0 "$CERTIFY" waiver add "$T/cfg.json" --db "$PGU"
	expect "pg: show, not waived" 0 "$CERTIFY" show 1 --db "$PGU"
	has "pg: fail" "$T/out" "^run 1: fail$"
	expect "pg: add the waiver" 0 "$CERTIFY" waiver add "$T/e1.json" --db "$PGU"
	expect "pg: add it again" 2 "$CERTIFY" waiver add "$T/e1.json" --db "$PGU"
	has "pg: says it is there" "$T/err" "waiver E-0001: already in the store$"
	expect "pg: show, waived" 0 "$CERTIFY" show 1 --db "$PGU"
	has "pg: pass" "$T/out" "^run 1: pass \(certified\)$"
	expect "pg: export" 0 "$HCL" export --db "$PGU" -o "$T/pg.json"
	expect "pg: the same list as from SQLite" 0 python3 -c "import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a.pop('generated'); b.pop('generated')
sys.exit(a != b)" "$T/list.json" "$T/pg.json"
	expect "pg: revoke" 0 "$CERTIFY" waiver revoke E-0001 --reason fixed --db "$PGU"
	expect "pg: show, revoked" 0 "$CERTIFY" show 1 --db "$PGU"
	has "pg: fail once revoked" "$T/out" "^run 1: fail$"
	sh "$(dirname "$0")/../pgserver.sh" stop "$PGD"
	trap 'rm -rf "$T"' EXIT
fi

# --- the clock moves past the expiry date: nothing waived
expect "show: on the expiry date" 0 env HVKIT_TODAY=2027-03-01 "$CERTIFY" show 1 --db "$M"
has "show: expired waiver, fail again" "$T/out" "^run 1: fail$"
expect "export: on the expiry date" 0 env HVKIT_TODAY=2027-03-01 "$HCL" export --db "$M" -o "$T/l2.json"
has "export: 0 entries once expired" "$T/err" "l2.json: 0 entries from the certified imported runs"
expect "list: expired" 0 env HVKIT_TODAY=2027-03-01 "$CERTIFY" waiver list --db "$M"
has "list: E-0001 expired" "$T/out" "^E-0001 +expired "

# --- a hang is never waived, whatever the waivers say
cp "$M" "$T/hang.db"
sqlite3 "$T/hang.db" "UPDATE configs SET outcome = 'timeout'"
expect "show: a hung configuration" 0 "$CERTIFY" show 1 --db "$T/hang.db"
has "show: a hang stays fail" "$T/out" "^run 1: fail$"

# --- at judging time: a real failing boot (the self-test plan with boot.probe=41, so the
# kernel's boot.cmdline fails) in a store holding a live waiver for it exits 0, and 1 once
# the waiver has expired
L=$T/lab.db
mkdir -p "$T/plans"
sed 's/^params = .*/params = boot.probe=41/; s/^name = .*/name = selffail/' plans/selftest.plan > "$T/plans/selffail.plan"
expect "create: a waiver for boot.cmdline" 0 "$CERTIFY" waiver create --id E-0007 --test boot.cmdline \
	--config 'edu/pc-*' --release 0.1.0 --reason 'probe erratum' --expires 2027-03-01 --key "$T/maint.key" -o "$T/e7.json"
expect "add it to the lab's store" 0 "$CERTIFY" waiver add "$T/e7.json" --db "$L"
expect "run: the failure waived" 0 "$CERTIFY" run --plans "$T/plans" --plan selffail --device edu --seed 7 --db "$L" --json
has "run: the judge's failure" "$T/err" "^FAIL +pc-none-smp1-tcg .*boot.cmdline: fail"
has "run: names the waived test" "$T/err" "^waived:  boot.cmdline in pc-none-smp1-tcg \(E-0007\)$"
has "run: passes under the waiver" "$T/err" "^verdict: PASS under live waivers \(run 1 stored as fail\)$"
cp "$T/out" "$T/run.json"
expect "run --json: valid against the schema" 0 python3 "$(dirname "$0")/validate-report.py" reports/run.schema.json "$T/run.json"
has "run --json: boot.cmdline waived" "$T/run.json" '"waiver":"E-0007"|"waiver": *"E-0007"'
[ "$(sqlite3 "$L" 'SELECT verdict FROM runs WHERE id = 1')" = fail ] && ok "run: stored as fail" ||
	bad "run: stored as fail" "$(sqlite3 "$L" 'SELECT verdict FROM runs')"
expect "run: the waiver expired" 1 env HVKIT_TODAY=2027-03-01 "$CERTIFY" run --plans "$T/plans" --plan selffail --device edu --seed 7 --db "$L"
has "run: fails once it expired" "$T/out" "^verdict: FAIL \(run 2, seed 7\)$"

# --- revoked: nothing waived, the row kept
expect "revoke" 0 "$CERTIFY" waiver revoke E-0001 --reason 'fixed in the driver' --db "$M"
expect "revoke again" 2 "$CERTIFY" waiver revoke E-0001 --reason again --db "$M"
has "revoke: says it is revoked" "$T/err" "waiver E-0001: not in the store, or already revoked$"
expect "show: revoked" 0 "$CERTIFY" show 1 --db "$M"
has "show: a revoked waiver waives nothing" "$T/out" "^run 1: fail$"
expect "list: revoked" 0 "$CERTIFY" waiver list --db "$M"
has "list: E-0001 revoked with why" "$T/out" "^E-0001 +revoked .*revoked [0-9T:-]+Z: fixed in the driver$"
[ "$failed" = 0 ]
