/* How the engine sees a cgroup tree: the planner and show read it only
 * through a struct cg_reader, so the same code runs against the real files,
 * a fake tree in a unit test, or no tree at all (--plan --layout). */
#ifndef CGKIT_READER_H
#define CGKIT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* read() returns the length or -1 (errno set, ENOENT when absent) and
 * NUL-terminates; exists() says whether a file or directory is there;
 * subdirs() lists a directory's groups; blkdev() finds a block device's
 * numbers (-1 with errno: ENOTBLK when the path is something else), or is
 * NULL when the planner must not look (then the plan shows a placeholder). */
struct cg_reader {
	ssize_t (*read)(void *ctx, const char *path, char *buf, size_t len);
	bool (*exists)(void *ctx, const char *path);
	int (*blkdev)(void *ctx, const char *path, unsigned *major, unsigned *minor);
	/* The names of dir's subdirectories (malloc'ed array of malloc'ed
	 * strings); NULL when the reader cannot list (then none are assumed). */
	int (*subdirs)(void *ctx, const char *dir, char ***names, size_t *n);
	void *ctx;
};
extern const struct cg_reader cg_reader_fs;      /* the real files */
/* Nothing exists below the mount points and nothing is read from the host
 * (--layout): every controller is taken as available, and values that would
 * be read (a v1 cpuset copied from its parent, a device's numbers) show as
 * placeholders: "<cpuset.cpus of DIR>", "<MAJ:MIN of /dev/vda>". */
extern const struct cg_reader cg_reader_empty;

#endif
