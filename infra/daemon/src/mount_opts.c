#define _GNU_SOURCE
#include "mount_opts.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

void fb_mount_opts_init(struct fb_mount_opts *m)
{
	memset(m, 0, sizeof(*m));
	m->flags = MS_NOSUID | MS_NODEV;
}

bool fb_mount_name_ok(const char *name)
{
	size_t len = strlen(name);
	return len > 0 && len < FB_MOUNT_NAME_MAX && !strpbrk(name, ", \t\n=");
}

struct flag_opt {
	const char *name;
	unsigned long set, clear;
};

static const struct flag_opt flag_opts[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME },
	{ "atime", 0, MS_NOATIME },
	{ "relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME },
	{ "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME },
	{ "nostrictatime", 0, MS_STRICTATIME },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "diratime", 0, MS_NODIRATIME },
	{ "lazytime", MS_LAZYTIME, 0 },
	{ "nolazytime", 0, MS_LAZYTIME },
};

/* Userspace-only options mount(8) or fstab may pass along: accepted, meaningless here. */
static bool ignored(const char *opt)
{
	static const char *const names[] = { "defaults", "auto", "noauto", "nofail", "_netdev", "user", "nouser", "users", "owner", "group", "silent", "loud" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(opt, names[i]) == 0)
			return true;
	return strncmp(opt, "x-", 2) == 0 || strncmp(opt, "comment=", 8) == 0;
}

static int named(char *dst, const char *opt, const char *prefix, char *why, size_t whylen)
{
	const char *value = opt + strlen(prefix);
	if (!fb_mount_name_ok(value)) {
		snprintf(why, whylen, "mount option %s: the name must be 1..%d characters without commas, spaces or '='",
			 opt, FB_MOUNT_NAME_MAX - 1);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);	/* fits: fb_mount_name_ok checked the length */
	return 0;
}

static int apply(struct fb_mount_opts *m, const char *opt, char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
		if (strcmp(opt, flag_opts[i].name) == 0) {
			m->flags = (m->flags & ~flag_opts[i].clear) | flag_opts[i].set;
			return 0;
		}
	}
	if (strcmp(opt, "allow_other") == 0)
		m->allow_other = true;
	else if (strcmp(opt, "default_permissions") == 0)
		m->default_permissions = true;
	else if (strncmp(opt, "fsname=", 7) == 0)
		return named(m->fsname, opt, "fsname=", why, whylen);
	else if (strncmp(opt, "subtype=", 8) == 0)
		return named(m->subtype, opt, "subtype=", why, whylen);
	else if (strcmp(opt, "remount") == 0) {
		snprintf(why, whylen, "mount option remount: the daemon makes a new mount; change an existing one with "
			 "mount -i -o remount,... MNT");
		return -1;
	} else if (!ignored(opt)) {
		snprintf(why, whylen, "unknown mount option '%s'", opt);
		return -1;
	}
	return 0;
}

int fb_mount_opts_parse(struct fb_mount_opts *m, const char *list, char *why, size_t whylen)
{
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		char opt[160];
		if (len >= sizeof(opt)) {
			snprintf(why, whylen, "mount option '%.40s...' is too long", p);
			return -1;
		}
		memcpy(opt, p, len);
		opt[len] = '\0';
		if (len > 0 && apply(m, opt, why, whylen) < 0)
			return -1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}
