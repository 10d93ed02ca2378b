/* The wire tap (certify/wire.c) over loopback: a phase whose frames are all there passes;
 * one frame missing, a frame twice, a corrupt frame, a sender nobody announced and a
 * malformed record each fail wire.frames. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "../../certify/wire.h"
#include "unit.h"

struct wire_fx {
	struct certify_wire w;
	int fd;
	struct sockaddr_in to;
};

static void wire_fx_open(struct wire_fx *x)
{
	struct certify_err err;

	CU_ASSERT_FATAL(certify_wire_open(&x->w, &err) == 0);
	x->fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&x->to, 0, sizeof(x->to));
	x->to.sin_family = AF_INET;
	x->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	x->to.sin_port = htons(x->w.sock.host_port);
}

/* Frames first..first+n-1 from MAC ..:src, 60 + seq % 100 bytes; corrupt: flip one. */
static uint64_t wire_fx_send(struct wire_fx *x, uint8_t src, uint32_t first, uint32_t n, int dup, int corrupt)
{
	struct nicframe_ends e = { .dst = { 0x52, 0x54, 0, 0x12, 0, 2 }, .src = { 0x52, 0x54, 0, 0x12, 0, src } };
	uint8_t f[200];
	uint64_t bytes = 0;

	for (uint32_t k = 0; k < n; k++) {
		size_t len = nicframe_build(f, &e, first + k, 60 + (first + k) % 100);
		bytes += len;
		if (corrupt && k == n / 2)
			f[40] ^= 1;
		CU_ASSERT(sendto(x->fd, f, len, 0, (struct sockaddr *)&x->to, sizeof(x->to)) == (ssize_t)len);
		if (dup && k == n / 2)
			CU_ASSERT(sendto(x->fd, f, len, 0, (struct sockaddr *)&x->to, sizeof(x->to)) == (ssize_t)len);
	}
	return bytes;
}

/* The phase's end: sync point wire-check, then the verdict of host check wire.frames
 * (1: ran and agreed); closes the fixture. */
static int wire_fx_verdict(struct wire_fx *x)
{
	struct certify_hostcheck c;

	CU_ASSERT(certify_wire_sync(&x->w, "wire-check") == 1);
	memset(&c, 0, sizeof(c));
	certify_wire_check(&x->w, &c);
	close(x->fd);
	certify_wire_close(&x->w);
	return c.ran && c.ok;
}

static int wire_fx_phase(int missing, int dup, int corrupt, int stranger)
{
	struct wire_fx x;
	char frames[24], bytes[24];

	wire_fx_open(&x);
	CU_ASSERT(certify_wire_sync(&x.w, "wire-begin") == 1);
	uint64_t b = wire_fx_send(&x, 1, 100, 500 - missing, dup, corrupt);
	if (missing)
		b += 60 + (100 + 499) % 100;	/* the kernel counted the last one */
	if (stranger)
		wire_fx_send(&x, 9, 0, 3, 0, 0);
	snprintf(frames, sizeof(frames), "%d", 500);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)b);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.t", "52:54:00:12:00:01", "100", frames, bytes, NULL) == 0);
	return wire_fx_verdict(&x);
}

static void test_wire_phases(void)
{
	CU_ASSERT(wire_fx_phase(0, 0, 0, 0));
	CU_ASSERT(!wire_fx_phase(1, 0, 0, 0));
	CU_ASSERT(!wire_fx_phase(0, 1, 0, 0));
	CU_ASSERT(!wire_fx_phase(0, 0, 1, 0));
	CU_ASSERT(!wire_fx_phase(0, 0, 0, 1));
}

/*
 * A loose phase (a round with a link flap or a detach): 500 frames sent from 100, the
 * receiver got `seen`. The wire carries frames 100+skip .. 100+skip+n-1, one of them twice
 * (dup) or corrupt. Passes when seen <= on the wire <= 500 (frames and bytes), whole, none
 * from outside the round; order is not judged (QEMU's hub may reorder around the event).
 */
static int wire_fx_loose(uint32_t skip, uint32_t n, uint64_t seen, int dup, int corrupt)
{
	struct wire_fx x;
	char seen_s[24];

	wire_fx_open(&x);
	CU_ASSERT(certify_wire_sync(&x.w, "wire-begin") == 1);
	wire_fx_send(&x, 1, 100 + skip, n, dup, corrupt);
	uint64_t bytes = 0;
	for (uint32_t k = 0; k < 500; k++)
		bytes += 60 + (100 + k) % 100;
	char bytes_s[24];
	snprintf(bytes_s, sizeof(bytes_s), "%llu", (unsigned long long)bytes);
	snprintf(seen_s, sizeof(seen_s), "%llu", (unsigned long long)seen);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.soak", "52:54:00:12:00:01", "100", "500", bytes_s, seen_s) == 0);
	return wire_fx_verdict(&x);
}

static void test_wire_loose(void)
{
	CU_ASSERT(wire_fx_loose(0, 500, 500, 0, 0));		/* nothing lost */
	CU_ASSERT(wire_fx_loose(0, 300, 250, 0, 0));		/* the tail died at a link down */
	CU_ASSERT(wire_fx_loose(20, 480, 400, 0, 0));		/* the head died */
	CU_ASSERT(!wire_fx_loose(0, 300, 301, 0, 0));		/* the receiver got more than crossed */
	CU_ASSERT(!wire_fx_loose(0, 500, 500, 1, 0));		/* a frame sent again: 501 on the wire */
	CU_ASSERT(wire_fx_loose(0, 300, 250, 1, 0));		/* a repeat within the count: the receivers judge it */
	CU_ASSERT(!wire_fx_loose(0, 300, 250, 0, 1));		/* corrupt */
	CU_ASSERT(!wire_fx_loose(500, 10, 0, 0, 0));		/* frames from outside the round */
}

static void test_wire_malformed(void)
{
	struct wire_fx x;
	struct certify_hostcheck c;

	wire_fx_open(&x);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.t", "52:54:00:12:00", "0", "1", "60", NULL) == -1);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.t", "52:54:00:12:00:01", "-1", "1", "60", NULL) == -1);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.t", "52:54:00:12:00:01", "0", "1x", "60", NULL) == -1);
	CU_ASSERT(certify_wire_claim(&x.w, "nic.t", "52:54:00:12:00:01", "0", "10", "600", "11") == -1);
	memset(&c, 0, sizeof(c));
	certify_wire_check(&x.w, &c);
	CU_ASSERT(c.ran && !c.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.msg, "malformed wire record"));
	close(x.fd);
	certify_wire_close(&x.w);
	/* no phase reached: not run */
	wire_fx_open(&x);
	memset(&c, 0, sizeof(c));
	certify_wire_check(&x.w, &c);
	CU_ASSERT(!c.ran);
	close(x.fd);
	certify_wire_close(&x.w);
}

UNIT_SUITE(certify_wire_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_wire_phases),
		UNIT_TEST(test_wire_loose),
		UNIT_TEST(test_wire_malformed),
		UNIT_TEST_END
	};
	unit_add_suite("certify_wire", NULL, NULL, tests);
}
