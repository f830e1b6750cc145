/* Unit test for fb_mount_opts_parse: option lists as mount(8) hands them to a helper. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "mount_opts.h"

static int failures;

static void check(const char *what, int ok)
{
	if (!ok)
		failures++;
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

/* Parse list from the defaults; the result and why. */
static int parse(const char *list, struct fb_mount_opts *m, char *why, size_t whylen)
{
	fb_mount_opts_init(m);
	why[0] = '\0';
	return fb_mount_opts_parse(m, list, why, whylen);
}

int main(void)
{
	struct fb_mount_opts m;
	char why[256];

	check("empty list keeps nosuid,nodev", parse("", &m, why, sizeof(why)) == 0 &&
	      m.flags == (MS_NOSUID | MS_NODEV) && !m.allow_other && m.fsname[0] == '\0');
	check("fstests' MOUNT_OPTIONS shape",
	      parse("rw,allow_other,default_permissions,noatime", &m, why, sizeof(why)) == 0 &&
	      m.flags == (MS_NOSUID | MS_NODEV | MS_NOATIME) && m.allow_other && m.default_permissions);
	check("ro, then rw wins", parse("ro,noexec,rw", &m, why, sizeof(why)) == 0 &&
	      m.flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	check("suid,dev clear the defaults", parse("suid,dev,ro", &m, why, sizeof(why)) == 0 &&
	      m.flags == MS_RDONLY);
	check("relatime replaces noatime", parse("noatime,relatime", &m, why, sizeof(why)) == 0 &&
	      m.flags == (MS_NOSUID | MS_NODEV | MS_RELATIME));
	check("fsname= and subtype=", parse("fsname=non2,subtype=fusebench", &m, why, sizeof(why)) == 0 &&
	      strcmp(m.fsname, "non2") == 0 && strcmp(m.subtype, "fusebench") == 0);
	check("userspace options are ignored", parse("defaults,nofail,_netdev,x-systemd.automount,,comment=x", &m, why, sizeof(why)) == 0 &&
	      m.flags == (MS_NOSUID | MS_NODEV));
	check("remount is refused, naming mount -i", parse("remount,ro", &m, why, sizeof(why)) < 0 &&
	      strstr(why, "mount -i -o remount") != NULL);
	check("an unknown option is named", parse("rw,bogus=1", &m, why, sizeof(why)) < 0 &&
	      strcmp(why, "unknown mount option 'bogus=1'") == 0);
	check("a subtype with a space is refused", parse("subtype=a b", &m, why, sizeof(why)) < 0);
	check("an empty fsname is refused", parse("fsname=", &m, why, sizeof(why)) < 0);
	return failures ? 1 : 0;
}
