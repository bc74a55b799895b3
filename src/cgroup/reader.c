/* The two readers the commands use: the real files, and nothing at all.
 * The only file of the engine's planning side that touches the system. */
#include "reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "sys.h"

static ssize_t fs_read(void *ctx, const char *path, char *buf, size_t len)
{
	(void)ctx;
	return sys_read_file(path, buf, len);
}

static bool fs_exists(void *ctx, const char *path)
{
	struct stat st;

	(void)ctx;
	return stat(path, &st) == 0;
}

static int fs_blkdev(void *ctx, const char *path, unsigned *major, unsigned *minor)
{
	struct stat st;

	(void)ctx;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISBLK(st.st_mode)) {
		errno = ENOTBLK;
		return -1;
	}
	*major = major(st.st_rdev);
	*minor = minor(st.st_rdev);
	return 0;
}

static int fs_subdirs(void *ctx, const char *dir, char ***names, size_t *n)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	(void)ctx;
	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nn = realloc(*names, (*n + 1) * sizeof(*nn));
		if (!nn)
			return -1;
		*names = nn;
		if (!(nn[*n] = strdup(de->d_name)))
			return -1;
		(*n)++;
	}
	return 0;
}

static ssize_t empty_read(void *ctx, const char *path, char *buf, size_t len)
{
	(void)ctx;
	(void)path;
	(void)buf;
	(void)len;
	errno = ENOENT;
	return -1;
}

static bool empty_exists(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	return false;
}

const struct cg_reader cg_reader_fs = { fs_read, fs_exists, fs_blkdev, fs_subdirs, NULL };
const struct cg_reader cg_reader_empty = { empty_read, empty_exists, NULL, NULL, NULL };

