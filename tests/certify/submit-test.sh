#!/bin/sh
# Submissions end to end (docs/certify.md, "Packages"): a vendor certifies e1000 on the
# shipped nic plan (TCG, 1 s soak) and packages the run signed with its key; the maintainer
# verifies it, imports it against the keyring (SQLite and PostgreSQL), exports the list
# (imported runs only) and signs it, and replays a self-test package. A byte changed in each kind of member (report, log, module, plan,
# manifest, signature), a truncated file, a package signed by a key not in the keyring and a
# run of an edited plan are refused with one line naming what is wrong, and nothing is
# stored. A vendor whose store lies about a test is caught by the replay.
. "$(dirname "$0")/lib.sh"
HCL=$(dirname "$CERTIFY")/hcl
V=$T/vendor.db
M=$T/maint.db
RING=$T/keyring
export HVKIT_KEYRING="$RING"
unset HVKIT_DB

"$HCL" keygen -o "$T/vendor.key" > /dev/null 2>&1 && "$HCL" keygen -o "$T/stranger.key" > /dev/null 2>&1 &&
	"$HCL" keygen -o "$T/maint.key" > /dev/null 2>&1 || { bad "keygen" "hcl keygen failed"; exit 1; }
mkdir -p "$RING" && cp "$T/vendor.key.pub" "$RING/acme.pub"

# --- the vendor
expect "vendor: e1000 on the shipped nic plan passes" 0 "$CERTIFY" run --device e1000 --plan nic \
	--accel tcg --soak 1 --jobs 2 --seed 4242 --db "$V"
expect "vendor: package the run" 0 "$CERTIFY" package last -o "$T/p.pkg" --key "$T/vendor.key" --db "$V"
tar tf "$T/p.pkg" > "$T/members" 2>&1
for m in manifest.json report.json signature modules/e1000.hvm plans/nic.plan logs/08-pc-intx-smp1-tcg.log; do
	has "package: tar lists $m" "$T/members" "^$m\$"
done
expect "package: a run that does not exist" 2 "$CERTIFY" package 99 -o "$T/none.pkg" --key "$T/vendor.key" --db "$V"
has "package: says which run" "$T/err" "run 99: no such run"
[ -e "$T/none.pkg" ] && bad "package: nothing written for a bad run" "$T/none.pkg exists" ||
	ok "package: nothing written for a bad run"

# --- verification offline
expect "verify: with the vendor's public key" 0 "$CERTIFY" verify "$T/p.pkg" --pubkey "$T/vendor.key.pub"
has "verify: names the run" "$T/out" "verified: run 1 \(plan nic, seed 4242, release [0-9.]+, host [^,]+, verdict pass\)"
expect "verify: against the keyring" 0 "$CERTIFY" verify "$T/p.pkg"
has "verify: names the vendor" "$T/out" "signed by acme \(key [0-9a-f]{16}\)"
expect "verify: another public key" 2 "$CERTIFY" verify "$T/p.pkg" --pubkey "$T/stranger.key.pub"
has "verify: says the key is not the signer" "$T/err" "^certify: verify: .*p.pkg: signed with key [0-9a-f]{16}, but .*stranger.key.pub is key [0-9a-f]{16}: unknown key$"

# Each kind of member changed by one byte: refused, and import stores nothing.
tamper() {	# tamper NAME MEMBER PATTERN
	cp "$T/p.pkg" "$T/t.pkg"
	python3 "$(dirname "$0")/tamper.py" "$T/t.pkg" "$2" 100 || { bad "tamper $1" "tamper.py failed"; return; }
	expect "tamper $1: verify refuses" 2 "$CERTIFY" verify "$T/t.pkg"
	has "tamper $1: one line naming it" "$T/err" "$3"
	[ "$(wc -l < "$T/err")" -eq 1 ] && ok "tamper $1: one line" || bad "tamper $1: one line" "$(cat "$T/err")"
	expect "tamper $1: import refuses" 2 "$CERTIFY" import "$T/t.pkg" --db "$M"
}
tamper report report.json "member report.json: sha256 [0-9a-f]{16}, the manifest says [0-9a-f]{16}: changed after signing$"
tamper log logs/08-pc-intx-smp1-tcg.log "member logs/08-pc-intx-smp1-tcg.log: sha256 [0-9a-f]{16}, the manifest says [0-9a-f]{16}: changed after signing$"
tamper module modules/e1000.hvm "member modules/e1000.hvm: sha256 [0-9a-f]{16}, the manifest says [0-9a-f]{16}: changed after signing$"
tamper plan plans/nic.plan "member plans/nic.plan: sha256 [0-9a-f]{16}, the manifest says [0-9a-f]{16}: changed after signing$"
tamper manifest manifest.json "bad signature: manifest.json or the signature was changed after key [0-9a-f]{16} of acme signed it$"
tamper signature signature "bad signature: manifest.json or the signature was changed after key [0-9a-f]{16} of acme signed it$"
head -c 20000 "$T/p.pkg" > "$T/t.pkg"
expect "truncated: verify refuses" 2 "$CERTIFY" verify "$T/t.pkg"
has "truncated: says so" "$T/err" "t.pkg: truncated: member [^ ]+ declares [0-9]+ bytes, the file has [0-9]+ after its header$"
[ -e "$M" ] && [ "$(sqlite3 "$M" 'SELECT count(*) FROM runs')" != 0 ] &&
	bad "tampered packages: nothing stored" "$(sqlite3 "$M" 'SELECT id FROM runs')" ||
	ok "tampered packages: nothing stored"

# A package signed with a key that is not in the keyring.
expect "stranger: package" 0 "$CERTIFY" package 1 -o "$T/s.pkg" --key "$T/stranger.key" --db "$V"
expect "stranger: verify refuses" 2 "$CERTIFY" verify "$T/s.pkg"
has "stranger: unknown key" "$T/err" "s.pkg: signed with key [0-9a-f]{16}, which is not in the keyring .*keyring: unknown key$"
expect "stranger: import refuses" 2 "$CERTIFY" import "$T/s.pkg" --db "$M"

# A run of an edited plan (the self-test plan, one comment line more): verified, but import
# refuses it, as the plan is not the one shipped with the release.
mkdir -p "$T/plans" && { cat plans/selftest.plan; echo "# edited"; } > "$T/plans/selftest.plan"
expect "edited plan: vendor run" 0 "$CERTIFY" run --plans "$T/plans" --plan selftest --device edu --seed 5 --db "$V"
expect "edited plan: package" 0 "$CERTIFY" package last -o "$T/e.pkg" --key "$T/vendor.key" --plans "$T/plans" --db "$V"
expect "edited plan: verify accepts the signed package" 0 "$CERTIFY" verify "$T/e.pkg"
expect "edited plan: import refuses" 2 "$CERTIFY" import "$T/e.pkg" --db "$M"
has "edited plan: names the plan" "$T/err" "e.pkg: member plans/selftest.plan: plan 'selftest' differs from the one shipped with hvkit [0-9.]+ \(sha256 [0-9a-f]{16}, shipped [0-9a-f]{16}\)$"
[ -e "$M" ] && [ "$(sqlite3 "$M" 'SELECT count(*) FROM runs')" != 0 ] &&
	bad "refused packages: nothing stored" "$(sqlite3 "$M" 'SELECT id FROM runs')" ||
	ok "refused packages: nothing stored"

# --- the maintainer
expect "import: the vendor's package" 0 "$CERTIFY" import "$T/p.pkg" --db "$M"
has "import: says whose run it stored" "$T/out" "^import: .*p.pkg: run 1 of acme \(its run 1 on [^,]+, plan nic, seed 4242, verdict pass\) stored as run 1$"
[ "$(sqlite3 "$M" "SELECT vendor, vendor_run, verdict, official FROM submissions JOIN runs ON runs.id = run_id")" = "acme|1|pass|1" ] &&
	ok "import: the submission row" || bad "import: the submission row" "$(sqlite3 "$M" 'SELECT * FROM submissions')"
[ "$(sqlite3 "$M" "SELECT group_concat(verdict || ':' || n, ' ') FROM (SELECT verdict, count(*) n FROM configs GROUP BY verdict ORDER BY verdict)")" = \
	"$(sqlite3 "$V" "SELECT group_concat(verdict || ':' || n, ' ') FROM (SELECT verdict, count(*) n FROM configs WHERE run_id = 1 GROUP BY verdict ORDER BY verdict)")" ] &&
	ok "import: every configuration's verdict as the vendor stored it" ||
	bad "import: every configuration's verdict as the vendor stored it" "$(sqlite3 "$M" 'SELECT name, verdict FROM configs')"
[ "$(sqlite3 "$M" "SELECT count(*) FROM results WHERE status = 'pass'")" = "$(sqlite3 "$V" "SELECT count(*) FROM results WHERE run_id = 1 AND status = 'pass'")" ] &&
	ok "import: every test result" || bad "import: every test result" "$(sqlite3 "$M" 'SELECT count(*) FROM results')"
expect "show: the imported run" 0 "$CERTIFY" show 1 --db "$M"
has "show: submitted by the vendor" "$T/out" "^submitted: by acme \(key [0-9a-f]{16}, signed [0-9T:Z-]+; its run 1 on [^;]+; package sha256 [0-9a-f]{16}\)$"
expect "import: the same package twice" 2 "$CERTIFY" import "$T/p.pkg" --db "$M"
has "import: says it is there" "$T/err" "already imported as run 1$"

# The same package into a PostgreSQL store (a private server, tests/pgserver.sh): the same
# run, the same refusal of a second import, the same list.
PGS="$(dirname "$0")/../pgserver.sh"
if PGD=$(sh "$PGS" start); then
	trap 'sh "$PGS" stop "$PGD"; rm -rf "$T"' EXIT
	PGU=$(sh "$PGS" createdb "$PGD" maint)
	expect "pg: import" 0 "$CERTIFY" import "$T/p.pkg" --db "$PGU"
	has "pg: stored as run 1" "$T/out" "^import: .*p.pkg: run 1 of acme \(its run 1 on [^,]+, plan nic, seed 4242, verdict pass\) stored as run 1$"
	pq() { psql -X -q -At "$PGU" -c "$1"; }
	row=$(pq "SELECT vendor, vendor_run, verdict, official FROM submissions JOIN runs ON runs.id = run_id")
	[ "$row" = "acme|1|pass|1" ] && ok "pg: the submission row" || bad "pg: the submission row" "$row"
	npg=$(pq "SELECT count(*) FROM results")
	nsq=$(sqlite3 "$M" "SELECT count(*) FROM results")
	[ "$npg" = "$nsq" ] && ok "pg: every test result, as on SQLite" ||
		bad "pg: every test result, as on SQLite" "$npg results, SQLite $nsq"
	expect "pg: show" 0 "$CERTIFY" show 1 --db "$PGU"
	has "pg: show: submitted by the vendor" "$T/out" "^submitted: by acme "
	expect "pg: the same package twice" 2 "$CERTIFY" import "$T/p.pkg" --db "$PGU"
	has "pg: says it is there" "$T/err" "already imported as run 1$"
	expect "pg: export" 0 "$HCL" export --db "$PGU" -o "$T/pg.json"
	expect "sqlite: export" 0 "$HCL" export --db "$M" -o "$T/sq.json"
	expect "pg: the same list as from SQLite" 0 python3 -c "import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop('generated'); b.pop('generated')
sys.exit(a != b)" "$T/pg.json" "$T/sq.json"
else
	bad "pg: server" "tests/pgserver.sh start failed (PostgreSQL is installed by scripts/deps.sh)"
fi

# The list: the imported run, and from a vendor's store only with --local.
expect "export: the imported run" 0 "$HCL" export --db "$M" -o "$T/list.json"
has "export: one entry from the imported runs" "$T/err" "list.json: 1 entries from the certified imported runs"
has "export: the e1000 in the list" "$T/list.json" '"vid": *"8086", *"did": *"100e"'
expect "export: the vendor's store has no imported run" 0 "$HCL" export --db "$V" -o "$T/v.json"
has "export: the vendor's local run left out" "$T/err" "v.json: 0 entries from the certified imported runs"
expect "export --local: the vendor's preview" 0 "$HCL" export --local --db "$V" -o "$T/v.json"
has "export --local: its own run" "$T/err" "v.json: 1 entries from the certified local runs"
expect "sign the list" 0 "$HCL" sign "$T/list.json" --key "$T/maint.key" -o "$T/list.signed.json"
expect "the signed list verifies" 0 "$HCL" verify "$T/list.signed.json" --pubkey "$T/maint.key.pub"

# Replay: the same seed, plan and module here give the same verdicts, test by test. (On the
# self-test plan: its software devices give the same verdicts on a loaded host, where an
# e1000 boot can end otherwise than the vendor's, e.g. a host check that could not run.)
expect "replay: vendor self-test run" 0 "$CERTIFY" run --plan selftest --device edu --seed 6 --db "$V"
expect "replay: package" 0 "$CERTIFY" package last -o "$T/st.pkg" --key "$T/vendor.key" --db "$V"
expect "replay: the same verdicts" 0 "$CERTIFY" replay "$T/st.pkg" --db "$M"
grep '^DIFF' "$T/out" | head -5
has "replay: compared every test" "$T/out" "^replay: run 2: 1 configurations, [1-9][0-9]* tests compared with the package: the same verdicts$"

# A vendor whose store says a test failed that passed (or the reverse) signs a package all
# the same: the replay finds the test.
lie=$(sqlite3 "$V" "SELECT r.suite || '.' || r.name FROM results r WHERE r.run_id = (SELECT max(id) FROM runs) ORDER BY r.id LIMIT 1")
sqlite3 "$V" "UPDATE results SET status = 'fail' WHERE id = (SELECT min(id) FROM results WHERE run_id = (SELECT max(id) FROM runs))"
expect "liar: package" 0 "$CERTIFY" package last -o "$T/l.pkg" --key "$T/vendor.key" --db "$V"
expect "liar: replay differs" 1 "$CERTIFY" replay "$T/l.pkg" --db "$M"
has "liar: names the test" "$T/out" "^DIFF pc-none-smp1-tcg $lie: package fail, replay pass$"
has "liar: counts the difference" "$T/out" "tests compared with the package: differences: see DIFF lines$"

[ "$failed" = 0 ]
