#define _GNU_SOURCE
#include "passthrough.h"

#include <errno.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "fuse_abi.h"
#include "session.h"

static int attach(struct fb_session *se, int fd)
{
	int id;

	switch (se->pt_abi) {
	case FB_PT_ABI_UPSTREAM_BACKING: {
		struct fb_backing_map map = { .fd = fd, .flags = 0, .padding = 0 };
		id = ioctl(se->fd, FB_DEV_IOC_BACKING_OPEN, &map);
		break;
	}
	case FB_PT_ABI_ANDROID: {
		uint32_t arg = (uint32_t)fd;
		id = ioctl(se->fd, FB_ANDROID_DEV_IOC_PASSTHROUGH_OPEN, &arg);
		break;
	}
	default:
		return 0;
	}
	if (id < 0)
		return -errno;
	return id;
}

static void detach(struct fb_session *se, int backing_id)
{
	if (se->pt_abi != FB_PT_ABI_UPSTREAM_BACKING || backing_id <= 0)
		return;
	uint32_t id = (uint32_t)backing_id;
	(void)ioctl(se->fd, FB_DEV_IOC_BACKING_CLOSE, &id);
}

uint32_t fb_pt_open_flags(const struct fb_session *se)
{
	return se->pt_abi == FB_PT_ABI_UPSTREAM_BACKING ? FOPEN_PASSTHROUGH : 0;
}

int fb_pt_get(struct fb_session *se, struct fb_inode *ino, int fd)
{
	if (se->pt_abi != FB_PT_ABI_UPSTREAM_BACKING)
		return attach(se, fd);

	int id;
	pthread_mutex_lock(&se->itable.lock);
	if (ino->backing_refs > 0) {
		ino->backing_refs++;
		id = ino->backing_id;
	} else {
		id = attach(se, fd);
		if (id > 0) {
			ino->backing_id = id;
			ino->backing_refs = 1;
		}
	}
	pthread_mutex_unlock(&se->itable.lock);
	return id;
}

void fb_pt_put(struct fb_session *se, struct fb_inode *ino, int backing_id)
{
	if (se->pt_abi != FB_PT_ABI_UPSTREAM_BACKING || backing_id <= 0)
		return;
	pthread_mutex_lock(&se->itable.lock);
	if (ino->backing_refs > 0 && ino->backing_id == backing_id && --ino->backing_refs == 0) {
		detach(se, backing_id);
		ino->backing_id = 0;
	}
	pthread_mutex_unlock(&se->itable.lock);
}
