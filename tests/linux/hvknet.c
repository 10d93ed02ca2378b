/*
 * hvkguest net IFNAME: the Linux guest's side of the host peer's NIC test (certify/peer.c),
 * as the test OS does it in vmm.uplink: one test frame of every size 60..1514 (sequence
 * 0..1454, lib/nicframe.h) from the guest to the host, which counts and checks them, then
 * the host's 1455 frames to the guest, which checks each here. The guest's frames leave
 * through an AF_PACKET socket on IFNAME (the stock virtio_net driver on our virtio-mmio
 * NIC, the virtual switch, the uplink's driver). The guest paces the host with the VMM's
 * VM_HC_PEER_SYNC hypercall, which the VMM turns into the peer's sync points.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <lib/nicframe.h>

#include "hvknet.h"

#define HVK_HC_PEER_SYNC	6	/* hvkernel/include/vmm/vm.h: VM_HC_PEER_SYNC */
enum { PEER_TX, PEER_TX_DONE, PEER_PROBE, PEER_RX };	/* VM_PEER_* */
#define NET_FRAMES	1455	/* one of every size 60..1514, as certify/peer.c expects */
#define NET_BATCH	32	/* host frames asked for at once: half the 64-entry RX ring */
#define NET_WAIT_MS	3000	/* a frame not here by then is lost (a loaded TCG host) */

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static int net_sync(unsigned point, unsigned n)
{
	unsigned long a = HVK_HC_PEER_SYNC;

	__asm__ volatile("vmmcall" : "+a"(a) : "b"((unsigned long)point), "c"((unsigned long)n)
			 : "memory");
	if (a) {
		printf("hvkguest: net: peer sync %u refused by the VMM (%ld)\n", point, (long)a);
		return -1;
	}
	return 0;
}

/* The socket on ifname, brought up, and its MAC in mac. -1 with the reason printed. */
static int net_open(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int one = 1, big = 4 << 20;
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0) {
		printf("hvkguest: net: packet socket: %s\n", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto bad;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto bad;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto bad;
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = ifr.ifr_ifindex };
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
		goto bad;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return fd;
bad:
	printf("hvkguest: net: %s: %s\n", ifname, strerror(errno));
	close(fd);
	return -1;
}

/* One frame, retried while the device queue is full (ENOBUFS: nothing was sent). */
static int net_send(int fd, const uint8_t *f, size_t len)
{
	for (int tries = 0; tries < 10000; tries++) {
		if (send(fd, f, len, 0) == (ssize_t)len)
			return 0;
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			break;
		usleep(500);
	}
	printf("hvkguest: net: send of %zu bytes: %s\n", len, strerror(errno));
	return -1;
}

/* The next frame within wait_ms, or 0 when none came (its length in *len). */
static int net_recv(int fd, uint8_t *buf, size_t size, size_t *len, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	ssize_t n = recv(fd, buf, size, 0);
	if (n < 0)
		return 0;
	*len = (size_t)n;
	return 1;
}

/* Probe until the path passes frames from the host (QEMU's e1000 holds its receiver for
 * about a second after the driver starts it), then let late probes drain. */
static int net_ready(int fd, uint8_t *buf, size_t size)
{
	size_t len;
	struct nicframe_info fi;

	for (int tries = 0; tries < 50; tries++) {
		if (net_sync(PEER_PROBE, 0) < 0)
			return -1;
		while (net_recv(fd, buf, size, &len, 200))
			if (nicframe_check(buf, len, &fi) > 0 && fi.seq >= NICFRAME_PROBE_SEQ) {
				while (net_recv(fd, buf, size, &len, 100))
					;
				return 0;
			}
	}
	printf("hvkguest: net: no probe frame from the host in 50 tries\n");
	return -1;
}

int hvknet_run(const char *ifname)
{
	static uint8_t f[NICFRAME_MAX_STD + 64];
	struct nicframe_ends e = { .dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	uint32_t got = 0, bad = 0, disorder = 0, sent = 0;
	struct nicframe_order order;
	int fd = net_open(ifname, e.src);

	if (fd < 0)
		return 1;
	if (net_sync(PEER_TX, 0) < 0)
		goto out;
	for (; sent < NET_FRAMES; sent++)
		if (net_send(fd, f, nicframe_build(f, &e, sent, NICFRAME_MIN + sent)) < 0)
			break;
	/* The host checks what it got now, whatever we managed to send. */
	if (net_sync(PEER_TX_DONE, 0) < 0 || sent != NET_FRAMES || net_ready(fd, f, sizeof(f)) < 0)
		goto out;
	nicframe_order_start(&order, 0);
	for (uint32_t asked = 0; asked < NET_FRAMES; ) {
		uint32_t k = NET_FRAMES - asked < NET_BATCH ? NET_FRAMES - asked : NET_BATCH;
		if (net_sync(PEER_RX, k) < 0)
			goto out;
		asked += k;
		while (got < asked) {
			size_t len;
			struct nicframe_info fi;
			if (!net_recv(fd, f, sizeof(f), &len, NET_WAIT_MS)) {
				printf("hvkguest: net: host frame %u of %u not received in %d ms\n",
				       got, NET_FRAMES, NET_WAIT_MS);
				goto out;
			}
			int r = nicframe_check(f, len, &fi);
			if (r == 0 || (r > 0 && fi.seq >= NICFRAME_PROBE_SEQ))
				continue;	/* not a test frame, or a late probe */
			got++;
			/* certify_peer_send's sizes: 60 + seq mod 1455 */
			if (r < 0 || len != NICFRAME_MIN + fi.seq % NET_FRAMES)
				bad++;
			else if (!nicframe_order_step(&order, fi.seq))
				disorder++;
		}
	}
out:
	close(fd);
	printf("hvkguest: net %s: %u frames sent, %u of %u received, %u bad, %u out of order\n",
	       ifname, sent, got, NET_FRAMES, bad, disorder);
	return !(sent == NET_FRAMES && got == NET_FRAMES && !bad && !disorder);
}
