/* certify: spawn, time-limit and reap child processes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define PROC_SLOTS 128

/* Registered process groups; 0 is a free slot. Read by the signal handler. */
static _Atomic pid_t proc_slots[PROC_SLOTS];
static volatile sig_atomic_t proc_signal;

static void proc_kill_all(void)
{
	for (int i = 0; i < PROC_SLOTS; i++) {
		pid_t pid = atomic_load(&proc_slots[i]);

		if (pid > 0)
			kill(-pid, SIGKILL);
	}
}

static void proc_on_signal(int sig)
{
	proc_kill_all();
	if (proc_signal)
		_exit(128 + sig);	/* second signal: leave at once */
	proc_signal = sig;
}

void certify_proc_install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = proc_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int certify_proc_interrupted(void)
{
	return proc_signal;
}

static void proc_register(pid_t pid)
{
	for (int i = 0; i < PROC_SLOTS; i++) {
		pid_t zero = 0;

		if (atomic_compare_exchange_strong(&proc_slots[i], &zero, pid))
			return;
	}
	/* A full registry still leaves PR_SET_PDEATHSIG as the safety net. */
}

static void proc_unregister(pid_t pid)
{
	for (int i = 0; i < PROC_SLOTS; i++) {
		pid_t expect = pid;

		if (atomic_compare_exchange_strong(&proc_slots[i], &expect, 0))
			return;
	}
}

/* In the child: only async-signal-safe calls until exec. */
static void proc_child(char *const argv[], const char *out_path, int errfd, pid_t parent,
		       const sigset_t *oldmask, const int *keep, unsigned nkeep)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	/* Nothing the tool inherited or opened reaches the child but stdio and keep: mark all
	 * close-on-exec (Linux 5.11; older kernels say ENOSYS and our own fds are CLOEXEC
	 * anyway), then clear the flag on the kept ones. Both are raw system calls, safe here;
	 * a kept fd of 0..2 would be clobbered above, and the spawner's never are. */
#ifdef SYS_close_range
	syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
#endif
	for (unsigned i = 0; i < nkeep; i++) {
		int fl = fcntl(keep[i], F_GETFD);
		if (fl < 0 || fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC) < 0) {
			fd = errno;
			if (write(errfd, &fd, sizeof(fd)) < 0)
				_exit(127);
			_exit(127);
		}
	}
	execvp(argv[0], argv);
	fd = errno;
	if (write(errfd, &fd, sizeof(fd)) < 0)
		_exit(127);
	_exit(127);
}

int certify_proc_spawn(struct certify_proc *p, char *const argv[], const char *out_path,
		       struct certify_err *err)
{
	return certify_proc_spawn_keep(p, argv, out_path, NULL, 0, err);
}

int certify_proc_spawn_keep(struct certify_proc *p, char *const argv[], const char *out_path,
			    const int *keep, unsigned nkeep, struct certify_err *err)
{
	sigset_t block, old;
	int pipefd[2], child_errno = 0;
	pid_t parent = getpid(), pid;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if (proc_signal)
		return certify_errf(err, "%s: not started, interrupted by signal %d", argv[0],
				    (int)proc_signal);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return certify_errf(err, "pipe: %s", strerror(errno));
	/* Block the kill signals so the child is registered before the handler can run. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid == 0)
		proc_child(argv, out_path, pipefd[1], parent, &old, keep, nkeep);
	if (pid > 0) {
		setpgid(pid, pid);	/* also here, so kill(-pid) works at once */
		proc_register(pid);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return certify_errf(err, "%s: fork: %s", argv[0], strerror(errno));
	}
	p->pid = pid;
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		certify_proc_wait(p, 5);
		return certify_errf(err, "%s: cannot run: %s", argv[0], strerror(child_errno));
	}
	if (proc_signal)
		kill(-pid, SIGKILL);
	return 0;
}

int certify_proc_poll(struct certify_proc *p)
{
	int st;
	pid_t r;

	if (p->reaped || p->pid <= 0)
		return 1;
	do
		r = waitpid(p->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	/* Kill what the child may have left in its group, then forget it. */
	kill(-p->pid, SIGKILL);
	proc_unregister(p->pid);
	p->status = r == p->pid ? st : 0;
	p->reaped = 1;
	return 1;
}

int certify_proc_wait(struct certify_proc *p, double timeout_s)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	double end = certify_now() + timeout_s;

	while (!certify_proc_poll(p)) {
		if (certify_now() >= end)
			return 0;
		nanosleep(&ts, NULL);
	}
	return 1;
}

void certify_proc_kill(struct certify_proc *p, double grace_s)
{
	if (p->reaped || p->pid <= 0)
		return;
	kill(-p->pid, SIGTERM);
	if (certify_proc_wait(p, grace_s))
		return;
	kill(-p->pid, SIGKILL);
	certify_proc_wait(p, 30);
}
