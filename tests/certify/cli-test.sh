#!/bin/sh
# certify's command line end to end: usage errors, listings, and self-test runs whose
# kernel passes, fails, panics, hangs and writes garbage (each a verdict within bounds).
. "$(dirname "$0")/lib.sh"
plans

expect help 0 "$CERTIFY" --help
has help-text "$T/out" "^  run --device"
expect version 0 "$CERTIFY" --version
has version-text "$T/out" "^certify \(hvkit\) for hvkernel"
expect no-command 2 "$CERTIFY"
expect bad-command 2 "$CERTIFY" frobnicate
has bad-command-msg "$T/err" "unknown command 'frobnicate'"
expect bad-model 2 "$CERTIFY" run --device e1001
has bad-model-msg "$T/err" "^certify: --device e1001: unknown device model 'e1001'"
expect no-device 2 "$CERTIFY" run
expect bad-seed 2 "$CERTIFY" run --device edu --seed 12x
has bad-seed-msg "$T/err" "--seed 12x"
expect bad-plan 2 "$CERTIFY" run --device e1000 --plan nosuch --plans "$T/plans"
has bad-plan-msg "$T/err" "plan 'nosuch': no such plan"
expect auto-other 2 "$CERTIFY" run --device edu
has auto-other-msg "$T/err" "edu is neither a NIC nor a storage controller"
expect kind-mismatch 2 "$CERTIFY" run --device nvme --plan nic --plans "$T/plans"
has kind-mismatch-msg "$T/err" "a storage device, but plan 'nic' certifies nic devices"
expect bad-module 2 "$CERTIFY" run --device edu --plan selftest --module /nonexistent.hvm
has bad-module-msg "$T/err" "/nonexistent.hvm"
expect module-nomatch 2 "$CERTIFY" run --device e1000 --module build/modules/edu.hvm
has module-nomatch-msg "$T/err" "edu.hvm: its ID table matches none of the --device models"
expect bad-format 2 "$CERTIFY" report 1 --format pdf
# Several devices: each must be one the plan's tests exercise, else it is refused before
# anything boots or is stored (a second NIC or HBA, a NIC in a plan without NIC tests).
expect two-kinds 2 "$CERTIFY" run --plan nic --device e1000 --device nvme
has two-kinds-msg "$T/err" "^certify: --device nvme: a storage device, but plan 'nic' certifies nic devices$"
expect two-nics 2 "$CERTIFY" run --plan nic --device e1000 --device rtl8139
has two-nics-msg "$T/err" "^certify: --device rtl8139: plan 'nic' \(topology nic-pair\) exercises one nic per run, e1000 already; certify rtl8139 in a run of its own$"
expect two-hbas 2 "$CERTIFY" run --plan storage --device nvme --device virtio-blk-pci
has two-hbas-msg "$T/err" "^certify: --device virtio-blk-pci: plan 'storage' \(topology disk\) exercises one storage per run, nvme already"
expect nic-untested 2 "$CERTIFY" run --plan selftest --device e1000
has nic-untested-msg "$T/err" "^certify: --device e1000: plan 'selftest' \(topology none\) exercises no NIC; it would be stored untested$"
expect vm-needs-both 2 "$CERTIFY" run --plan vm --device e1000
has vm-needs-both-msg "$T/err" "^certify: plan 'vm' \(topology vm\) needs one NIC and one storage controller: no storage controller given$"
expect vm-extra 2 "$CERTIFY" run --plan vm --device e1000 --device nvme --device edu
has vm-extra-msg "$T/err" "^certify: --device edu: plan 'vm' \(topology vm\) exercises no device of this kind"
# A run binds QEMU's version: a QEMU that does not say it is refused before anything boots.
expect no-qemu-version 2 env CERTIFY_QEMU=/bin/false "$CERTIFY" run --plan selftest --device edu
has no-qemu-version-msg "$T/err" "^certify: /bin/false --version: no version \(exit status 1\): is QEMU installed\?$"
if ! store_exists || [ "$(q 'select count(*) from runs')" = 0 ]; then
	ok refused-devices-store-nothing; else bad refused-devices-store-nothing "runs were stored"; fi
expect plans 0 "$CERTIFY" plans --plans "$T/plans"
has plans-nic "$T/out" "^nic +nic +24"
if grep -q selftest "$T/out"; then bad plans-hidden "selftest listed without --all"; else ok plans-hidden; fi
expect devices 0 "$CERTIFY" devices
has devices-edu "$T/out" "^edu +1234:11e8 .*edu.hvm"

# A passing self-test run, reports written, and its seed reproduces the command line.
expect run-pass 0 "$CERTIFY" run --plan selftest --device edu --seed 4242 \
	--junit "$T/r.xml" --html "$T/r.html"
has run-pass-verdict "$T/out" "^verdict: PASS \(run 1, seed 4242\)"
has run-pass-line "$T/out" "^PASS +pc-none-smp1-tcg \(8 tests"
has run-pass-official "$T/out" "^plan: +plans/selftest.plan sha256 [0-9a-f]{16}, official$"
has run-pass-kernel "$T/out" "^kernel: +.*hvkernel.elf sha256 [0-9a-f]{16}$"
has run-pass-qemu "$T/out" "^qemu: +QEMU emulator version [0-9]"
k=$(sha256sum build/hvkernel.elf | cut -d ' ' -f 1)
p=$(sha256sum plans/selftest.plan | cut -d ' ' -f 1)
v=$(q "select plan_sha256 || ' ' || kernel_sha256 || ' ' || official from runs where id = 1")
if [ "$v" = "$p $k 1" ]; then ok run-pass-binding; else bad run-pass-binding "stored '$v', files $p $k"; fi
expect show 0 "$CERTIFY" show last
has show-certified "$T/out" "^run 1: pass \(certified\)"
has show-driver "$T/out" "^driver: +edu 1.0"
expect show-json 0 "$CERTIFY" show 1 --json
has show-json-seed "$T/out" '"seed": ?"4242"'
expect history 0 "$CERTIFY" history --device edu
has history-row "$T/out" "^1 .* selftest +complete +pass +yes"
expect history-none 0 "$CERTIFY" history --device nvme
if [ "$(wc -l < "$T/out")" = 1 ]; then ok history-filter; else bad history-filter "$(cat "$T/out")"; fi
expect no-run 2 "$CERTIFY" show 99
has no-run-msg "$T/err" "run 99: no such run"

# A test failure is a fail (exit 1); the failing test is named.
sed 's/^params = .*/params = boot.probe=41/; s/^name = .*/name = selffail/' plans/selftest.plan \
	> "$T/plans/selffail.plan"
expect run-fail 1 "$CERTIFY" run --plans "$T/plans" --plan selffail --device edu
has run-fail-why "$T/out" "^FAIL +pc-none-smp1-tcg .*boot.cmdline: fail"

# The same seed gives the same kernel command line.
expect seed-a 0 "$CERTIFY" run --plan selftest --device edu --seed 77
expect seed-b 0 "$CERTIFY" run --plan selftest --device edu --seed 77
a=$(q "select cmdline from configs c join runs r on r.id=c.run_id where r.id=3")
b=$(q "select cmdline from configs c join runs r on r.id=c.run_id where r.id=4")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok seed-reproduces; else bad seed-reproduces "'$a' vs '$b'"; fi

# A panic is a fail with the backtrace in the log; a hang is a fail within its timeout
# plus a few seconds; garbage on the result channel or a bad selection is an error.
mk() {	# mk NAME TESTS TIMEOUT
	sed "s/^name = .*/name = $1/; s/^tests = .*/tests = $2/; s/^timeout = .*/timeout = $3/; \
	     s/^params = .*//" plans/selftest.plan > "$T/plans/$1.plan"
}
mk selfpanic panic.pf 30
mk selfhang harness.hang 4
mk selfgarbage harness.garbage 30
mk selfbadsel nosuch 30
expect run-panic 1 "$CERTIFY" run --plans "$T/plans" --plan selfpanic --device edu
has run-panic-why "$T/out" "^FAIL .*panic"
n=$(q "select count(*) from configs where run_id=(select max(id) from runs) \
	and log like '%panic backtrace%'")
if [ "$n" = 1 ]; then ok run-panic-log; else bad run-panic-log "no backtrace in the stored log"; fi
start=$(date +%s)
expect run-hang 1 "$CERTIFY" run --plans "$T/plans" --plan selfhang --device edu
took=$(( $(date +%s) - start ))
has run-hang-why "$T/out" "^FAIL .*timeout"
if [ "$took" -le 10 ]; then ok run-hang-bounded; else bad run-hang-bounded "took $took s (timeout 4 s)"; fi
expect run-garbage 2 "$CERTIFY" run --plans "$T/plans" --plan selfgarbage --device edu
has run-garbage-why "$T/out" "^ERROR .*result channel"
expect run-badsel 2 "$CERTIFY" run --plans "$T/plans" --plan selfbadsel --device edu
has run-badsel-why "$T/out" "^ERROR "
# A kernel that floods the channel with passing tests, cuts a record short, exits "pass"
# with nothing reported, or whose end record claims passes it never reported: each is an
# error (exit 2), never a pass, and names what was wrong.
mk selfflood harness.flood 120
mk selftrunc harness.truncate 30
mk selfsilent harness.silent 30
mk selflie harness.lie 30
expect run-flood 2 "$CERTIFY" run --plans "$T/plans" --plan selfflood --device edu
has run-flood-why "$T/out" "^ERROR .*result channel: flood: more than 16384 test records"
expect run-truncate 2 "$CERTIFY" run --plans "$T/plans" --plan selftrunc --device edu
has run-truncate-why "$T/out" "^ERROR .*unterminated last line"
expect run-silent 2 "$CERTIFY" run --plans "$T/plans" --plan selfsilent --device edu
has run-silent-why "$T/out" "^ERROR .*without an end record"
expect run-lie 2 "$CERTIFY" run --plans "$T/plans" --plan selflie --device edu
has run-lie-why "$T/out" "^ERROR .*end record counts 4 passed"

# The kernel's `selected` record binds it to the plan: a selected test that never reports
# (the end record and the exit code of a pass notwithstanding), a test reported that was
# never selected, a plan word that selects nothing (a suite of manual tests) and a run with
# no test at all are errors, never a pass.
mk selfunrep harness.unreported 30
mk selfunsel harness.unselected 30
mk selfnone harness 30
mk selfpart "netdev harness" 30
expect run-unreported 2 "$CERTIFY" run --plans "$T/plans" --plan selfunrep --device edu
has run-unreported-why "$T/out" "^ERROR .*selected test harness.unreported has no test record"
expect run-unselected 2 "$CERTIFY" run --plans "$T/plans" --plan selfunsel --device edu
has run-unselected-why "$T/out" "^ERROR .*test harness.ghost reported, but it was not selected"
expect run-no-tests 2 "$CERTIFY" run --plans "$T/plans" --plan selfnone --device edu
has run-no-tests-why "$T/out" "^ERROR .*\(0 tests.*plan test 'harness' selected no test in the kernel"
expect run-word-selects-none 2 "$CERTIFY" run --plans "$T/plans" --plan selfpart --device edu
has run-word-selects-none-why "$T/out" "^ERROR .*\\(1 tests.*plan test 'harness' selected no test"

# Coverage: a configuration the device cannot take (edu has no MSI-X) is not applicable, one
# the host was told not to run (--accel tcg on a TCG+KVM plan) is not run; neither passes.
# The run passes, certified for the one configuration that ran, and says so.
sed 's/^name = .*/name = selfcov/; s/^irq = .*/irq = msix intx/; s/^accel = .*/accel = tcg kvm/' \
	plans/selftest.plan > "$T/plans/selfcov.plan"
expect run-coverage 0 "$CERTIFY" run --plans "$T/plans" --plan selfcov --device edu --accel tcg
has run-coverage-na "$T/out" "^N/A +pc-msix-smp1-tcg: the device under test has no msix"
has run-coverage-notrun "$T/out" "^NOTRUN +pc-intx-smp1-kvm: not asked for: --accel tcg"
has run-coverage-line "$T/out" "^coverage: partial: 1 of 4 configurations passed; 1 not run \(not asked for: --accel tcg\); 2 not applicable"
v=$(q "select verdict from configs where run_id = (select max(id) from runs) order by idx" | \
	tr '\n' ' ' | sed 's/ $//')
if [ "$v" = "na na pass notrun" ]; then ok coverage-stored; else bad coverage-stored "verdicts '$v'"; fi
# selfcov is no plan shipped with this release: the run passes, stored unofficial, never
# certified. A shipped plan changed by one comment line is unofficial too.
has run-coverage-unofficial "$T/out" "^certified: no, an unofficial run: plan 'selfcov' is not one shipped with hvkit "
expect history-unofficial 0 "$CERTIFY" history
has history-unofficial-row "$T/out" "^[0-9]+ .* selfcov +complete +pass +unofficial "
{ cat plans/selftest.plan; echo "# a lab's copy"; } > "$T/plans/selftest.plan"
expect run-changed-plan 0 "$CERTIFY" run --plans "$T/plans" --plan selftest --device edu
has run-changed-plan-why "$T/out" "^plan: .* unofficial: plan 'selftest' differs from the one shipped with hvkit .*\(sha256 [0-9a-f]{16}, shipped [0-9a-f]{16}\)$"
has run-changed-plan-certified "$T/out" "^certified: no, an unofficial run: plan 'selftest' differs"
expect show-changed-plan 0 "$CERTIFY" show last
has show-changed-plan-official "$T/out" "^official: no: plan 'selftest' differs"
if grep -q "(certified)" "$T/out"; then bad show-changed-not-certified "shown certified"; else
	ok show-changed-not-certified; fi
cp plans/selftest.plan "$T/plans/selftest.plan"
expect coverage-show 0 "$CERTIFY" show "$(q "select max(id) from runs where plan = 'selfcov'")"
has coverage-show-line "$T/out" "1 pass, 0 fail, 0 error, 2 not applicable, 1 not run; coverage partial"

# --jobs: four configurations, two at a time, each in its own temp dir.
sed 's/^name = .*/name = selfjobs/; s/^machines = .*/machines = pc q35/; s/^smp = .*/smp = 1 2/' \
	plans/selftest.plan > "$T/plans/selfjobs.plan"
expect run-jobs 0 "$CERTIFY" run --plans "$T/plans" --plan selfjobs --device edu --jobs 2
n=$(grep -c '^PASS ' "$T/out")
if [ "$n" = 4 ]; then ok run-jobs-all; else bad run-jobs-all "$n of 4 configurations passed"; fi
n=$(q "select count(*) from runs where status != 'complete'")
if [ "$n" = 0 ]; then ok store-complete; else bad store-complete "$n runs not complete"; fi
exit $failed
