#!/bin/sh
# Writes a synthetic HCL list with N entries to stdout (for the benchmark and big-list tests):
# N-1 generated devices plus the real virtio and e1000 entries, so real inventories match.
# usage: gen-list.sh N
set -eu
awk -v n="$1" 'BEGIN {
  printf "{\"schema_version\":1,\"generated\":\"2026-11-25T00:00:00Z\",\"releases\":[\"0.0.9\",\"0.1.0\"],\"entries\":[\n";
  for (i = 0; i < n - 3; i++) {
    v = 4096 + int(i / 3000); d = i % 3000 * 21 + 1;
    t = i % 2 ? "nic" : "storage";
    if (i % 3 == 0) { sv = sprintf("%04x", v); sd = sprintf("%04x", i % 65000 + 1) } else { sv = "*"; sd = "*" }
    printf "{\"vid\":\"%04x\",\"did\":\"%04x\",\"svid\":\"%s\",\"ssid\":\"%s\",\"vendor\":\"Vendor %04x\",\"model\":\"Model %d\",\"type\":\"%s\",\"releases\":{\"0.1.0\":{\"driver\":\"drv%d\",\"driver_version\":\"1.0.%d\",\"firmware\":null,\"features\":[\"msix\"],\"certified\":\"2026-11-20\",\"runs\":[\"run-%d\"],\"status\":\"certified\"}}},\n", v, d, sv, sd, v, i, t, i % 50, i % 10, i;
  }
  print "{\"vid\":\"1af4\",\"did\":\"1041\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Red Hat, Inc.\",\"model\":\"Virtio 1.0 network device\",\"type\":\"nic\",\"releases\":{\"0.1.0\":{\"driver\":\"virtio-net\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-11-10\",\"runs\":[\"run-1\"],\"status\":\"certified\"}}},";
  print "{\"vid\":\"1af4\",\"did\":\"1042\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Red Hat, Inc.\",\"model\":\"Virtio 1.0 block device\",\"type\":\"storage\",\"releases\":{\"0.1.0\":{\"driver\":\"virtio-blk\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-11-10\",\"runs\":[\"run-2\"],\"status\":\"certified\"}}},";
  print "{\"vid\":\"8086\",\"did\":\"100e\",\"svid\":\"*\",\"ssid\":\"*\",\"vendor\":\"Intel Corporation\",\"model\":\"82540EM Gigabit Ethernet Controller\",\"type\":\"nic\",\"releases\":{\"0.1.0\":{\"driver\":\"e1000\",\"driver_version\":\"1.0.0\",\"firmware\":null,\"features\":[],\"certified\":\"2026-11-18\",\"runs\":[\"run-3\"],\"status\":\"certified\"}}}";
  print "]}";
}'
