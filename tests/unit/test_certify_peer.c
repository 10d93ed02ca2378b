/* The host end of NIC tests (certify/peer.c): frames it builds pass its own check, any
 * damage is caught, foreign frames are told apart, and two sockets talk over loopback. */
#include <string.h>
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
}
