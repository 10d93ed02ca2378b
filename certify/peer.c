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

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23	/* Linux 4.20 */
#endif

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

/* The frame we send with sequence seq: the plain form, or in tap mode the UDP form. */
static size_t peer_frame(const struct certify_peer *p, uint8_t *f, uint32_t seq, size_t len,
			 uint32_t flow)
{
	/* Broadcast, from a locally administered MAC of our own, host to machine under test. */
	struct nicframe_ends e = { .dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
				   .src = { 0x02, 0, 0, 0, 0, 0xfe } };

	memcpy(e.ip_src, nicframe_ip_host, 4);
	memcpy(e.ip_dst, nicframe_ip_dut, 4);
	return p->tap.nfds ? nicframe_build_udp(f, &e, seq, len, flow) : nicframe_build(f, &e, seq, len);
}

void certify_peer_tx_begin(struct certify_peer *p, uint32_t first)
{
	uint8_t buf[PEER_MAX_FRAME + 64];

	while (recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;	/* forget anything older */
	p->rx_frames = p->rx_bad = p->rx_out_of_order = p->rx_foreign = p->rx_dup = 0;
	memset(p->order, 0, sizeof(p->order));
	memset(p->seen, 0, sizeof(p->seen));
	nicframe_order_start(&p->order[0], first);	/* the plain form is one flow from first */
}

/* Order per flow (a multiqueue NIC keeps only that), duplicates across all of them. */
static void peer_count(struct certify_peer *p, uint32_t seq, uint32_t flow)
{
	if (!nicframe_order_step(&p->order[flow % PEER_FLOWS], seq))
		p->rx_out_of_order++;
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
		struct nicframe_info fi;
		int r = nicframe_check(buf, (size_t)n, &fi);
		if (r == 0) {
			p->rx_foreign++;
			continue;
		}
		p->rx_frames++;
		if (r < 0)
			p->rx_bad++;
		else
			peer_count(p, fi.seq, fi.flow);
	}
}

int certify_peer_send(struct certify_peer *p, uint32_t first, uint32_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(p->qemu_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t f[PEER_MAX_FRAME];
	uint32_t flow = p->flow++;	/* tap mode: one flow per batch, so one queue keeps it in order */

	for (uint32_t k = 0; k < n; k++) {
		size_t len = NICFRAME_MIN + (first + k) % (PEER_MAX_FRAME - NICFRAME_MIN + 1);
		ssize_t sent;
		peer_frame(p, f, first + k, len, flow);
		if (p->tap.nfds)
			sent = send(p->fd, f, len, 0);
		else
			sent = sendto(p->fd, f, len, 0, (struct sockaddr *)&to, sizeof(to));
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
		certify_peer_send(p, NICFRAME_PROBE_SEQ, 1);
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

void certify_peer_check(const struct certify_peer_run *r, struct certify_hostcheck *c)
{
	if (r->checked)
		certify_hostcheck_done(c, !r->result[0], "%s", r->result[0] ? r->result :
				       "every frame the kernel sent arrived intact and in order");
}
