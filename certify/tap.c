/* certify: a multiqueue tap interface for the host end of NIC tests (tap.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"

#define TAP_DEV		"/dev/net/tun"

/* Attach one more queue fd to interface name (or create it from the pattern in name). */
static int tap_queue(char name[16], struct certify_err *err)
{
	struct ifreq ifr;
	int fd = open(TAP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return certify_errf(err, "%s: %s", TAP_DEV, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, name, IFNAMSIZ);
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		return certify_errf(err, "tap %s: TUNSETIFF: %s", name, strerror(e));
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

/* IPv6 off before the interface goes up, so it sends no router solicitation or DAD probe.
 * A host without IPv6 has no such file: nothing to turn off. */
static int tap_no_ipv6(const char *name, struct certify_err *err)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : certify_errf(err, "%s: %s", path, strerror(errno));
	ssize_t n = write(fd, "1\n", 2);
	int e = errno;
	close(fd);
	return n == 2 ? 0 : certify_errf(err, "%s: %s", path, strerror(e));
}

static int tap_up(struct certify_tap *t, struct certify_err *err)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return certify_errf(err, "tap %s: socket: %s", t->name, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, IFNAMSIZ);
	int rc = ioctl(s, SIOCGIFINDEX, &ifr);
	if (rc == 0) {
		t->ifindex = ifr.ifr_ifindex;
		rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	}
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	int e = errno;
	close(s);
	return rc == 0 ? 0 : certify_errf(err, "tap %s: bring up: %s", t->name, strerror(e));
}

/* /dev/net/tun is often mode 0666: opening it proves nothing, creating a tap (which needs
 * CAP_NET_ADMIN) does. The probe's interface goes away with its only fd. */
int certify_tap_available(char *why, size_t whylen)
{
	struct certify_err err;
	char name[16] = "hvkt%d";
	int fd = tap_queue(name, &err);

	if (fd < 0) {
		snprintf(why, whylen, "%s", err.msg);
		return -1;
	}
	close(fd);
	return 0;
}

int certify_tap_open(struct certify_tap *t, unsigned queues, struct certify_err *err)
{
	memset(t, 0, sizeof(*t));
	if (queues < 1 || queues > CERTIFY_TAP_MAX_QUEUES)
		return certify_errf(err, "tap: %u queues (1..%d)", queues, CERTIFY_TAP_MAX_QUEUES);
	snprintf(t->name, sizeof(t->name), "hvkt%%d");
	for (unsigned i = 0; i < queues; i++) {
		int fd = tap_queue(t->name, err);
		if (fd < 0)
			goto close_queues;
		t->fds[t->nfds++] = fd;
	}
	if (tap_no_ipv6(t->name, err) < 0 || tap_up(t, err) < 0)
		goto close_queues;
	return 0;

close_queues:
	certify_tap_close(t);
	return -1;
}

void certify_tap_close(struct certify_tap *t)
{
	for (unsigned i = 0; i < t->nfds; i++)
		close(t->fds[i]);
	t->nfds = 0;
}
