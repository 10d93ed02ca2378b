/* The host end of NIC tests (certify/peer.c): frames it builds pass its own check, any
 * damage is caught, foreign frames are told apart, and two sockets talk over loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "../../certify/peer.h"
#include "unit.h"

static void test_peer_frames(void)
{
	uint8_t f[PEER_MAX_FRAME];
	uint32_t seq = 0;

	for (size_t len = 60; len <= PEER_MAX_FRAME; len += 97) {
		certify_peer_build(f, 1234, len);
		CU_ASSERT(certify_peer_check(f, len, &seq) == 1);
		CU_ASSERT(seq == 1234);
		f[len - 1] ^= 1;
		CU_ASSERT(certify_peer_check(f, len, &seq) == -1);
	}
	certify_peer_build(f, 1, 60);
	f[12] = 0x08;		/* IPv4: not one of ours */
	CU_ASSERT(certify_peer_check(f, 60, &seq) == 0);
	CU_ASSERT(certify_peer_check(f, 10, &seq) == 0);
}

/* The IPv4/UDP form: intact frames pass with their flow, damage anywhere in our part is
 * caught, the IPv4 header checksum is right, and UDP to another port is not ours. */
static void test_peer_udp_frames(void)
{
	uint8_t f[PEER_MAX_FRAME];
	uint32_t seq = 0, flow = 0;

	for (size_t len = 60; len <= PEER_MAX_FRAME; len += 97) {
		certify_peer_build_udp(f, 77, len, 5);
		CU_ASSERT(f[12] == 0x08 && f[13] == 0x00 && f[14] == 0x45 && f[23] == 17);
		CU_ASSERT((size_t)(f[16] << 8 | f[17]) == len - 14);	/* IPv4 total length */
		CU_ASSERT((size_t)(f[38] << 8 | f[39]) == len - 34);	/* UDP length */
		uint32_t s = 0;
		for (int i = 0; i < 20; i += 2)
			s += (uint32_t)f[14 + i] << 8 | f[15 + i];
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		CU_ASSERT(s == 0xffff);				/* RFC 791: sums to all ones */
		CU_ASSERT(certify_peer_check_flow(f, len, &seq, &flow) == 1);
		CU_ASSERT(seq == 77 && flow == 5);
		f[len - 1] ^= 1;
		CU_ASSERT(certify_peer_check_flow(f, len, &seq, &flow) == -1);
	}
	certify_peer_build_udp(f, 1, 60, 0);
	f[37] ^= 1;			/* another destination port */
	CU_ASSERT(certify_peer_check(f, 60, &seq) == 0);
	certify_peer_build_udp(f, 1, 60, 0);
	f[23] = 6;			/* TCP */
	CU_ASSERT(certify_peer_check(f, 60, &seq) == 0);
}

/* Order is kept per flow: two flows interleaved are fine, a swap inside one is not, and a
 * frame seen twice is a duplicate. Fed through a loopback pair in UDP mode. */
static void test_peer_flow_order(void)
{
	struct certify_peer a, b;
	struct certify_err err;
	uint8_t f[PEER_MAX_FRAME];
	static const uint32_t seqs[] = { 0, 100, 1, 101, 2, 102 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	CU_ASSERT_FATAL(certify_peer_open(&a, &err) == 0);
	CU_ASSERT_FATAL(certify_peer_open(&b, &err) == 0);
	to.sin_port = htons(b.host_port);
	certify_peer_tx_begin(&b, 0);
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		certify_peer_build_udp(f, seqs[i], 80, seqs[i] / 100);
		CU_ASSERT(sendto(a.fd, f, 80, 0, (struct sockaddr *)&to, sizeof(to)) == 80);
	}
	certify_peer_drain(&b, 6, 500);
	CU_ASSERT(b.rx_frames == 6 && b.rx_out_of_order == 0 && b.rx_dup == 0);
	certify_peer_tx_begin(&b, 0);
	static const uint32_t bad[] = { 0, 2, 1, 1 };	/* 2 early, 1 late, 1 again */
	for (size_t i = 0; i < 4; i++) {
		certify_peer_build_udp(f, bad[i], 80, 0);
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
	CU_add_test(s, "frames", test_peer_frames);
	CU_add_test(s, "loopback", test_peer_loopback);
	CU_add_test(s, "udp_frames", test_peer_udp_frames);
	CU_add_test(s, "flow_order", test_peer_flow_order);
	CU_add_test(s, "tap", test_peer_tap);
}
