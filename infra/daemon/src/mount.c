#define _GNU_SOURCE
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#define FUSE_SUPER_MAGIC 0x65735546

int fb_mount(const struct fb_options *o, char *why, size_t whylen)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		snprintf(why, whylen, "cannot open /dev/fuse: %s", strerror(err));
		return -err;
	}
	char opts[160], fstype[16 + FB_MOUNT_NAME_MAX];
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0%s%s", fd,
		 o->allow_other ? ",allow_other" : "",
		 o->default_permissions ? ",default_permissions" : "");
	snprintf(fstype, sizeof(fstype), o->subtype[0] ? "fuse.%s" : "fuse", o->subtype);
	if (mount(o->fsname, o->mnt, fstype, o->mount.flags, opts) < 0) {
		int err = errno;
		snprintf(why, whylen, "mount -t %s %s on %s (%s, flags 0x%lx): %s", fstype, o->fsname, o->mnt,
			 opts, o->mount.flags, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

void fb_unmount(const char *mnt)
{
	if (umount2(mnt, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		fprintf(stderr, "fusebench-daemon: umount %s: %s\n", mnt, strerror(errno));
}

int fb_mount_present(const char *mnt)
{
	struct statfs sf;
	if (statfs(mnt, &sf) < 0)
		return errno == ENOTCONN;
	return sf.f_type == FUSE_SUPER_MAGIC;
}
