/* The host end of NIC tests (certify/peer.c): order is tracked per flow, duplicates are
 * counted, tap mode names its fds, and two sockets talk over loopback. The frame format
 * itself is tested in test_nicframe.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "../../certify/peer.h"
#include "unit.h"

/* Order is kept per flow: two flows interleaved are fine, a swap inside one is not, and a
 * frame seen twice is a duplicate. Fed through a loopback pair in UDP mode. */
static void test_peer_flow_order(void)
{
	struct certify_peer a, b;
	struct certify_err err;
	uint8_t f[PEER_MAX_FRAME];
	static const uint32_t seqs[] = { 0, 100, 1, 101, 2, 102 };
	const struct nicframe_ends e = { .dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	CU_ASSERT_FATAL(certify_peer_open(&a, &err) == 0);
	CU_ASSERT_FATAL(certify_peer_open(&b, &err) == 0);
	to.sin_port = htons(b.host_port);
	certify_peer_tx_begin(&b, 0);
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		nicframe_build_udp(f, &e, seqs[i], 80, seqs[i] / 100);
		CU_ASSERT(sendto(a.fd, f, 80, 0, (struct sockaddr *)&to, sizeof(to)) == 80);
	}
	certify_peer_drain(&b, 6, 500);
	CU_ASSERT(b.rx_frames == 6 && b.rx_out_of_order == 0 && b.rx_dup == 0);
	certify_peer_tx_begin(&b, 0);
	static const uint32_t bad[] = { 0, 2, 1, 1 };	/* 2 early, 1 late, 1 again */
	for (size_t i = 0; i < 4; i++) {
		nicframe_build_udp(f, &e, bad[i], 80, 0);
		CU_ASSERT(sendto(a.fd, f, 80, 0, (struct sockaddr *)&to, sizeof(to)) == 80);
	}
	certify_peer_drain(&b, 4, 500);
	CU_ASSERT(b.rx_frames == 4 && b.rx_out_of_order == 3 && b.rx_dup == 1);
	certify_peer_close(&a);
	certify_peer_close(&b);
}

/* Tap mode end to end without QEMU: the interface exists while its queue fds are open,
 * QEMU's arguments name those fds, and it is gone once they close. Needs root and
 * /dev/net/tun; elsewhere the test says so and checks only that the reason is given. */
static void test_peer_tap(void)
{
	struct certify_peer p;
	struct certify_err err;
	struct certify_strv args = { 0 };
	char why[300], path[64];
	const int *fds;

	if (certify_tap_available(why, sizeof(why)) < 0) {
		CU_ASSERT(why[0] != '\0');	/* e.g. "/dev/net/tun: Permission denied" */
		return;
	}
	if (certify_peer_open_tap(&p, 3, &err) < 0) {
		CU_FAIL(err.msg);
		return;
	}
	CU_ASSERT(strncmp(p.tap.name, "hvkt", 4) == 0);
	CU_ASSERT(certify_peer_keep_fds(&p, &fds) == 3);
	CU_ASSERT(certify_peer_qemu_args(&p, "hp", &args) == 0);
	char want[96];
	snprintf(want, sizeof(want), "tap,id=hp,fds=%d:%d:%d,vhost=off", fds[0], fds[1], fds[2]);
	CU_ASSERT(args.n == 2 && strcmp(args.v[1], want) == 0);
	snprintf(path, sizeof(path), "/sys/class/net/%s", p.tap.name);
	CU_ASSERT(access(path, F_OK) == 0);
	certify_peer_close(&p);
	CU_ASSERT(access(path, F_OK) != 0);
	certify_strv_free(&args);
}

/* A second peer stands in for QEMU: frames sent to its port arrive and are counted. */
static void test_peer_loopback(void)
{
	struct certify_peer a, b;
	struct certify_err err;

	CU_ASSERT_FATAL(certify_peer_open(&a, &err) == 0);
	CU_ASSERT_FATAL(certify_peer_open(&b, &err) == 0);
	a.qemu_port = b.host_port;		/* a sends to b */
	certify_peer_tx_begin(&b, 0);
	CU_ASSERT(certify_peer_send(&a, 0, 40) == 0);
	certify_peer_drain(&b, 40, 500);
	CU_ASSERT(b.rx_frames == 40 && b.rx_bad == 0 && b.rx_out_of_order == 0);
	certify_peer_close(&a);
	certify_peer_close(&b);
}

UNIT_SUITE(certify_peer)
{
	CU_pSuite s = CU_add_suite("certify_peer", NULL, NULL);
	CU_add_test(s, "loopback", test_peer_loopback);
	CU_add_test(s, "flow_order", test_peer_flow_order);
	CU_add_test(s, "tap", test_peer_tap);
}
