# hcl publish / fetch against a real nginx on 127.0.0.1 (sourced by run.sh): WebDAV PUT
# behind a bearer token, ETag/If-Modified-Since, a tampered list, a dead server.
# nginx runs from a private prefix (config, pid file, logs) and is always stopped.
NGX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
if [ -z "$NGX" ]; then
	bad "publish/fetch against nginx: nginx is not installed (scripts/deps.sh installs it)"
elif ! "$NGX" -V 2>&1 | grep -q http_dav_module; then
	bad "publish/fetch against nginx: this nginx lacks the dav module"
else
P=$(mktemp -d "$W/nginx.XXXXXX")
mkdir -p "$P/www/hcl" "$P/tmp" "$P/logs"
chmod 755 "$P"; chmod 777 "$P/www/hcl" "$P/tmp"
TOKEN=t0ken-$$
hcl_ngx_stop() {
	if [ -r "$P/nginx.pid" ]; then kill "$(cat "$P/nginx.pid")" 2>/dev/null; fi
	i=0; while [ -r "$P/nginx.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
trap 'hcl_ngx_stop' EXIT INT TERM
hcl_ngx_conf() {
	{
		[ "$(id -u)" = 0 ] && echo "user root;"
		cat <<NGX
worker_processes 1;
pid $P/nginx.pid;
error_log $P/logs/error.log;
events { worker_connections 32; }
http {
	access_log $P/logs/access.log;
	client_body_temp_path $P/tmp/body;
	proxy_temp_path $P/tmp/proxy;
	fastcgi_temp_path $P/tmp/fastcgi;
	uwsgi_temp_path $P/tmp/uwsgi;
	scgi_temp_path $P/tmp/scgi;
	server {
		listen 127.0.0.1:$1;
		root $P/www;
		location /hcl/ {
			set \$deny "";
			if (\$request_method = PUT) { set \$deny "p"; }
			if (\$http_authorization != "Bearer $TOKEN") { set \$deny "\${deny}t"; }
			if (\$deny = "pt") { return 401; }
			dav_methods PUT;
			dav_access user:rw group:r all:r;
		}
	}
}
NGX
	} > "$P/nginx.conf"
}
# A free port: try a few random ones until nginx binds.
PORT=""
for try in 1 2 3 4 5 6 7 8; do
	p=$(( 20000 + ($$ * 7 + try * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/') % 997) % 40000 ))
	hcl_ngx_conf "$p"
	if "$NGX" -p "$P" -c "$P/nginx.conf" -e "$P/logs/error.log" 2>>"$P/logs/start.log"; then
		PORT=$p; break
	fi
done
if [ -z "$PORT" ]; then
	bad "nginx starts on 127.0.0.1" "$P/logs/start.log"
else
	ok "nginx starts on 127.0.0.1:$PORT"
	URL=http://127.0.0.1:$PORT/hcl/hcl.signed.json
	expect "publish" 0 "$HCL" publish "$W/s.json" "$URL" --token "$TOKEN"
	if cmp -s "$W/s.json" "$P/www/hcl/hcl.signed.json"; then ok "server has the list"; else bad "server has the list"; fi
	expect "publish with a wrong token" 2 "$HCL" publish "$W/s.json" "$URL" --token wrong
	has "wrong token message" "HTTP 401.*wrong or missing token"
	expect "publish without a token" 2 "$HCL" publish "$W/s.json" "$URL"
	mkdir -p "$W/site-copy"
	L2=$W/site-copy/hcl.signed.json
	expect "fetch" 0 "$HCL" fetch "$URL" -o "$L2" --pubkey "$W/key.pub"
	has "fetch prints the age" "list generated 2026-11-20"
	if cmp -s "$W/s.json" "$L2"; then ok "fetched copy is the list"; else bad "fetched copy is the list"; fi
	if grep -q '"etag"' "$L2.meta"; then ok "ETag stored next to the copy"; else bad "ETag stored next to the copy" "$L2.meta"; fi
	expect "second fetch" 0 "$HCL" fetch "$URL" -o "$L2" --pubkey "$W/key.pub"
	has "304 not modified" "not modified"
	if grep -q "\" 304 " "$P/logs/access.log"; then ok "server answered 304"; else bad "server answered 304" "$P/logs/access.log"; fi
	expect "check --hcl URL" 0 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$URL" --pubkey "$W/key.pub"
	cp "$W/tampered.json" "$P/www/hcl/hcl.signed.json"
	touch -d '2030-01-01' "$P/www/hcl/hcl.signed.json"
	expect "fetch of a tampered list" 2 "$HCL" fetch "$URL" -o "$L2" --pubkey "$W/key.pub"
	has "tampered refused, copy kept" "refused, .* kept unchanged: bad signature"
	if cmp -s "$W/s.json" "$L2"; then ok "old copy intact after tamper"; else bad "old copy intact after tamper"; fi
	cp "$L" "$P/www/hcl/unsigned.json"
	expect "fetch of an unsigned list" 2 "$HCL" fetch "http://127.0.0.1:$PORT/hcl/unsigned.json" -o "$W/u.json" --pubkey "$W/key.pub"
	if [ ! -e "$W/u.json" ]; then ok "no file left by a refused fetch"; else bad "no file left by a refused fetch"; fi
	expect "fetch 404" 2 "$HCL" fetch "http://127.0.0.1:$PORT/hcl/nothing.json" -o "$L2" --pubkey "$W/key.pub"
	has "404 named" "HTTP 404"
	# The page behind nginx (the same files work from file://).
	expect "site into the nginx root" 0 "$HCL" site -o "$P/www/site" --hcl "$W/s.json" --pubkey "$W/key.pub"
	CHROME=$(command -v chromium || true)
	if [ -z "$CHROME" ]; then
		bad "site behind nginx: chromium is not installed (scripts/deps.sh installs it)"
	else
		u=$(mktemp -d "$W/chrome.XXXXXX")
		timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
			--disable-background-networking --disable-component-update --disable-sync \
			--no-first-run --user-data-dir="$u" \
			--dump-dom "http://127.0.0.1:$PORT/site/index.html?q=nvme" > "$W/out" 2>/dev/null
		rm -rf "$u"
		has "site behind nginx filters" 'data-key="144d:a808:\*:\*:0.1.0"'
	fi
	# The whole path from certification to an admin's answer: certify two devices into a
	# fresh store, export the list from it, sign it, publish it here, fetch it back and
	# check a server that has both devices.
	if [ -x "${CERTIFY:-}" ] && [ -r build/hvkernel.elf ]; then
		DB=$W/cert.db
		"$CERTIFY" run --plans tests/certify/plans --plan nic-quick --device e1000 --accel tcg \
			--db "$DB" > "$W/c1.out" 2>&1 && ok "certify e1000 into a new store" ||
			bad "certify e1000 into a new store" "$W/c1.out"
		"$CERTIFY" run --plans tests/certify/plans --plan storage-quick --device nvme --accel tcg \
			--db "$DB" > "$W/c2.out" 2>&1 && ok "certify nvme into the store" ||
			bad "certify nvme into the store" "$W/c2.out"
		# A driver version certified later supersedes the one before it: the store is told
		# the first e1000 run had an older build (another version and digest), then e1000 is
		# certified again; the list keeps one certification per device and release.
		sqlite3 "$DB" "UPDATE drivers SET version = '0.9', sha256 = 'older-' || sha256 WHERE name = 'e1000'"
		"$CERTIFY" run --plans tests/certify/plans --plan nic-quick --device e1000 --accel tcg \
			--db "$DB" > "$W/c3.out" 2>&1 && ok "certify a newer e1000 into the store" ||
			bad "certify a newer e1000 into the store" "$W/c3.out"
		# The quick plans are not the ones shipped with the release: the runs passed but
		# are unofficial, and export leaves them out, saying so for each.
		expect "export leaves unofficial runs out" 0 "$HCL" export --local --db "$DB" -o "$W/exp.json"
		has "export names each unofficial run" "^hcl export: run [0-9]+ \(plan nic-quick\) left out, unofficial: plan 'nic-quick' is not one shipped with hvkit "
		has "export counts no entry" "0 entries from the certified local runs; unofficial runs left out"
		# An official run of the shipped plans takes a minute or more per device; the rest
		# of the chain is about the list, so the store is told these runs were official.
		sqlite3 "$DB" "UPDATE runs SET official = 1, unofficial_why = ''"
		expect "export from the store" 0 "$HCL" export --local --db "$DB" -o "$W/exp.json"
		has "export counts its entries" "2 entries from the certified local runs"
		has "the older e1000 is superseded" "8086:100e release [^ ]+: e1000 0\.9 \(run [0-9]+\) superseded by e1000 1\.0 \(run [0-9]+\)"
		expect "exported list is valid" 0 "$HCL" validate "$W/exp.json"
		# Features come from the tests the runs passed (nic-quick: INTx only; storage-quick:
		# MSI-X only, a 3 TiB disk).
		f=$(jq -r '[.entries[] | "\(.did)=\(.releases[].features | join(","))"] | join(" ")' "$W/exp.json")
		[ "$f" = "0010=msix,poll,lba64,flush 100e=jumbo,link-state,intx" ] &&
			ok "export: the features the runs proved" || bad "export: the features the runs proved: '$f'"
		expect "sign the exported list" 0 "$HCL" sign "$W/exp.json" --key "$W/key" -o "$W/exp.signed.json"
		EURL=http://127.0.0.1:$PORT/hcl/exported.signed.json
		expect "publish the exported list" 0 "$HCL" publish "$W/exp.signed.json" "$EURL" --token "$TOKEN"
		expect "fetch the exported list" 0 "$HCL" fetch "$EURL" -o "$W/fetched.json" --pubkey "$W/key.pub"
		# A server with the certified e1000 (QEMU's subsystem 1af4:1100) and nvme.
		printf 'Slot:\t00:02.0\nClass:\tEthernet controller [0200]\nVendor:\tIntel Corporation [8086]\nDevice:\t82540EM [100e]\nSVendor:\tRed Hat, Inc. [1af4]\nSDevice:\tQEMU Virtual Machine [1100]\n\nSlot:\t00:03.0\nClass:\tNon-Volatile memory controller [0108]\nVendor:\tRed Hat, Inc. [1b36]\nDevice:\tQEMU NVM Express Controller [0010]\nSVendor:\tRed Hat, Inc. [1af4]\nSDevice:\tQEMU Virtual Machine [1100]\nProgIf:\t02\n' > "$W/qemu.vmmnn"
		expect "check against the fetched list" 0 "$HCL" check --inventory "$W/qemu.vmmnn" --hcl "$W/fetched.json" --pubkey "$W/key.pub"
		has "e1000 certified with its driver" "8086:100e .* certified +e1000 1.0"
		has "the server is bootable" "server: bootable"
		expect "check --require jumbo,lba64 against the fetched list" 0 "$HCL" check --inventory "$W/qemu.vmmnn" --hcl "$W/fetched.json" --pubkey "$W/key.pub" --require jumbo,lba64
		expect "check --require msix against the fetched list" 1 "$HCL" check --inventory "$W/qemu.vmmnn" --hcl "$W/fetched.json" --pubkey "$W/key.pub" --require msix
		has "the e1000 lacks msix" "^ +certified without required feature msix \(the entry lists: jumbo, link-state, intx\)$"
	else
		bad "certify -> export -> publish -> fetch -> check: build/bin/certify or the kernel is not built"
	fi
	hcl_ngx_stop
	expect "fetch from a dead server" 2 "$HCL" fetch "$URL" -o "$L2" --pubkey "$W/key.pub" --retries 2 --timeout 2
	has "retries with backoff" "retrying in 1000 ms \(2 of 2\)"
	if cmp -s "$W/s.json" "$L2"; then ok "old copy intact after a dead server"; else bad "old copy intact after a dead server"; fi
	if ls "$W/site-copy" | grep -q part; then bad "no temporary files left"; else ok "no temporary files left"; fi
fi
hcl_ngx_stop
if [ -r "$P/nginx.pid" ]; then bad "nginx stopped"; else ok "nginx stopped"; fi
trap - EXIT INT TERM
fi
