/*
 * certify: the wire tap of a nic-pair topology. The hub that joins the two NICs under test
 * has a third port; certify wires it to a UDP socket of its own (QEMU's socket netdev, one
 * frame per datagram), so the host sees every frame either NIC puts on the wire. A thread
 * reads the socket for the whole boot and counts, per source MAC, the NIC test frames
 * (lib/nicframe.h): how many, their bytes, corrupt ones, order. The kernel's NIC suite
 * brackets each traffic phase: sync `wire-begin` (the host starts from zero), then one
 * `wire` record per sender (src, first, frames, bytes) and sync `wire-check`, where the host
 * compares exactly: the frames first..first+frames-1 in order, intact, with those bytes, and
 * nothing else on the wire. The host check `wire.frames` fails on any difference.
 *
 * The host's own losses are not the driver's: the socket reports datagrams it dropped for
 * want of buffer (SO_RXQ_OVFL), the kernel those its input backlog dropped (softnet_stat);
 * a phase during which either happened leaves the check not run (an error, never a pass,
 * never a fail of the driver).
 */
#ifndef CERTIFY_WIRE_H
#define CERTIFY_WIRE_H

#include <pthread.h>
#include <stdint.h>

#include "err.h"
#include "hostcheck.h"
#include "peer.h"
#include "strv.h"

#define WIRE_SRCS	4		/* senders tracked per phase */
#define WIRE_MAX_FRAME	16384		/* a jumbo frame and then some */

/* What the host saw from one source MAC since wire-begin. */
struct wire_src {
	uint8_t mac[6];
	uint64_t frames, bytes, bad, out_of_order;
	uint32_t first_seq;		/* the first sequence number seen */
	struct nicframe_order order;
};

/* What the kernel says one sender sent (a `wire` record). */
struct wire_claim {
	char test[48];
	uint8_t mac[6];
	uint32_t first;
	uint64_t frames, bytes;
	/* A phase with an event (a link flap, a detach): frames may die in QEMU, so the wire
	 * must carry between `seen` (what the receiving driver got) and `frames`, in order,
	 * none corrupt. 0: an exact phase. */
	int loose;
	uint64_t seen;
};

struct certify_wire {
	struct certify_peer sock;	/* the UDP socket and QEMU's -netdev for it */
	pthread_t thread;
	int started;
	volatile int stop;
	pthread_mutex_t lock;
	/* under lock: */
	struct wire_src src[WIRE_SRCS];
	unsigned nsrc;
	uint64_t foreign;		/* frames that are no test frame, or from a fifth MAC */
	uint64_t host_drops;		/* the socket's drop counter (SO_RXQ_OVFL), cumulative */
	uint64_t drops_at_begin;
	uint64_t backlog_drops_at_begin;	/* /proc/net/softnet_stat's drops, all CPUs */
	uint64_t total_frames, total_bytes;	/* over the whole boot */
	/* the executor's side (session thread): */
	struct wire_claim claim[WIRE_SRCS];
	unsigned nclaim;
	unsigned phases;		/* wire-check points handled */
	struct certify_strv problems;	/* one line per disagreement */
	char host_lost[200];		/* "" or why the host could not judge */
};

/* Binds the socket and starts the reader thread. 0 or -1 (err). */
int certify_wire_open(struct certify_wire *w, struct certify_err *err);
/* Stops the thread and closes the socket. */
void certify_wire_close(struct certify_wire *w);
/* "-netdev socket,id=ID,udp=...,localaddr=..." for the hub's third port. */
int certify_wire_qemu_args(const struct certify_wire *w, const char *id, struct certify_strv *args);

/* The kernel's `wire` record; seen (optional, NULL when absent) makes the phase loose.
 * 0, or -1 when malformed (counted as a problem). */
int certify_wire_claim(struct certify_wire *w, const char *test, const char *src, const char *first,
		       const char *frames, const char *bytes, const char *seen);
/* Act on sync points wire-begin and wire-check. Returns 1 when the point was one of ours. */
int certify_wire_sync(struct certify_wire *w, const char *point);

/* The host check wire.frames: ran when a wire-check was reached, ok when every phase's
 * frames were on the wire exactly as the kernel said. */
void certify_wire_check(const struct certify_wire *w, struct certify_hostcheck *c);

/* Parses "aa:bb:cc:dd:ee:ff". 0 or -1. */
int certify_wire_parse_mac(const char *s, uint8_t mac[6]);

#endif
