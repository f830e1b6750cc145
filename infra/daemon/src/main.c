/*
 * fusebench-daemon: a FUSE file system that mirrors LOWER at MNT, served
 * straight from /dev/fuse (no libfuse), for benchmarking plain FUSE against
 * kernel passthrough. Start-up order: options, mount, answer INIT, start
 * workers, report ready; then the main thread only handles signals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount.h"
#include "options.h"
#include "session.h"
#include "transport.h"
#include "transport_uring.h"

enum {
	EXIT_RUNTIME = 1,	/* start-up failed at run time (mount, INIT, threads) */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_KERNEL_FEATURE = 3,	/* kernel lacks what the mode or transport needs */
};

#define ENABLE_URING_PARAM "/sys/module/fuse/parameters/enable_uring"
#define FUSE_BPF_FEATURE "/sys/fs/fuse/features/fuse_bpf"


static struct fb_session g_se;
static int g_ready_fd = -1;
static int g_parent_pipe = -1;	/* when daemonized: tells the waiting parent */
static int g_mounted;

static void write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

/* Report the start-up outcome on the ready fd (and to a waiting parent). */
static void report_start(const char *line)
{
	if (g_ready_fd >= 0) {
		write_all(g_ready_fd, line);
		close(g_ready_fd);
		g_ready_fd = -1;
	}
	if (g_parent_pipe >= 0) {
		write_all(g_parent_pipe, line);
		close(g_parent_pipe);
		g_parent_pipe = -1;
	}
}

static void __attribute__((noreturn, format(printf, 2, 3))) die(int code, const char *fmt, ...)
{
	char reason[1024], line[1100];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "error: %s\n", reason);
	write_all(2, line);
	report_start(line);
	if (g_mounted)
		fb_unmount(g_se.opt.mnt);
	exit(code);
}

static void write_stats(void)
{
	if (!g_se.opt.stats_path)
		return;
	int r = fb_stats_write(&g_se, g_se.opt.stats_path);
	if (r < 0)
		fprintf(stderr, "fusebench-daemon: writing stats to %s: %s\n",
			g_se.opt.stats_path, strerror(-r));
}

/* Fork; the parent waits for the child's start-up line and exits with it. */
static void daemonize(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		die(EXIT_RUNTIME, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die(EXIT_RUNTIME, "fork: %s", strerror(errno));
	if (pid > 0) {
		char buf[16] = "";
		close(p[1]);
		ssize_t n;
		do
			n = read(p[0], buf, sizeof(buf) - 1);
		while (n < 0 && errno == EINTR);
		_exit(n > 0 && strncmp(buf, "ready\n", 6) == 0 ? 0 : EXIT_RUNTIME);
	}
	close(p[0]);
	g_parent_pipe = p[1];
	setsid();
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	if (!g_se.opt.debug)
		dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static void set_timeouts(struct fb_session *se)
{
	switch (se->opt.cache) {
	case FB_CACHE_NEVER:  se->timeout_sec = 0; break;
	case FB_CACHE_AUTO:   se->timeout_sec = 1; break;
	case FB_CACHE_ALWAYS: se->timeout_sec = 86400; break;
	}
	se->timeout_nsec = 0;
}

/* Answer INIT on the calling thread before any worker runs. */
static void negotiate(struct fb_session *se)
{
	struct fb_worker *w0 = &se->workers[0];
	while (!se->init.done && !se->init.failed) {
		int r = fb_worker_serve_one(w0);
		if (r < 0)
			die(EXIT_RUNTIME, "waiting for INIT on /dev/fuse: %s", strerror(-r));
	}
	uint64_t offered = fb_init_flags64(se->init.flags, se->init.flags2);
	if (se->init.failed && se->opt.transport == FB_TRANSPORT_URING && !(offered & FUSE_OVER_IO_URING))
		die(EXIT_NO_KERNEL_FEATURE, "kernel did not offer FUSE_OVER_IO_URING in INIT (protocol %u.%u, "
		    "flags2=0x%x): set " ENABLE_URING_PARAM " to Y (needs Linux 6.14+ with CONFIG_FUSE_IO_URING)",
		    se->init.major, se->init.minor, se->init.flags2);
	if (se->init.failed && se->opt.mode == FB_MODE_PASSTHROUGH && se->pt_abi == FB_PT_ABI_NONE)
		die(EXIT_NO_KERNEL_FEATURE, "kernel did not offer FUSE_PASSTHROUGH in INIT (flags2=0x%x)",
		    se->init.flags2);
	if (se->init.failed)
		die(EXIT_RUNTIME, "INIT failed: kernel FUSE protocol %u.%u", se->init.major,
		    se->init.minor);
}

/* --transport uring: rings per CPU once INIT is done. */
static void start_uring(struct fb_session *se)
{
	char why[512];
	int r = fb_uring_start(se, why, sizeof(why));
	if (r == -EOPNOTSUPP)
		die(EXIT_NO_KERNEL_FEATURE, "%s: the kernel refused FUSE over io_uring; set "
		    ENABLE_URING_PARAM " to Y", why);
	if (r < 0)
		die(EXIT_RUNTIME, "%s", why);
}

/* --mode bpf: which LOOKUP backing block this kernel understands. */
static void resolve_bpf_abi(struct fb_session *se)
{
	se->bpf_abi = se->opt.bpf_abi;
	if (se->bpf_abi != FB_BPF_ABI_AUTO)
		return;
	char buf[64] = "";
	FILE *f = fopen(FUSE_BPF_FEATURE, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, "supported") == 0) {
		se->bpf_abi = FB_BPF_ABI_ANDROID;
		return;
	}
	die(EXIT_NO_KERNEL_FEATURE, "cannot tell which FUSE-BPF ABI this kernel speaks (%s %s); "
	    "pass --fuse-bpf-abi android|rfc-v2|rfc-v3", FUSE_BPF_FEATURE, f ? "does not read 'supported'" : "is absent");
}

static void __attribute__((noreturn)) shutdown_and_exit(int unmount)
{
	__atomic_store_n(&g_se.ending, 1, __ATOMIC_RELEASE);
	if (unmount)
		fb_unmount(g_se.opt.mnt);
	/* Workers see ENODEV once the last user of the mount is gone. */
	bool joined = fb_workers_join(&g_se, 2000);
	joined = fb_uring_join(&g_se, 2000) && joined;
	write_stats();
	if (joined) {
		fb_uring_free(&g_se);
		fb_workers_free(&g_se);
		fb_itable_destroy(&g_se.itable);
		close(g_se.fd);
	}
	exit(__atomic_load_n(&g_se.exit_code, __ATOMIC_ACQUIRE));
}

int main(int argc, char **argv)
{
	char why[512];
	struct fb_session *se = &g_se;

	if (fb_options_parse(argc, argv, &se->opt, why, sizeof(why)) < 0) {
		g_ready_fd = se->opt.ready_fd;
		char line[600];
		snprintf(line, sizeof(line), "error: %s\n", why);
		report_start(line);
		return EXIT_USAGE;
	}
	g_ready_fd = se->opt.ready_fd;
	se->fd = -1;
	signal(SIGPIPE, SIG_IGN);

	if (geteuid() != 0)
		die(EXIT_RUNTIME, "must run as root (mount(2) and passthrough need CAP_SYS_ADMIN)");
	if (g_ready_fd >= 0 && fcntl(g_ready_fd, F_GETFD) < 0) {
		g_ready_fd = -1;
		die(EXIT_USAGE, "--ready-fd %d is not an open file descriptor", se->opt.ready_fd);
	}
	/* Workers set each caller's umask for its create (FUSE_DONT_MASK); nothing else creates. */
	umask(0);
	set_timeouts(se);
	if (se->opt.mode == FB_MODE_BPF)
		resolve_bpf_abi(se);

	if (!se->opt.foreground)
		daemonize();

	/* Signals go to the main thread's sigwait only; workers inherit the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	/* What a worker goes back to after acting with a caller's groups. */
	se->n_own_groups = getgroups(0, NULL);
	se->own_groups = calloc((size_t)(se->n_own_groups > 0 ? se->n_own_groups : 1), sizeof(gid_t));
	if (se->n_own_groups < 0 || !se->own_groups ||
	    getgroups(se->n_own_groups, se->own_groups) != se->n_own_groups)
		die(EXIT_RUNTIME, "getgroups: %s", strerror(errno));

	int r = fb_itable_init(&se->itable, se->opt.lower);
	if (r < 0)
		die(EXIT_RUNTIME, "lower directory %s: %s", se->opt.lower, strerror(-r));

	se->fd = fb_mount(&se->opt, why, sizeof(why));
	if (se->fd < 0)
		die(EXIT_RUNTIME, "%s", why);
	g_mounted = 1;

	/* With io_uring, /dev/fuse carries only INIT, FORGET and INTERRUPT: one reader. */
	r = fb_workers_alloc(se, se->opt.transport == FB_TRANSPORT_URING ? 1 : se->opt.threads);
	if (r < 0)
		die(EXIT_RUNTIME, "allocating worker buffers: %s", strerror(-r));
	negotiate(se);
	r = fb_workers_start(se);
	if (r < 0)
		die(EXIT_RUNTIME, "starting workers: %s", strerror(-r));
	if (se->opt.transport == FB_TRANSPORT_URING)
		start_uring(se);

	report_start("ready\n");
	if (!se->opt.foreground)
		detach_stdio();

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&sigs, &si);
		if (sig < 0)
			continue;
		switch (sig) {
		case SIGUSR1:
			write_stats();
			break;
		case SIGUSR2:
			/* A worker saw the session end (e.g. someone ran umount). */
			shutdown_and_exit(fb_mount_present(se->opt.mnt));
		default:
			shutdown_and_exit(1);
		}
	}
}
