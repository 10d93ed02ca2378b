/* certify: the wire tap of a nic-pair topology (wire.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

#define WIRE_QUIET_END_US	2000000	/* frames are owed, the socket is empty: they stopped */
#define WIRE_WAIT_MAX_US	20000000
#define WIRE_LATE_US		30000	/* after the count is reached: room for extras */

static uint64_t wire_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One datagram, lock held. */
static void wire_take(struct certify_wire *w, const uint8_t *f, size_t n)
{
	struct nicframe_info fi;
	struct wire_src *s = NULL;
	int r = nicframe_check(f, n, &fi);

	w->total_frames++;
	w->total_bytes += n;
	if (r == 0) {
		w->foreign++;
		return;
	}
	for (unsigned i = 0; i < w->nsrc && !s; i++)
		if (!memcmp(w->src[i].mac, f + 6, 6))
			s = &w->src[i];
	if (!s) {
		if (w->nsrc == WIRE_SRCS) {
			w->foreign++;
			return;
		}
		s = &w->src[w->nsrc++];
		memset(s, 0, sizeof(*s));
		memcpy(s->mac, f + 6, 6);
		s->first_seq = fi.seq;
		nicframe_order_start(&s->order, fi.seq);
	}
	s->frames++;
	s->bytes += n;
	if (r < 0)
		s->bad++;
	if (!nicframe_order_step(&s->order, fi.seq))
		s->out_of_order++;
}

/*
 * The reader: batches of datagrams with recvmmsg, and a short sleep when the socket is
 * empty rather than poll(), so QEMU's sendto never has to wake a sleeping reader (a wakeup
 * per frame cost about ten times the frame rate of nic.txonly when measured).
 */
#define WIRE_BATCH	64

static void *wire_reader(void *arg)
{
	struct certify_wire *w = arg;
	static __thread uint8_t buf[WIRE_BATCH][WIRE_MAX_FRAME];
	static __thread char ctl[WIRE_BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct iovec iov[WIRE_BATCH];
	struct mmsghdr mm[WIRE_BATCH];

	while (!w->stop) {
		for (int i = 0; i < WIRE_BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = ctl[i];
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		int n = recvmmsg(w->sock.fd, mm, WIRE_BATCH, MSG_DONTWAIT, NULL);

		if (n <= 0) {
			usleep(500);
			continue;
		}
		pthread_mutex_lock(&w->lock);
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &mm[i].msg_hdr;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
				uint32_t drops;

				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
					memcpy(&drops, CMSG_DATA(c), sizeof(drops));
					w->host_drops = drops;
				}
			}
			wire_take(w, buf[i], mm[i].msg_len);
		}
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int certify_wire_open(struct certify_wire *w, struct certify_err *err)
{
	int one = 1;

	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	if (certify_peer_open(&w->sock, err) < 0)
		return -1;
	/* A whole rate phase may be queued while the reader is not scheduled: as root the
	 * buffer passes net.core.rmem_max (certify_peer_open asks for 16 MiB; take 64). */
	int big = 64 << 20;
	if (setsockopt(w->sock.fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(w->sock.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(w->sock.fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0) {
		certify_peer_close(&w->sock);
		return certify_errf(err, "wire tap: SO_RXQ_OVFL: %s", strerror(errno));
	}
	if (pthread_create(&w->thread, NULL, wire_reader, w) != 0) {
		certify_peer_close(&w->sock);
		return certify_errf(err, "wire tap: cannot start the reader thread");
	}
	w->started = 1;
	return 0;
}

void certify_wire_close(struct certify_wire *w)
{
	if (w->started) {
		w->stop = 1;
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
	certify_peer_close(&w->sock);
	certify_strv_free(&w->problems);
	pthread_mutex_destroy(&w->lock);
}

int certify_wire_qemu_args(const struct certify_wire *w, const char *id, struct certify_strv *args)
{
	return certify_peer_qemu_args(&w->sock, id, args);
}

int certify_wire_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int wire_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int certify_wire_claim(struct certify_wire *w, const char *test, const char *src, const char *first,
		       const char *frames, const char *bytes, const char *seen)
{
	struct wire_claim c;
	uint64_t f;

	memset(&c, 0, sizeof(c));
	snprintf(c.test, sizeof(c.test), "%s", test ? test : "?");
	if (certify_wire_parse_mac(src, c.mac) < 0 || wire_u64(first, &f) < 0 || f > UINT32_MAX ||
	    wire_u64(frames, &c.frames) < 0 || wire_u64(bytes, &c.bytes) < 0 ||
	    (seen && (wire_u64(seen, &c.seen) < 0 || c.seen > c.frames))) {
		certify_strv_pushf(&w->problems, "%s: a malformed wire record", c.test);
		return -1;
	}
	c.first = (uint32_t)f;
	c.loose = seen != NULL;
	if (w->nclaim == WIRE_SRCS) {
		certify_strv_pushf(&w->problems, "%s: more than %d senders in one phase", c.test, WIRE_SRCS);
		return -1;
	}
	w->claim[w->nclaim++] = c;
	return 0;
}

/*
 * 1 when the reader has taken everything that reached the socket: nothing is waiting in it
 * (FIONREAD: the size of the next datagram, 0 when none) while we hold the lock the reader
 * holds for each batch. Time alone cannot say it: on a loaded host the reader thread can go
 * unscheduled longer than any quiet period, and frames of the previous phase were counted
 * in the next one (seen: probes in nic.jumbo's window). Lock held.
 */
static int wire_socket_empty(struct certify_wire *w)
{
	int pending = 0;

	return ioctl(w->sock.fd, FIONREAD, &pending) == 0 && pending == 0;
}

/*
 * Loopback datagrams wait in the CPUs' input backlog (softirq) before they reach the socket,
 * and the backlog drops what exceeds net.core.netdev_max_backlog; a loaded host delays
 * that processing. The drops column of /proc/net/softnet_stat, summed over CPUs (the
 * whole host's, so any increase during a phase leaves it not judged, never failed).
 */
static uint64_t wire_backlog_drops(void)
{
	FILE *f = fopen("/proc/net/softnet_stat", "r");
	unsigned long long processed, dropped;
	uint64_t sum = 0;
	char line[512];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %llx", &processed, &dropped) == 2)
			sum += dropped;
	fclose(f);
	return sum;
}

/*
 * wire-begin: the kernel waits at the sync point and flushed its drivers before it, and QEMU
 * puts a frame on the tap's socket in the same write that hands it to the hub, so once the
 * socket is empty every earlier frame has been counted: start from zero then.
 */
static void wire_begin(struct certify_wire *w)
{
	uint64_t t0 = wire_now_us();

	/* Empty, and still empty with nothing counted 50 ms later: a frame may sit in the
	 * input backlog after QEMU's sendto returned (capped at 2 s: another process's
	 * loopback traffic never ends). */
	uint64_t seen = UINT64_MAX, since = t0;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		uint64_t now = wire_now_us();
		if (!wire_socket_empty(w) || w->total_frames != seen) {
			seen = w->total_frames;
			since = now;
		} else if (now - since >= 50000) {
			break;
		}
		if (now - t0 > 2000000)
			break;
		pthread_mutex_unlock(&w->lock);
		usleep(1000);
	}
	w->backlog_drops_at_begin = wire_backlog_drops();
	w->nsrc = 0;
	w->foreign = 0;
	w->drops_at_begin = w->host_drops;
	pthread_mutex_unlock(&w->lock);
	w->nclaim = 0;
}

static struct wire_src *wire_find(struct certify_wire *w, const uint8_t mac[6])
{
	for (unsigned i = 0; i < w->nsrc; i++)
		if (!memcmp(w->src[i].mac, mac, 6))
			return &w->src[i];
	return NULL;
}

/* 1 when every claimed sender's count was reached. A loose phase waits for the same:
 * what its receiver saw may be fewer than what is still on its way, and a frame that
 * reached the wire after this phase's compare would be counted, out of order, in the
 * next one (seen: 1 in 7 runs of e1000's nic plan when it waited for `seen` only); what
 * died in QEMU ends the wait by the quiet period instead. Lock held. */
static int wire_all_there(struct certify_wire *w)
{
	for (unsigned i = 0; i < w->nclaim; i++) {
		struct wire_src *s = wire_find(w, w->claim[i].mac);
		if (w->claim[i].frames && (!s || s->frames < w->claim[i].frames))
			return 0;
	}
	return 1;
}

#define MACF	"%02x:%02x:%02x:%02x:%02x:%02x"
#define MACA(m)	(m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

/* Compare the phase, lock held. */
static void wire_compare(struct certify_wire *w)
{
	const char *test = w->nclaim ? w->claim[0].test : "?";
	uint64_t lost = w->host_drops - w->drops_at_begin;
	uint64_t backlog = wire_backlog_drops() - w->backlog_drops_at_begin;

	if (lost || backlog) {
		if (!w->host_lost[0])
			snprintf(w->host_lost, sizeof(w->host_lost), "%s: the host dropped %llu datagrams "
				 "at the socket and %llu in its input backlog: the wire could not be "
				 "counted", test, (unsigned long long)lost, (unsigned long long)backlog);
		return;
	}
	for (unsigned i = 0; i < w->nclaim; i++) {
		const struct wire_claim *c = &w->claim[i];
		const struct wire_src *s = wire_find(w, c->mac);
		struct wire_src none;

		if (!s) {
			memset(&none, 0, sizeof(none));
			none.first_seq = c->first;
			s = &none;
		}
		if (c->loose) {
			/* An event phase: the receiver's frames all crossed the wire, no more
			 * crossed than were sent, and what did is whole. Not the order: around a
			 * link flap or a detach QEMU's hub queues a sender's frames while no port
			 * can take them and delivers them after later ones (a good e1000 showed "1
			 * out of order" on the wire in 2 of 15 runs of its nic plan while its
			 * receiver saw them in order); the receivers judge order and repeats. */
			if (s->frames < c->seen || s->frames > c->frames || s->bytes > c->bytes || s->bad ||
			    (s->frames && (uint32_t)(s->first_seq - c->first) >= c->frames))
				certify_strv_pushf(&w->problems, "%s: " MACF " sent %llu frames (%llu bytes) "
						   "from sequence %u in a round with an event, its receiver "
						   "got %llu, the wire carried %llu (%llu bytes) from %u, %llu "
						   "corrupt", c->test, MACA(c->mac),
						   (unsigned long long)c->frames, (unsigned long long)c->bytes,
						   c->first, (unsigned long long)c->seen,
						   (unsigned long long)s->frames, (unsigned long long)s->bytes,
						   s->first_seq, (unsigned long long)s->bad);
			continue;
		}
		if (s->frames != c->frames || s->bytes != c->bytes || s->bad || s->out_of_order ||
		    (c->frames && s->first_seq != c->first))
			certify_strv_pushf(&w->problems, "%s: " MACF " sent %llu frames (%llu bytes) from "
					   "sequence %u, the wire carried %llu (%llu bytes) from %u, "
					   "%llu corrupt, %llu out of order", c->test, MACA(c->mac),
					   (unsigned long long)c->frames, (unsigned long long)c->bytes,
					   c->first, (unsigned long long)s->frames,
					   (unsigned long long)s->bytes, s->first_seq,
					   (unsigned long long)s->bad, (unsigned long long)s->out_of_order);
	}
	for (unsigned i = 0; i < w->nsrc; i++) {
		int claimed = 0;
		for (unsigned k = 0; k < w->nclaim; k++)
			claimed |= !memcmp(w->claim[k].mac, w->src[i].mac, 6);
		if (!claimed)
			certify_strv_pushf(&w->problems, "%s: %llu frames on the wire from " MACF
					   ", which announced none", test,
					   (unsigned long long)w->src[i].frames, MACA(w->src[i].mac));
	}
	if (w->foreign)
		certify_strv_pushf(&w->problems, "%s: %llu frames on the wire that no test sent", test,
				   (unsigned long long)w->foreign);
}

/*
 * wire-check: wait until every claimed frame was counted; when some are owed, until the
 * socket has been empty and nothing new came for WIRE_QUIET_END_US (a model that sends from
 * QEMU's main loop, like virtio-net's transmit, may still be on its way), at most
 * WIRE_WAIT_MAX_US. Then a moment for extras, and compare.
 */
static void wire_check(struct certify_wire *w)
{
	uint64_t t0 = wire_now_us(), quiet = t0, frames = UINT64_MAX;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		int there = wire_all_there(w), empty = wire_socket_empty(w);
		uint64_t now_frames = w->total_frames;
		pthread_mutex_unlock(&w->lock);
		uint64_t now = wire_now_us();
		if (now_frames != frames || !empty) {
			frames = now_frames;
			quiet = now;
		}
		if (there || now - t0 >= WIRE_WAIT_MAX_US || now - quiet >= WIRE_QUIET_END_US)
			break;
		usleep(1000);
	}
	usleep(WIRE_LATE_US);
	/* everything that reached the socket counted (or a second passed: compare anyway) */
	for (uint64_t t1 = wire_now_us();; usleep(500)) {
		pthread_mutex_lock(&w->lock);
		if (wire_socket_empty(w) || wire_now_us() - t1 > 1000000)
			break;
		pthread_mutex_unlock(&w->lock);
	}
	wire_compare(w);
	pthread_mutex_unlock(&w->lock);
	w->phases++;
	w->nclaim = 0;
}

int certify_wire_sync(struct certify_wire *w, const char *point)
{
	if (!strcmp(point, "wire-begin"))
		wire_begin(w);
	else if (!strcmp(point, "wire-check"))
		wire_check(w);
	else
		return 0;
	return 1;
}

void certify_wire_check(const struct certify_wire *w, struct certify_hostcheck *c)
{
	if (w->problems.n) {
		if (w->problems.n == 1)
			certify_hostcheck_done(c, 0, "%s", w->problems.v[0]);
		else
			certify_hostcheck_done(c, 0, "%s (and %zu more)", w->problems.v[0], w->problems.n - 1);
	} else if (w->host_lost[0]) {
		certify_hostcheck_notrun(c, "%s", w->host_lost);
	} else if (w->phases) {
		certify_hostcheck_done(c, 1, "%u phases: every frame on the wire as the kernel said "
				       "(%llu frames, %llu bytes in all)", w->phases,
				       (unsigned long long)w->total_frames, (unsigned long long)w->total_bytes);
	}
}
