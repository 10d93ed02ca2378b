#!/bin/sh
# `make bench LINUX=1`: the Linux baseline in the same invocation, side by side with the
# hvkit drivers and their device models' ceilings. Runs ../shared/baselines/linux (run.sh:
# e1000, virtio-net, virtio-blk, nvme, ahci) and scripts/linux-baseline-extra.sh (rtl8139,
# vmxnet3, pvscsi; then LB_HBA=megasas) with RUNS boots each under TCG, on the same devices,
# flags and workload as scripts/bench-drivers.sh, and prints per device and figure the
# hvkit median (DRIVERS_OUT, from bench-drivers.sh moments before), Linux's median, the
# ceiling (CEIL_OUT, from bench-ceiling.sh; "-" where no probe exists yet) and the ratios.
#   NIC loop  nic.rate rx_pps        Linux "A->B loop: RX (pps)"
#   TX only   nic.txonly tx_pps      Linux "TX only, B down (pps)"
#   seq read  blk.seqbench read_MBps   Linux "seq read 64MiB 1MiB O_DIRECT (MB/s)"
#   seq write blk.seqbench write_MBps  Linux "seq write ..."
# usage: bench-linux.sh RUNS DRIVERS_OUT [CEIL_OUT]
#   LB_SRC  the shared baseline folder (default ../shared/baselines/linux)
set -u
runs=$1
drivers=$2
ceil=${3:-}
here=$(dirname "$0")
src=${LB_SRC:-$(cd "$here/.." && pwd)/../shared/baselines/linux}
work=$(mktemp -d "${TMPDIR:-/tmp}/hvlinux.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
status=0
# bench.py gives up on a boot that has not reached /init in 60 s; a host shared by several
# sessions (load 29 here) took 54 s to the kernel's first line, so allow more.
deadline="--init-deadline ${LB_INIT_DEADLINE:-240} --timeout ${LB_TIMEOUT:-600}"

if [ ! -s "$drivers" ]; then
	echo "bench-linux: $drivers: no hvkit driver figures to compare" >&2
	exit 1
fi
[ -f "$src/run.sh" ] || { echo "bench-linux: $src: no baseline scripts there (set LB_SRC)" >&2; exit 1; }
# A run with an incomplete boot exits non-zero (bench.py); its table still has the rest.
bash "$src/run.sh" --runs "$runs" --accel tcg $deadline > "$work/linux.out" 2>&1 ||
	{ echo "bench-linux: the Linux baseline reported a failure (its output follows)" >&2; status=1; }
sh "$here/linux-baseline-extra.sh" --runs "$runs" --accel tcg $deadline > "$work/extra.out" 2>&1 ||
	{ echo "bench-linux: linux-baseline-extra.sh (pvscsi) reported a failure" >&2; status=1; }
LB_HBA=megasas sh "$here/linux-baseline-extra.sh" --runs "$runs" --accel tcg $deadline > "$work/megasas.out" 2>&1 ||
	{ echo "bench-linux: linux-baseline-extra.sh (megasas) reported a failure" >&2; status=1; }
grep -h '^#' "$work/linux.out" | head -n 4
[ "$status" = 0 ] || cat "$work/linux.out" "$work/extra.out" "$work/megasas.out" >&2
# bench.py's table rows "| net e1000      A->B loop: RX (pps) | 108647 [98140..136318] |"
# become "DEVICE METRIC MEDIAN" under the hvkit metric names.
cat "$work/linux.out" "$work/extra.out" "$work/megasas.out" | awk -F'|' '
NF >= 4 && $2 ~ /^ (net|blk) / {
	split($2, w, " "); v = $3; sub(/^ */, "", v); split(v, x, " ")
	if (x[1] !~ /^[0-9.]+$/) next
	m = ""
	if (w[1] == "net" && $2 ~ /loop: RX/) m = "nic.rate.rx_pps"
	if (w[1] == "net" && $2 ~ /TX only/) m = "nic.txonly.tx_pps"
	if (w[1] == "blk" && w[4] == "read") m = "blk.seqbench.read_MBps"
	if (w[1] == "blk" && w[4] == "write") m = "blk.seqbench.write_MBps"
	if (m != "") print w[2], m, x[1]
}' > "$work/linux.txt"
if [ ! -s "$work/linux.txt" ]; then
	echo "bench-linux: no figures in the Linux baseline's output" >&2
	exit 1
fi
awk '
function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
FNR == 1 { file++ }
$3 ~ /^[0-9.]+$/ && file == 1 { hv[$1, $2] = $3 }
$3 ~ /^[0-9.]+$/ && file == 2 { lx[$1, $2] = $3; order[++n] = $1 " " $2 }
$3 ~ /^[0-9.]+$/ && file == 3 { c = $2; sub(/^ceil\.nic_loop\./, "nic.rate.", c);
	sub(/^ceil\.nic_txonly\./, "nic.txonly.", c); sub(/^ceil\.blk_seq\./, "blk.seqbench.", c);
	sub(/^ceil\.blk_rand\./, "blk.randbench.", c); cl[$1, c] = $3 }
END {
	printf "%-11s %-24s %10s %10s %10s %9s %9s\n", "device", "figure", "hvkit", "linux",
	       "ceiling", "hv/linux", "hv/ceil"
	for (i = 1; i <= n; i++) {
		split(order[i], k, " ")
		h = ((k[1], k[2]) in hv) ? hv[k[1], k[2]] : "-"
		c = ((k[1], k[2]) in cl) ? cl[k[1], k[2]] : "-"
		printf "%-11s %-24s %10s %10s %10s %9s %9s\n", k[1], k[2], h, lx[k[1], k[2]], c,
		       h == "-" ? "-" : ratio(h, lx[k[1], k[2]]), (h == "-" || c == "-") ? "-" : ratio(h, c)
	}
}' "$drivers" "$work/linux.txt" "${ceil:-/dev/null}"
exit "$status"
