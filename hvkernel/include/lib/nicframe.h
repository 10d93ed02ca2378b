/*
 * The NIC test frame: what the kernel's NIC suite, the guest test OS and certify's host
 * peer send each other, so a receiver can tell loss, reordering, duplication and corruption
 * apart. This file is the one definition; freestanding, compiled into the kernel, the 32-bit
 * guest test OS and the host tools.
 *
 * Two forms. Plain: the Ethernet header with EtherType NICFRAME_ETHERTYPE (IEEE 802 local
 * experimental), then the tag. UDP: the Ethernet header (IPv4), an IPv4 header without
 * options (don't fragment, TTL 64, header checksum per RFC 791), a UDP header from port
 * NICFRAME_FLOW_PORT + flow to NICFRAME_UDP_PORT (checksum 0: none), then the tag; flows let
 * a multiqueue NIC (and QEMU's tap) spread frames over queues, and order holds per flow.
 *
 * The tag (integers little-endian): magic NICFRAME_MAGIC, the sequence number, and a
 * checksum of everything after the tag (not of the tag itself); byte i of the frame after
 * the tag is (uint8_t)(seq * 7 + i). Sequence numbers from NICFRAME_PROBE_SEQ up are readiness probes,
 * never test frames.
 */
#ifndef LIB_NICFRAME_H
#define LIB_NICFRAME_H

#include <stddef.h>
#include <stdint.h>

#define NICFRAME_ETH_HDR	14
#define NICFRAME_ETHERTYPE	0x88b5
#define NICFRAME_MAGIC		0x4e494354u	/* "NICT" */
#define NICFRAME_TAG_BYTES	12		/* magic, sequence number, checksum */
#define NICFRAME_MIN		60		/* the shortest frame (no FCS) */
#define NICFRAME_MAX_STD	1514		/* the longest at MTU 1500 */
/* The plain form's tag right after the Ethernet header. */
#define NICFRAME_TAG_OFF	NICFRAME_ETH_HDR
/* The UDP form: IPv4 header, UDP header, then the tag. */
#define NICFRAME_IP_OFF		NICFRAME_ETH_HDR
#define NICFRAME_UDP_OFF	(NICFRAME_IP_OFF + 20)
#define NICFRAME_UDP_TAG_OFF	(NICFRAME_UDP_OFF + 8)
#define NICFRAME_UDP_PORT	0x88b5
#define NICFRAME_FLOW_PORT	0xc000
#define NICFRAME_FLOW_MASK	0x3fffu		/* flows wrap at 16384 */
#define NICFRAME_PROBE_SEQ	0xffff0000u

/* The two ends of a frame. The IPv4 addresses are used by the UDP form only. */
struct nicframe_ends {
	uint8_t dst[6], src[6];
	uint8_t ip_src[4], ip_dst[4];
};

/* The TEST-NET-1 addresses of the host peer and of the machine under test (RFC 5737). */
extern const uint8_t nicframe_ip_host[4], nicframe_ip_dut[4];

/* Builds the plain-form frame with sequence seq, len bytes (>= NICFRAME_MIN), into f.
 * Returns len. */
size_t nicframe_build(uint8_t *f, const struct nicframe_ends *e, uint32_t seq, size_t len);
/* The same in the UDP form, from UDP port NICFRAME_FLOW_PORT + (flow & NICFRAME_FLOW_MASK). */
size_t nicframe_build_udp(uint8_t *f, const struct nicframe_ends *e, uint32_t seq, size_t len,
			  uint32_t flow);
/* Rewrites the sequence number of a built plain-form frame and nothing else (the payload
 * stays that of the sequence it was built with), for a sender whose receiver counts frames
 * but does not look at their contents (a rate test). */
void nicframe_set_seq(uint8_t *f, uint32_t seq);

/* Where a received frame's tag is and what it says. */
struct nicframe_info {
	size_t tag_off;		/* NICFRAME_TAG_OFF or NICFRAME_UDP_TAG_OFF */
	uint32_t seq;
	uint32_t flow;		/* the UDP form's flow; 0 for the plain form */
};

/* 1 when f is a test frame of either form (the magic in place: *info filled), else 0.
 * The checksum is not looked at. */
int nicframe_locate(const uint8_t *f, size_t len, struct nicframe_info *info);
/* 1 when the located frame's checksum matches its contents, else 0. */
int nicframe_intact(const uint8_t *f, size_t len, const struct nicframe_info *info);
/* Both: 1 ours and intact, 0 not ours, -1 ours but corrupt. */
int nicframe_check(const uint8_t *f, size_t len, struct nicframe_info *info);

/* Order of one stream of sequence numbers (one flow). */
struct nicframe_order {
	uint32_t next;		/* the sequence number expected next */
	uint8_t started;	/* 0: the next one seen starts the stream */
};

/* Expect first next. */
void nicframe_order_start(struct nicframe_order *o, uint32_t first);
/* Takes seq: 1 when it is the one expected (or starts the stream), 0 when out of order.
 * Either way seq + 1 is expected next. */
int nicframe_order_step(struct nicframe_order *o, uint32_t seq);

#endif
