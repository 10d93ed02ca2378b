/* certify: the serial line of a bare-metal target (serialline.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "serialline.h"

static const struct { unsigned baud; speed_t speed; } serial_bauds[] = {
	{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
};

static int serial_speed(unsigned baud, speed_t *out)
{
	for (size_t i = 0; i < sizeof(serial_bauds) / sizeof(serial_bauds[0]); i++) {
		if (serial_bauds[i].baud == baud) {
			*out = serial_bauds[i].speed;
			return 0;
		}
	}
	return -1;
}

int certify_serial_parse(const char *arg, struct certify_serial_target *t, struct certify_err *err)
{
	const char *path, *comma;
	size_t n;
	speed_t sp;

	memset(t, 0, sizeof(*t));
	t->baud = 115200;
	if (strncmp(arg, "serial:", 7))
		return certify_errf(err, "--target %s: expected serial:PATH[,baud]", arg);
	path = arg + 7;
	comma = strrchr(path, ',');
	n = comma ? (size_t)(comma - path) : strlen(path);
	if (n == 0 || n >= sizeof(t->path))
		return certify_errf(err, "--target %s: expected serial:PATH[,baud] with a path of 1..%zu "
				    "bytes", arg, sizeof(t->path) - 1);
	memcpy(t->path, path, n);
	if (comma) {
		char *end;
		unsigned long b = strtoul(comma + 1, &end, 10);

		if (!comma[1] || *end || b > 4000000 || serial_speed((unsigned)b, &sp) < 0)
			return certify_errf(err, "--target %s: baud '%s' is not one of 9600, 19200, "
					    "38400, 57600, 115200, 230400, 460800, 921600", arg, comma + 1);
		t->baud = (unsigned)b;
	}
	if (!strncmp(t->path, "tcp:", 4) && !strchr(t->path + 4, ':'))
		return certify_errf(err, "--target %s: expected tcp:HOST:PORT", arg);
	return 0;
}

static int serial_open_tcp(const char *hostport, struct certify_err *err)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai, *a;
	int fd = -1, rc;

	snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc)
		return certify_errf(err, "tcp:%s: %s", hostport, gai_strerror(rc));
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return certify_errf(err, "tcp:%s: %s", hostport, strerror(errno));
	return fd;
}

static int serial_open_unix(const char *path, struct certify_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return certify_errf(err, "%s: a socket path longer than %zu bytes", path,
				    sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return certify_errf(err, "%s: connect: %s", path, strerror(e));
	}
	return fd;
}

/* A serial device or pty: raw 8N1 at the baud rate, no flow control, no echo. */
static int serial_open_tty(const struct certify_serial_target *t, struct certify_err *err)
{
	struct termios tio;
	speed_t sp = B115200;
	int fd = open(t->path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return certify_errf(err, "%s: %s", t->path, strerror(errno));
	(void)serial_speed(t->baud, &sp);
	if (tcgetattr(fd, &tio) < 0) {
		int e = errno;

		close(fd);
		return certify_errf(err, "%s: not a serial line: %s", t->path, strerror(e));
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(tcflag_t)CRTSCTS;
	cfsetispeed(&tio, sp);
	cfsetospeed(&tio, sp);
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		int e = errno;

		close(fd);
		return certify_errf(err, "%s: cannot set %u baud raw: %s", t->path, t->baud, strerror(e));
	}
	return fd;
}

int certify_serial_open(const struct certify_serial_target *t, struct certify_err *err)
{
	struct stat st;
	int fd;

	if (!strncmp(t->path, "tcp:", 4))
		fd = serial_open_tcp(t->path + 4, err);
	else if (stat(t->path, &st) < 0)
		return certify_errf(err, "%s: %s", t->path, strerror(errno));
	else if (S_ISSOCK(st.st_mode))
		fd = serial_open_unix(t->path, err);
	else if (S_ISCHR(st.st_mode))
		fd = serial_open_tty(t, err);
	else
		return certify_errf(err, "%s: neither a serial device nor a socket", t->path);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int certify_serial_write(int fd, const char *buf, size_t len, double timeout_s)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, (int)(timeout_s * 1000)) <= 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
