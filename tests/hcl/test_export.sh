# hcl export's errors and its store lookup (sourced by run.sh); the export of real certified
# runs is in test_net.sh (certify -> export -> publish).
expect "export: missing store" 2 env HVKIT_DB= "$HCL" export --db "$W/none.db" -o "$W/exp.json"
has "names the store it could not open" "$W/none.db: cannot open the certification store"
if [ -e "$W/exp.json" ] || [ -e "$W/none.db" ]; then bad "a failed export creates nothing"; else ok "a failed export creates nothing"; fi
printf 'not sqlite\n' > "$W/junk.db"
expect "export: not a store" 2 "$HCL" export --db "$W/junk.db"
has "says it is not a store" "junk.db: not a certification store"
# Without --db the store is found as certify finds it: $HVKIT_DB, then under $HOME.
expect "export: \$HVKIT_DB" 2 env HVKIT_DB="$W/junk.db" "$HCL" export
has "takes \$HVKIT_DB" "junk.db: not a certification store"
expect "export: default store under HOME" 2 env HVKIT_DB= HOME="$W/home" "$HCL" export
has "looks where certify does" "$W/home/.local/share/hvkit/cert.db: cannot open"
expect "export: no HOME" 2 env -u HOME HVKIT_DB= "$HCL" export
has "says how to name a store" "no store path: give --db, set HVKIT_DB or HOME"
