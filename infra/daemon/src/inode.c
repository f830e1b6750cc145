#define _GNU_SOURCE
#include "inode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void free_inode(struct fb_inode *i)
{
	close(i->fd);
	free(i);
}

static size_t hash_key(dev_t dev, ino_t ino, size_t nbuckets)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4FULL;
	return (size_t)(h >> 17) & (nbuckets - 1);
}

int fb_itable_init(struct fb_inode_table *t, const char *lower_path)
{
	struct stat st;

	pthread_mutex_init(&t->lock, NULL);
	t->nbuckets = 1024;
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->root.fd = open(lower_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root.fd < 0)
		return -errno;
	if (fstat(t->root.fd, &st) < 0)
		return -errno;
	t->root.dev = st.st_dev;
	t->root.ino = st.st_ino;
	t->root.nlookup = 1;
	t->root.backing_id = 0;
	t->root.backing_refs = 0;
	t->root.next = NULL;
	return 0;
}

void fb_itable_destroy(struct fb_inode_table *t)
{
	for (size_t b = 0; b < t->nbuckets; b++) {
		struct fb_inode *i = t->buckets[b];
		while (i) {
			struct fb_inode *n = i->next;
			free_inode(i);
			i = n;
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	if (t->root.fd >= 0)
		close(t->root.fd);
	t->root.fd = -1;
}

static void grow(struct fb_inode_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct fb_inode **nbk = calloc(nb, sizeof(*nbk));
	if (!nbk)
		return;		/* keep the longer chains; still correct */
	for (size_t b = 0; b < t->nbuckets; b++) {
		struct fb_inode *i = t->buckets[b];
		while (i) {
			struct fb_inode *n = i->next;
			size_t h = hash_key(i->dev, i->ino, nb);
			i->next = nbk[h];
			nbk[h] = i;
			i = n;
		}
	}
	free(t->buckets);
	t->buckets = nbk;
	t->nbuckets = nb;
}

struct fb_inode *fb_itable_lookup_or_insert(struct fb_inode_table *t, int fd, dev_t dev, ino_t ino)
{
	struct fb_inode *fresh = NULL;

	pthread_mutex_lock(&t->lock);
	for (struct fb_inode *i = t->buckets[hash_key(dev, ino, t->nbuckets)]; i; i = i->next) {
		if (i->ino == ino && i->dev == dev) {
			i->nlookup++;
			pthread_mutex_unlock(&t->lock);
			close(fd);
			return i;
		}
	}
	fresh = malloc(sizeof(*fresh));
	if (!fresh) {
		pthread_mutex_unlock(&t->lock);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	fresh->fd = fd;
	fresh->dev = dev;
	fresh->ino = ino;
	fresh->nlookup = 1;
	fresh->backing_id = 0;
	fresh->backing_refs = 0;
	if (t->count + 1 > t->nbuckets * 2)
		grow(t);
	size_t h = hash_key(dev, ino, t->nbuckets);
	fresh->next = t->buckets[h];
	t->buckets[h] = fresh;
	t->count++;
	pthread_mutex_unlock(&t->lock);
	return fresh;
}

void fb_itable_forget(struct fb_inode_table *t, struct fb_inode *ino, uint64_t n)
{
	if (ino == &t->root)
		return;
	pthread_mutex_lock(&t->lock);
	if (ino->nlookup > n) {
		ino->nlookup -= n;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	struct fb_inode **pp = &t->buckets[hash_key(ino->dev, ino->ino, t->nbuckets)];
	while (*pp && *pp != ino)
		pp = &(*pp)->next;
	if (*pp)
		*pp = ino->next;
	t->count--;
	pthread_mutex_unlock(&t->lock);
	free_inode(ino);
}
