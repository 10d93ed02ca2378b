/*
 * certify: a multiqueue tap interface for the host end of NIC tests. The interface is
 * created through /dev/net/tun (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE) under a name of its
 * own (hvkt0, hvkt1 ...), with one file descriptor per queue for QEMU's `-netdev
 * tap,fds=...`; it is brought up without an address and with IPv6 off, so the host sends
 * nothing of its own on it. It is not persistent: it disappears when the last queue fd
 * closes, also when the tool or QEMU is killed.
 */
#ifndef CERTIFY_TAP_H
#define CERTIFY_TAP_H

#include "err.h"

#define CERTIFY_TAP_MAX_QUEUES	8

struct certify_tap {
	char name[16];			/* IFNAMSIZ */
	int ifindex;
	int fds[CERTIFY_TAP_MAX_QUEUES];	/* close-on-exec: the spawner keeps them for QEMU */
	unsigned nfds;
};

/* Create the interface with queues (1..CERTIFY_TAP_MAX_QUEUES) queue fds and bring it up.
 * 0, or -1 with err naming the step (e.g. "/dev/net/tun: Permission denied"). */
int certify_tap_open(struct certify_tap *t, unsigned queues, struct certify_err *err);
/* Close every queue fd: the interface goes away. Safe on a closed or zeroed tap. */
void certify_tap_close(struct certify_tap *t);
/* 0 when a tap can be made here (root, /dev/net/tun), else -1 with the reason in why. */
int certify_tap_available(char *why, size_t whylen);

#endif
