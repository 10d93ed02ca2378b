/* certify: the host end of NIC tests (peer.h). */
#include <arpa/inet.h>
#include <errno.h>
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

void certify_peer_close(struct certify_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int certify_peer_qemu_args(const struct certify_peer *p, const char *id, struct certify_strv *args)
{
	if (certify_strv_push(args, "-netdev") < 0)
		return -1;
	return certify_strv_pushf(args, "socket,id=%s,udp=127.0.0.1:%u,localaddr=127.0.0.1:%u", id,
				  p->host_port, p->qemu_port);
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

int certify_peer_check(const uint8_t *f, size_t len, uint32_t *seq)
{
	uint32_t magic, sum;

	if (len < PEER_PAYLOAD || f[12] != (PEER_ETHERTYPE >> 8) || f[13] != (PEER_ETHERTYPE & 0xff))
		return 0;
	memcpy(&magic, f + PEER_HDR, 4);
	if (magic != PEER_MAGIC)
		return 0;
	memcpy(seq, f + PEER_HDR + 4, 4);
	memcpy(&sum, f + PEER_HDR + 8, 4);
	return sum == peer_sum(f + PEER_PAYLOAD, len - PEER_PAYLOAD) ? 1 : -1;
}

void certify_peer_tx_begin(struct certify_peer *p, uint32_t first)
{
	uint8_t buf[PEER_MAX_FRAME + 64];

	while (recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;	/* forget anything older */
	p->rx_frames = p->rx_bad = p->rx_out_of_order = p->rx_foreign = 0;
	p->next_seq = first;
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
		uint32_t seq;
		int r = certify_peer_check(buf, (size_t)n, &seq);
		if (r == 0) {
			p->rx_foreign++;
			continue;
		}
		p->rx_frames++;
		if (r < 0)
			p->rx_bad++;
		else if (seq != p->next_seq)
			p->rx_out_of_order++;
		if (r > 0)
			p->next_seq = seq + 1;
	}
}

int certify_peer_send(struct certify_peer *p, uint32_t first, uint32_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(p->qemu_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t f[PEER_MAX_FRAME];

	for (uint32_t k = 0; k < n; k++) {
		size_t len = certify_peer_build(f, first + k, 60 + (first + k) % (PEER_MAX_FRAME - 60 + 1));
		if (sendto(p->fd, f, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
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
		if (p->rx_frames != n || p->rx_bad || p->rx_out_of_order)
			snprintf(r->result, sizeof(r->result),
				 "the host got %llu of %llu frames, %llu corrupt, %llu out of order",
				 (unsigned long long)p->rx_frames, (unsigned long long)n,
				 (unsigned long long)p->rx_bad, (unsigned long long)p->rx_out_of_order);
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
