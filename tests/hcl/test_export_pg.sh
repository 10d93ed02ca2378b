# hcl export from a PostgreSQL store (sourced by run.sh): its bad inputs (one line, exit 2,
# nothing written), and the same list as from a SQLite store that holds the same run.
# A private server (tests/pgserver.sh), stopped at the end of this file or at exit.
PGSRV=$HERE/../pgserver.sh
if [ -x "${CERTIFY:-}" ] && [ -r build/hvkernel.elf ] && PGD=$(sh "$PGSRV" start); then
	trap 'sh "$PGSRV" stop "$PGD"' EXIT
	PGU=$(sh "$PGSRV" createdb "$PGD" cert)
	expect "pg export: a database with no store" 2 "$HCL" export --db "$PGU" -o "$W/pg.json"
	has "says it is not a store" "^hcl export: postgresql:///cert\?host=.*: not a certification store \(no schema_version table\)$"
	[ -e "$W/pg.json" ] && bad "pg: a failed export writes nothing" || ok "pg: a failed export writes nothing"
	expect "pg export: no server" 2 "$HCL" export --db "postgresql:///cert?host=$W/nosuchdir"
	has "says it cannot connect" "^hcl export: postgresql:///cert\?host=$W/nosuchdir: cannot connect: "
	expect "pg export: wrong password" 2 "$HCL" export --db "postgresql://hvkit_pw:not-this@/cert?host=$PGD"
	has "says the password was refused" "password authentication failed for user \"hvkit_pw\""
	hasnt "never shows the password" "not-this"
	expect "pg export: malformed URI" 2 "$HCL" export --db "postgresql://[::1"
	has "says the URI is malformed" "^hcl export: postgresql://\[::1: not a valid PostgreSQL connection URI: "
	# The same run (plan, device, seed) into a SQLite and a PostgreSQL store, both told it
	# was official (as test_net.sh does): the two lists are the same but for their time.
	for s in "$W/cmp.db" "$PGU"; do
		"$CERTIFY" run --plans tests/certify/plans --plan nic-quick --device e1000 --accel tcg \
			--seed 21 --db "$s" > "$W/cmp.out" 2>&1 && ok "pg: certify e1000 into ${s%%:*}" ||
			bad "pg: certify e1000 into ${s%%:*}" "$W/cmp.out"
	done
	sqlite3 "$W/cmp.db" "UPDATE runs SET official = 1, unofficial_why = ''"
	psql -X -q "$PGU" -c "UPDATE runs SET official = 1, unofficial_why = ''"
	expect "export from the SQLite store" 0 "$HCL" export --local --db "$W/cmp.db" -o "$W/cmp-sqlite.json"
	expect "export from the PostgreSQL store" 0 "$HCL" export --local --db "$PGU" -o "$W/cmp-pg.json"
	has "the PostgreSQL export counts its entry" "cmp-pg.json: 1 entries from the certified local runs"
	if [ -n "$(jq -c 'del(.generated)' "$W/cmp-pg.json")" ] &&
	   [ "$(jq -S -c 'del(.generated)' "$W/cmp-pg.json")" = "$(jq -S -c 'del(.generated)' "$W/cmp-sqlite.json")" ]; then
		ok "pg: the same list as from SQLite"
	else
		bad "pg: the same list as from SQLite" "$W/cmp-pg.json"
	fi
	# The features come through PostgreSQL's certify_db_run_results too, not just SQLite's.
	f=$(jq -r '[.entries[].releases[].features | join(",")] | join(" ")' "$W/cmp-pg.json")
	[ "$f" = "jumbo,link-state,intx" ] && ok "pg: the features of the e1000 run" ||
		bad "pg: the features of the e1000 run: '$f'"
	psql -X -q "$PGU" -c "INSERT INTO schema_version VALUES (99, 'later')"
	expect "pg export: a newer store" 2 "$HCL" export --db "$PGU" -o "$W/newer.json"
	has "says the store is newer" "the store is at schema version 99, newer than this build's [0-9]+: use a newer hvkit$"
	sh "$PGSRV" stop "$PGD"
	trap - EXIT
else
	skip "hcl export from PostgreSQL" "certify, the kernel or a PostgreSQL server (scripts/deps.sh) missing"
fi
