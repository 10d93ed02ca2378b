# hcl site: the static page, opened from file:// in headless Chromium (sourced by run.sh).
S=$W/site
expect "site" 0 "$HCL" site -o "$S" --hcl "$W/s.json" --pubkey "$W/key.pub"
for f in index.html app.js style.css hcl.json hcl-data.js; do
	if [ -s "$S/$f" ]; then ok "site has $f"; else bad "site has $f"; fi
done
if grep -lE '(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/' "$S/index.html" "$S/app.js" "$S/style.css" > "$W/out"; then
	bad "no external URLs" "$W/out"
else
	ok "no external URLs"
fi
expect "site hcl.json validates" 0 "$HCL" validate "$S/hcl.json"
has "site list complete" "valid, 11 entries, 2 releases"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
# dom QUERY: the page after its script ran, with the filters of ?QUERY.
dom() {
	u=$(mktemp -d "$W/chrome.XXXXXX")
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$u" \
		--dump-dom "$1" > "$W/out" 2>"$W/chrome.err"
	rm -rf "$u"
}
if [ -z "$CHROME" ]; then
	bad "site in headless Chromium: chromium is not installed (scripts/deps.sh installs it)"
else
	dom "file://$S/index.html?q=e1000"
	has "q=e1000 shows e1000" 'data-key="8086:100e:\*:\*:0.1.0"'
	has "q=e1000 shows e1000e" 'data-key="8086:10d3:\*:\*:0.1.0"'
	hasnt "q=e1000 hides virtio" 'data-key="1af4'
	has "count of shown rows" 'id="count">4<'
	# Coverage: what the runs of a certification passed, did not run and found not applicable.
	has "coverage of a partial certification" '<td class="coverage partial"><details><summary>partial: 2 of 3 configurations</summary>'
	has "coverage says what was not run and why" '<div class="notrun">not run: pc-msix-smp1-kvm \(KVM unusable: /dev/kvm: No such file or directory\)</div>'
	has "coverage not stated by an older entry" '<td class="coverage unknown">not stated</td>'
	dom "file://$S/index.html?type=storage&release=0.1.0"
	has "storage filter" 'data-key="8086:2922:\*:\*:0.1.0"'
	hasnt "storage filter hides NICs" 'data-key="8086:100e'
	hasnt "release filter hides 0.0.9" ':0.0.9"'
	dom "file://$S/index.html?did=8086:1572"
	has "device ID filter" 'id="count">1<'
	dom "file://$S/index.html?driver=ahci&status=certified"
	has "driver filter" 'id="count">3<'
	dom "file://$S/index.html?vendor=Red%20Hat%2C%20Inc."
	has "vendor filter" 'id="count">2<'
	# Firmware and the certified build (tests/hcl/fixtures/fw-list.json).
	expect "site of the firmware list" 0 "$HCL" site -o "$W/fwsite" --hcl "$FIX/fw-list.json" --insecure
	dom "file://$W/fwsite/index.html"
	has "site: a minimum firmware" '<td class="firmware">at least 7.2</td>'
	has "site: an exact firmware and its build" '<td class="firmware">0.0-0<div class="build" title="[^"]*">build 6102c32942ac</div></td>'
	has "site: no firmware named" '<td class="firmware">any</td>'
	# Features and firmware of an exported list (fixtures/feature-list.json, real runs).
	expect "site of the exported feature list" 0 "$HCL" site -o "$W/featsite" --hcl "$FIX/feature-list.json" --insecure
	dom "file://$W/featsite/index.html"
	has "site: a NIC's features and firmware rule" '<td class="firmware">0.0-0<div class="build" title="[^"]*">build 5177f130ae76</div></td><td class="features"><span class="feature">jumbo</span><span class="feature">link-state</span><span class="feature">intx</span></td>'
	has "site: a storage controller's features and firmware rule" '<td class="firmware">7.2.22<div class="build" title="[^"]*">build 13cf29651343</div></td><td class="features"><span class="feature">msix</span><span class="feature">poll</span><span class="feature">lba64</span><span class="feature">flush</span></td>'
	dom "file://$W/featsite/index.html?feature=jumbo"
	has "site: feature filter shows the jumbo NIC" 'data-key="8086:100e:1af4:1100:0.1.0"'
	hasnt "site: feature filter hides the nvme" 'data-key="1b36:0010'
	has "site: feature filter count" 'id="count">1<'
	dom "file://$S/index.html?q=e1000e"
	has "site: a hand-made list's features shown" '<td class="features"><span class="feature">msix</span><span class="feature">csum-offload</span><span class="feature">tso</span></td>'
	u=$(mktemp -d "$W/chrome.XXXXXX")
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$u" \
		--window-size=1280,900 --screenshot="$W/site.png" "file://$S/index.html?q=nvme" \
		> "$W/out" 2>&1
	rm -rf "$u"
	if [ -s "$W/site.png" ]; then ok "screenshot ($W/site.png)"; else bad "screenshot" "$W/out"; fi
fi
