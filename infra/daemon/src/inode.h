/*
 * Inode table: one entry per lower object the kernel knows, holding an
 * O_PATH fd, keyed by (st_dev, st_ino). The nodeid given to the kernel is
 * the entry's address (root is nodeid 1); lookup counts follow FORGET.
 */
#ifndef FB_INODE_H
#define FB_INODE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

struct fb_inode {
	int fd;			/* O_PATH | O_NOFOLLOW */
	dev_t dev;
	ino_t ino;
	uint64_t nlookup;	/* guarded by the table lock */
	int backing_id;		/* upstream passthrough: shared by all opens; table lock */
	int backing_refs;
	struct fb_inode *next;	/* hash chain */
};

struct fb_inode_table {
	pthread_mutex_t lock;
	struct fb_inode **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;
	struct fb_inode root;
};

int fb_itable_init(struct fb_inode_table *t, const char *lower_path);
void fb_itable_destroy(struct fb_inode_table *t);

/*
 * Take ownership of fd (an O_PATH fd of the object with this dev/ino): return
 * the existing inode with its lookup count raised (fd closed) or a new one
 * with count 1. NULL with errno on allocation failure (fd closed).
 */
struct fb_inode *fb_itable_lookup_or_insert(struct fb_inode_table *t, int fd, dev_t dev, ino_t ino);

/* Drop n lookups; frees the inode when the count reaches 0. */
void fb_itable_forget(struct fb_inode_table *t, struct fb_inode *ino, uint64_t n);

static inline struct fb_inode *fb_inode_of(struct fb_inode_table *t, uint64_t nodeid)
{
	return nodeid == 1 ? &t->root : (struct fb_inode *)(uintptr_t)nodeid;
}

static inline uint64_t fb_nodeid_of(struct fb_inode_table *t, struct fb_inode *i)
{
	return i == &t->root ? 1 : (uint64_t)(uintptr_t)i;
}

#endif
