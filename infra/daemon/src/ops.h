/* Operation handlers, one per opcode; see the table in dispatch.c. */
#ifndef FB_OPS_H
#define FB_OPS_H

#include "dispatch.h"

#define FB_HANDLER(name) int name(const struct fb_req *req, struct fb_reply *rep)

/* ops_init.c */
FB_HANDLER(fb_op_init);
FB_HANDLER(fb_op_destroy);
FB_HANDLER(fb_op_interrupt);
FB_HANDLER(fb_op_statfs);
/* ops_entry.c */
FB_HANDLER(fb_op_lookup);
FB_HANDLER(fb_op_forget);
FB_HANDLER(fb_op_batch_forget);
FB_HANDLER(fb_op_readlink);
FB_HANDLER(fb_op_symlink);
FB_HANDLER(fb_op_mknod);
FB_HANDLER(fb_op_mkdir);
FB_HANDLER(fb_op_unlink);
FB_HANDLER(fb_op_rmdir);
FB_HANDLER(fb_op_rename);
FB_HANDLER(fb_op_rename2);
FB_HANDLER(fb_op_link);
/* ops_attr.c */
FB_HANDLER(fb_op_getattr);
FB_HANDLER(fb_op_setattr);
FB_HANDLER(fb_op_statx);
/* ops_data.c */
FB_HANDLER(fb_op_open);
FB_HANDLER(fb_op_create);
FB_HANDLER(fb_op_read);
FB_HANDLER(fb_op_write);
FB_HANDLER(fb_op_flush);
FB_HANDLER(fb_op_release);
FB_HANDLER(fb_op_fsync);
FB_HANDLER(fb_op_fallocate);
FB_HANDLER(fb_op_lseek);
FB_HANDLER(fb_op_copy_file_range);
/* ops_dir.c */
FB_HANDLER(fb_op_opendir);
FB_HANDLER(fb_op_readdir);
FB_HANDLER(fb_op_readdirplus);
FB_HANDLER(fb_op_releasedir);
FB_HANDLER(fb_op_fsyncdir);
/* ops_xattr.c */
FB_HANDLER(fb_op_setxattr);
FB_HANDLER(fb_op_getxattr);
FB_HANDLER(fb_op_listxattr);
FB_HANDLER(fb_op_removexattr);

#endif
