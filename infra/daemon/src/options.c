#define _GNU_SOURCE
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fb_mode_name(enum fb_mode m)
{
	switch (m) {
	case FB_MODE_PLAIN:       return "plain";
	case FB_MODE_PASSTHROUGH: return "passthrough";
	case FB_MODE_BPF:         return "bpf";
	}
	return "?";
}

const char *fb_bpf_abi_name(enum fb_bpf_abi a)
{
	switch (a) {
	case FB_BPF_ABI_AUTO:    return NULL;
	case FB_BPF_ABI_ANDROID: return "android";
	case FB_BPF_ABI_RFC_V2:  return "rfc-v2";
	case FB_BPF_ABI_RFC_V3:  return "rfc-v3";
	}
	return NULL;
}

void fb_options_usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [options] LOWER MNT\n"
		"  --mode plain|passthrough|bpf  (default plain)\n"
		"  --transport dev|uring      /dev/fuse read/write (default) or FUSE over io_uring\n"
		"  --uring-depth N            ring entries per queue (default 4)\n"
		"  --uring-setup plain|defer  rings without (default) or with SINGLE_ISSUER|DEFER_TASKRUN\n"
		"  --uring-cpu pinned|any     queue N's thread pinned to CPU N (default), or left to the\n"
		"                             scheduler (the kernel still routes by the caller's CPU)\n"
		"  --poll-us N                /dev/fuse: after each reply, poll for the next request for up\n"
		"                             to N microseconds before sleeping (default 0: always sleep);\n"
		"                             trades CPU for the daemon's wake-up latency\n"
		"  --inject-delay-us N        spin N microseconds before every reply: a known, fixed\n"
		"                             slowdown for proving that the nightly rule detects one\n"
		"  --fuse-bpf-abi auto|android|rfc-v2|rfc-v3  LOOKUP backing block of --mode bpf\n"
		"  --threads N                worker threads (default: online CPUs)\n"
		"  --cache never|auto|always  (default auto)\n"
		"  --writeback                negotiate FUSE_WRITEBACK_CACHE (plain only)\n"
		"  --allow-other              mount with allow_other\n"
		"  --default-permissions      mount with default_permissions\n"
		"  --foreground               stay in the foreground\n"
		"  --debug                    log requests and replies to stderr\n"
		"  --ready-fd N               write \"ready\\n\" or \"error: ...\\n\" to fd N\n"
		"  --stats FILE               JSON stats on exit and on SIGUSR1\n"
		"  --fsname NAME              mount source (default fusebench)\n"
		"  --subtype NAME             mount type fuse.NAME (default fusebench)\n"
		"  --no-subtype               mount type fuse, as libfuse mounts without -o subtype=\n"
		"  -o, --mount-options LIST   mount options, as a mount helper gets them: ro, rw, noatime,\n"
		"                             relatime, nosuid, nodev, noexec, sync, dirsync and their\n"
		"                             opposites, allow_other, default_permissions, fsname=, subtype=\n"
		"                             (default nosuid,nodev); repeatable\n",
		argv0);
}

static int fail(char *why, unsigned whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	fprintf(stderr, "error: %s\n", why);
	return -1;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int fb_options_parse(int argc, char **argv, struct fb_options *o, char *why, unsigned whylen)
{
	enum { O_MODE = 256, O_THREADS, O_CACHE, O_WRITEBACK, O_ALLOW_OTHER, O_DEFPERM,
	       O_FOREGROUND, O_DEBUG, O_READY_FD, O_STATS, O_FSNAME, O_HELP,
	       O_TRANSPORT, O_URING_DEPTH, O_URING_SETUP, O_URING_CPU, O_BPF_ABI, O_POLL_US, O_INJECT_DELAY, O_SUBTYPE, O_NO_SUBTYPE,
	       O_MOUNT_OPTIONS = 'o' };
	static const struct option longopts[] = {
		{ "mode", required_argument, 0, O_MODE },
		{ "threads", required_argument, 0, O_THREADS },
		{ "cache", required_argument, 0, O_CACHE },
		{ "writeback", no_argument, 0, O_WRITEBACK },
		{ "allow-other", no_argument, 0, O_ALLOW_OTHER },
		{ "default-permissions", no_argument, 0, O_DEFPERM },
		{ "foreground", no_argument, 0, O_FOREGROUND },
		{ "debug", no_argument, 0, O_DEBUG },
		{ "ready-fd", required_argument, 0, O_READY_FD },
		{ "stats", required_argument, 0, O_STATS },
		{ "fsname", required_argument, 0, O_FSNAME },
		{ "subtype", required_argument, 0, O_SUBTYPE },
		{ "no-subtype", no_argument, 0, O_NO_SUBTYPE },
		{ "mount-options", required_argument, 0, O_MOUNT_OPTIONS },
		{ "help", no_argument, 0, O_HELP },
		{ "transport", required_argument, 0, O_TRANSPORT },
		{ "uring-depth", required_argument, 0, O_URING_DEPTH },
		{ "uring-setup", required_argument, 0, O_URING_SETUP },
		{ "uring-cpu", required_argument, 0, O_URING_CPU },
		{ "poll-us", required_argument, 0, O_POLL_US },
		{ "inject-delay-us", required_argument, 0, O_INJECT_DELAY },
		{ "fuse-bpf-abi", required_argument, 0, O_BPF_ABI },
		{ 0, 0, 0, 0 },
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(o, 0, sizeof(*o));
	o->mode = FB_MODE_PLAIN;
	o->cache = FB_CACHE_AUTO;
	o->threads = ncpu > 0 ? (int)ncpu : 1;
	o->ready_fd = -1;
	o->fsname = NULL;
	o->subtype = NULL;
	fb_mount_opts_init(&o->mount);
	o->uring_depth = 4;
	o->uring_defer = false;
	o->uring_float = false;

	/* The ready fd must be known even when a later option is bad. */
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--ready-fd") == 0)
			(void)parse_int(argv[i + 1], 0, 1 << 20, &o->ready_fd);

	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+o:", longopts, NULL)) != -1) {
		switch (c) {
		case O_MODE:
			if (strcmp(optarg, "plain") == 0)
				o->mode = FB_MODE_PLAIN;
			else if (strcmp(optarg, "passthrough") == 0)
				o->mode = FB_MODE_PASSTHROUGH;
			else if (strcmp(optarg, "bpf") == 0)
				o->mode = FB_MODE_BPF;
			else
				return fail(why, whylen, "--mode must be plain, passthrough or bpf, got '%s'", optarg);
			break;
		case O_THREADS:
			if (parse_int(optarg, 1, 256, &o->threads))
				return fail(why, whylen, "--threads must be 1..256, got '%s'", optarg);
			break;
		case O_CACHE:
			if (strcmp(optarg, "never") == 0)
				o->cache = FB_CACHE_NEVER;
			else if (strcmp(optarg, "auto") == 0)
				o->cache = FB_CACHE_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->cache = FB_CACHE_ALWAYS;
			else
				return fail(why, whylen, "--cache must be never, auto or always, got '%s'", optarg);
			break;
		case O_WRITEBACK:     o->writeback = true; break;
		case O_ALLOW_OTHER:   o->allow_other = true; break;
		case O_DEFPERM:       o->default_permissions = true; break;
		case O_FOREGROUND:    o->foreground = true; break;
		case O_DEBUG:         o->debug = true; break;
		case O_READY_FD:
			if (parse_int(optarg, 0, 1 << 20, &o->ready_fd))
				return fail(why, whylen, "--ready-fd must be a file descriptor number, got '%s'", optarg);
			break;
		case O_STATS:  o->stats_path = optarg; break;
		case O_FSNAME:
			if (strpbrk(optarg, ", \t\n") || *optarg == '\0')
				return fail(why, whylen, "--fsname must be non-empty without commas or spaces");
			o->fsname = optarg;
			break;
		case O_SUBTYPE:
			if (!fb_mount_name_ok(optarg))
				return fail(why, whylen, "--subtype must be 1..%d characters without commas, spaces or '=', got '%s'",
					    FB_MOUNT_NAME_MAX - 1, optarg);
			o->subtype = optarg;
			break;
		case O_NO_SUBTYPE:
			o->subtype = "";
			break;
		case O_MOUNT_OPTIONS: {
			char reason[256];
			if (fb_mount_opts_parse(&o->mount, optarg, reason, sizeof(reason)) < 0)
				return fail(why, whylen, "-o %s: %s", optarg, reason);
			break;
		}
		case O_TRANSPORT:
			if (strcmp(optarg, "dev") == 0)
				o->transport = FB_TRANSPORT_DEV;
			else if (strcmp(optarg, "uring") == 0)
				o->transport = FB_TRANSPORT_URING;
			else
				return fail(why, whylen, "--transport must be dev or uring, got '%s'", optarg);
			break;
		case O_URING_DEPTH:
			if (parse_int(optarg, 1, 64, &o->uring_depth))
				return fail(why, whylen, "--uring-depth must be 1..64, got '%s'", optarg);
			break;
		case O_URING_SETUP:
			if (strcmp(optarg, "defer") == 0)
				o->uring_defer = true;
			else if (strcmp(optarg, "plain") == 0)
				o->uring_defer = false;
			else
				return fail(why, whylen, "--uring-setup must be defer or plain, got '%s'", optarg);
			break;
		case O_URING_CPU:
			if (strcmp(optarg, "pinned") == 0)
				o->uring_float = false;
			else if (strcmp(optarg, "any") == 0)
				o->uring_float = true;
			else
				return fail(why, whylen, "--uring-cpu must be pinned or any, got '%s'", optarg);
			break;
		case O_POLL_US:
			if (parse_int(optarg, 0, 1000000, &o->poll_us))
				return fail(why, whylen, "--poll-us must be 0..1000000 microseconds, got '%s'", optarg);
			break;
		case O_INJECT_DELAY:
			if (parse_int(optarg, 0, 100000, &o->inject_delay_us))
				return fail(why, whylen, "--inject-delay-us must be 0..100000 microseconds, got '%s'", optarg);
			break;
		case O_BPF_ABI:
			if (strcmp(optarg, "auto") == 0)
				o->bpf_abi = FB_BPF_ABI_AUTO;
			else if (strcmp(optarg, "android") == 0)
				o->bpf_abi = FB_BPF_ABI_ANDROID;
			else if (strcmp(optarg, "rfc-v2") == 0)
				o->bpf_abi = FB_BPF_ABI_RFC_V2;
			else if (strcmp(optarg, "rfc-v3") == 0)
				o->bpf_abi = FB_BPF_ABI_RFC_V3;
			else
				return fail(why, whylen, "--fuse-bpf-abi must be auto, android, rfc-v2 or rfc-v3, got '%s'", optarg);
			break;
		case O_HELP:
			fb_options_usage(argv[0]);
			exit(0);
		default:
			return fail(why, whylen, "unknown or incomplete option '%s' (see --help)",
				    argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return fail(why, whylen, "expected LOWER and MNT after the options (see --help)");
	o->lower = argv[optind];
	o->mnt = argv[optind + 1];
	/* The flags win over -o's names for the same thing; -o adds, as a helper's options do. */
	o->allow_other |= o->mount.allow_other;
	o->default_permissions |= o->mount.default_permissions;
	if (!o->fsname)
		o->fsname = o->mount.fsname[0] ? o->mount.fsname : "fusebench";
	if (!o->subtype)
		o->subtype = o->mount.subtype[0] ? o->mount.subtype : "fusebench";

	if (o->mode == FB_MODE_PASSTHROUGH && o->writeback)
		return fail(why, whylen, "--writeback cannot be combined with --mode passthrough: "
			    "the kernel does not pass writes through with a writeback cache; drop one of them");
	if (o->poll_us && o->transport == FB_TRANSPORT_URING)
		return fail(why, whylen, "--poll-us applies to the /dev/fuse transport; the io_uring one waits in the ring");
	if (o->mode == FB_MODE_BPF && o->transport == FB_TRANSPORT_URING)
		return fail(why, whylen, "--mode bpf runs over /dev/fuse only (no FUSE-BPF kernel has io_uring FUSE); drop --transport uring");
	return 0;
}
