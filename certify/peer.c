/* certify: the host end of NIC tests (peer.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

#define PEER_ETHERTYPE	0x88b5
#define PEER_MAGIC	0x4e494354u	/* "NICT", as the kernel's suite */
#define PEER_HDR	14
#define PEER_PAYLOAD	(PEER_HDR + 12)
/* The IPv4/UDP form: 20-byte IPv4 header, 8-byte UDP header, then ours. */
#define PEER_IP		14
#define PEER_UDP	(PEER_IP + 20)
#define PEER_UDP_HDR	(PEER_UDP + 8)
#define PEER_UDP_PORT	0x88b5
#define PEER_FLOW_PORT	0xc000
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23	/* Linux 4.20 */
#endif

static uint32_t peer_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0x9e3779b9u;

	for (size_t i = 0; i < n; i++)
		s = (s ^ p[i]) * 0x01000193u;
	return s;
}

static int peer_bind(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int certify_peer_open(struct certify_peer *p, struct certify_err *err)
{
	memset(p, 0, sizeof(*p));
	p->fd = peer_bind(&p->host_port);
	/* QEMU binds its own end: find a free port the same way and let it go. */
	int tmp = peer_bind(&p->qemu_port);
	if (p->fd < 0 || tmp < 0) {
		if (p->fd >= 0)
			close(p->fd);
		if (tmp >= 0)
			close(tmp);
		return certify_errf(err, "peer: cannot bind a UDP socket on 127.0.0.1: %s", strerror(errno));
	}
	close(tmp);
	/*
	 * The kernel sends a whole frame set (1455 datagrams, about 3 MiB of socket memory with
	 * their overhead) faster than a loaded host may drain it. SO_RCVBUF is capped by
	 * net.core.rmem_max (208 KiB by default), and a datagram that finds the buffer full is
	 * dropped on the host (UdpRcvbufErrors), not by the NIC under test: seen as a peer-*
	 * failure about 1 run in 25 under load. As root SO_RCVBUFFORCE passes the cap.
	 */
	int big = 16 << 20;
	if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return 0;
}

int certify_peer_open_tap(struct certify_peer *p, unsigned queues, struct certify_err *err)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (certify_tap_open(&p->tap, queues, err) < 0)
		return -1;
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = p->tap.ifindex };
	int one = 1, big = 4 << 20;
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		certify_errf(err, "peer: packet socket on %s: %s", p->tap.name, strerror(errno));
		certify_peer_close(p);
		return -1;
	}
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return 0;
}

void certify_peer_close(struct certify_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	certify_tap_close(&p->tap);
}

int certify_peer_qemu_args(const struct certify_peer *p, const char *id, struct certify_strv *args)
{
	char fds[CERTIFY_TAP_MAX_QUEUES * 12] = "";
	size_t used = 0;

	if (certify_strv_push(args, "-netdev") < 0)
		return -1;
	if (!p->tap.nfds)
		return certify_strv_pushf(args, "socket,id=%s,udp=127.0.0.1:%u,localaddr=127.0.0.1:%u",
					  id, p->host_port, p->qemu_port);
	for (unsigned i = 0; i < p->tap.nfds; i++)
		used += (size_t)snprintf(fds + used, sizeof(fds) - used, "%s%d", i ? ":" : "",
					 p->tap.fds[i]);
	return certify_strv_pushf(args, "tap,id=%s,fds=%s,vhost=off", id, fds);
}

unsigned certify_peer_keep_fds(const struct certify_peer *p, const int **fds)
{
	*fds = p->tap.fds;
	return p->tap.nfds;
}

size_t certify_peer_build(uint8_t *f, uint32_t seq, size_t len)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0xfe };
	uint32_t v;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = PEER_ETHERTYPE >> 8;
	f[13] = PEER_ETHERTYPE & 0xff;
	for (size_t i = PEER_PAYLOAD; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	v = PEER_MAGIC;
	memcpy(f + PEER_HDR, &v, 4);
	memcpy(f + PEER_HDR + 4, &seq, 4);
	v = peer_sum(f + PEER_PAYLOAD, len - PEER_PAYLOAD);
	memcpy(f + PEER_HDR + 8, &v, 4);
	return len;
}

static void peer_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 791: the ones' complement of the ones' complement sum of the header's words. */
static unsigned peer_ip_csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

size_t certify_peer_build_udp(uint8_t *f, uint32_t seq, size_t len, uint32_t flow)
{
	static const uint8_t addrs[8] = { 192, 0, 2, 1, 192, 0, 2, 2 };	/* TEST-NET-1 */
	uint32_t v;

	certify_peer_build(f, seq, len);	/* addresses and the payload bytes */
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + PEER_IP, 0, PEER_UDP_HDR - PEER_IP);
	f[PEER_IP] = 0x45;
	peer_put16(f + PEER_IP + 2, (unsigned)(len - PEER_IP));
	peer_put16(f + PEER_IP + 6, 0x4000);	/* don't fragment */
	f[PEER_IP + 8] = 64;
	f[PEER_IP + 9] = 17;
	memcpy(f + PEER_IP + 12, addrs, 8);
	peer_put16(f + PEER_IP + 10, peer_ip_csum(f + PEER_IP));
	peer_put16(f + PEER_UDP, PEER_FLOW_PORT + (flow & 0x3fff));
	peer_put16(f + PEER_UDP + 2, PEER_UDP_PORT);
	peer_put16(f + PEER_UDP + 4, (unsigned)(len - PEER_UDP));	/* checksum 0: none */
	for (size_t i = PEER_UDP_HDR + 12; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	v = PEER_MAGIC;
	memcpy(f + PEER_UDP_HDR, &v, 4);
	memcpy(f + PEER_UDP_HDR + 4, &seq, 4);
	v = peer_sum(f + PEER_UDP_HDR + 12, len - PEER_UDP_HDR - 12);
	memcpy(f + PEER_UDP_HDR + 8, &v, 4);
	return len;
}

int certify_peer_check_flow(const uint8_t *f, size_t len, uint32_t *seq, uint32_t *flow)
{
	uint32_t magic, sum;
	size_t off = PEER_HDR;

	*flow = 0;
	if (len < PEER_PAYLOAD)
		return 0;
	if (f[12] == 0x08 && f[13] == 0x00) {
		/* Ours only as IPv4 without options, UDP, to our port. */
		if (len < PEER_UDP_HDR + 12 || f[PEER_IP] != 0x45 || f[PEER_IP + 9] != 17 ||
		    (f[PEER_UDP + 2] << 8 | f[PEER_UDP + 3]) != PEER_UDP_PORT)
			return 0;
		*flow = (uint32_t)(f[PEER_UDP] << 8 | f[PEER_UDP + 1]) - PEER_FLOW_PORT;
		off = PEER_UDP_HDR;
	} else if (f[12] != (PEER_ETHERTYPE >> 8) || f[13] != (PEER_ETHERTYPE & 0xff)) {
		return 0;
	}
	memcpy(&magic, f + off, 4);
	if (magic != PEER_MAGIC)
		return 0;
	memcpy(seq, f + off + 4, 4);
	memcpy(&sum, f + off + 8, 4);
	return sum == peer_sum(f + off + 12, len - off - 12) ? 1 : -1;
}

int certify_peer_check(const uint8_t *f, size_t len, uint32_t *seq)
{
	uint32_t flow;

	return certify_peer_check_flow(f, len, seq, &flow);
}

void certify_peer_tx_begin(struct certify_peer *p, uint32_t first)
{
	uint8_t buf[PEER_MAX_FRAME + 64];

	while (recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;	/* forget anything older */
	p->rx_frames = p->rx_bad = p->rx_out_of_order = p->rx_foreign = p->rx_dup = 0;
	memset(p->flow_next, 0, sizeof(p->flow_next));
	memset(p->seen, 0, sizeof(p->seen));
	p->flow_next[0] = first + 1;	/* the plain form is one flow that starts at first */
}

/* Order per flow (a multiqueue NIC keeps only that), duplicates across all of them. */
static void peer_count(struct certify_peer *p, uint32_t seq, uint32_t flow)
{
	uint32_t *next = &p->flow_next[flow % PEER_FLOWS];

	if (*next && seq != *next - 1)
		p->rx_out_of_order++;
	*next = seq + 2;
	if (seq < PEER_SEEN_MAX) {
		if (p->seen[seq / 8] & (1u << (seq % 8)))
			p->rx_dup++;
		p->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	}
}

void certify_peer_drain(struct certify_peer *p, uint64_t want, int wait_ms)
{
	uint8_t buf[PEER_MAX_FRAME + 64];
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	for (;;) {
		ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (p->rx_frames >= want || poll(&pfd, 1, wait_ms) <= 0)
				return;
			continue;
		}
		uint32_t seq, flow;
		int r = certify_peer_check_flow(buf, (size_t)n, &seq, &flow);
		if (r == 0) {
			p->rx_foreign++;
			continue;
		}
		p->rx_frames++;
		if (r < 0)
			p->rx_bad++;
		else
			peer_count(p, seq, flow);
	}
}

int certify_peer_send(struct certify_peer *p, uint32_t first, uint32_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(p->qemu_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t f[PEER_MAX_FRAME];
	uint32_t flow = p->flow++;	/* tap mode: one flow per batch, so one queue keeps it in order */

	for (uint32_t k = 0; k < n; k++) {
		size_t len = 60 + (first + k) % (PEER_MAX_FRAME - 60 + 1);
		ssize_t sent;
		if (p->tap.nfds) {
			certify_peer_build_udp(f, first + k, len, flow);
			sent = send(p->fd, f, len, 0);
		} else {
			certify_peer_build(f, first + k, len);
			sent = sendto(p->fd, f, len, 0, (struct sockaddr *)&to, sizeof(to));
		}
		if (sent != (ssize_t)len)
			return -1;
		/* Pace a little: QEMU reads its socket only as fast as its loop runs. */
		if (k % 16 == 15)
			usleep(200);
	}
	return 0;
}

int certify_peer_sync(struct certify_peer *p, struct certify_peer_run *r, const char *point)
{
	const uint64_t n = 1455;	/* one frame of every size 60..1514 */

	if (strcmp(point, "peer-tx") == 0) {
		certify_peer_tx_begin(p, 0);
	} else if (strcmp(point, "peer-tx-done") == 0) {
		certify_peer_drain(p, n, 500);
		r->checked = 1;
		if (p->rx_frames != n || p->rx_bad || p->rx_out_of_order || p->rx_dup)
			snprintf(r->result, sizeof(r->result),
				 "the host got %llu of %llu frames, %llu corrupt, %llu out of order, "
				 "%llu duplicate", (unsigned long long)p->rx_frames, (unsigned long long)n,
				 (unsigned long long)p->rx_bad, (unsigned long long)p->rx_out_of_order,
				 (unsigned long long)p->rx_dup);
	} else if (strcmp(point, "peer-probe") == 0) {
		certify_peer_send(p, 0xffff0000u, 1);
	} else if (strncmp(point, "peer-rx-", 8) == 0) {
		/* peer-rx-N: the next N, sized to what the kernel's receiver can hold. */
		uint64_t batch = strtoull(point + 8, NULL, 10);
		if (!batch || batch > 1024)
			batch = 128;
		uint32_t count = n - r->rx_sent < batch ? (uint32_t)(n - r->rx_sent) : (uint32_t)batch;
		certify_peer_send(p, (uint32_t)r->rx_sent, count);
		r->rx_sent += count;
	} else {
		return 0;
	}
	return 1;
}
