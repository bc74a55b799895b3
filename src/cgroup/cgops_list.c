/* A group's processes, threads and child groups (see cgops.h). */
#include "cgops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgops_impl.h"
#include "cleanup.h"
#include "mapping.h"
#include "sys.h"

/* The ids in dir/file, one a line, added to out; a directory that is gone
 * adds nothing. Plain reads: an empty group costs an open, a read and a
 * close. */
int cgops_read_ids(const char *dir, const char *file, struct cg_ids *out)
{
	char path[PATH_MAX], buf[4096];
	_cleanup_close_ int fd = -1;
	long v = 0;
	bool in = false;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENODEV ? 0 : -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENODEV ? 0 : -1;
		}
		/* a number may go on in the next read */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = v * 10 + (buf[i] - '0');
				in = true;
			} else if (in) {
				if (cgops_ids_add(out, (pid_t)v) < 0)
					return -1;
				v = 0;
				in = false;
			}
		}
	}
	if (in && cgops_ids_add(out, (pid_t)v) < 0)
		return -1;
	return 0;
}

int cg_has_procs(const char *dir, bool v2, cg_err *e)
{
	char path[PATH_MAX], few[16];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, map_cgfile(MF_PROCS, v2));
	n = sys_read_file(path, few, sizeof(few));
	if (n < 0)
		return errno == ENOENT || errno == ENODEV ? 0 : cg_err_sys(e, "reading %s", path);
	return n > 0;
}

int cg_procs_read(const char *dir, bool v2, unsigned flags, struct cg_ids *out, cg_err *e)
{
	const char *file = map_cgfile(flags & CG_LIST_THREADS ? MF_THREADS : MF_PROCS, v2);
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (cgops_read_ids(dir, file, out) < 0)
		return cg_err_sys(e, "%s/%s", dir, file);
	if (!(flags & CG_LIST_RECURSIVE))
		return 0;
	if (cg_children(dir, &names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		rc = cg_procs_read(sub, v2, flags, out, e);
	}
	cg_names_free(names);
	return rc;
}

int cg_procs_list(const struct cg_dirs *g, unsigned flags, struct cg_ids *out, cg_err *e)
{
	for (size_t i = 0; i < g->n; i++)
		if (cg_procs_read(g->h[i].dir, g->h[i].v2, flags, out, e) < 0)
			return -1;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cg_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int cg_children(const char *dir, char ***names, size_t *n, cg_err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **v = calloc(1, sizeof(char *));
	struct dirent *de;
	struct stat st;

	*names = NULL;
	*n = 0;
	if (!v)
		return cg_err_set(e, ENOMEM, "out of memory");
	/* A directory's link count is 2 + its subdirectories on cgroupfs (and
	 * tmpfs): 2 means no child group, and a stat is far cheaper than
	 * reading the dozens of files of a group's directory. */
	if (stat(dir, &st) == 0 && st.st_nlink == 2) {
		*names = v;
		return 0;
	}
	d = opendir(dir);
	if (!d) {
		*names = v;
		if (errno == ENOENT)
			return 0;
		return cg_err_sys(e, "%s", dir);
	}
	while ((de = readdir(d))) {
		char **nv;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		nv = realloc(v, (*n + 2) * sizeof(char *));
		if (!nv || !(nv[*n] = strdup(de->d_name))) {
			cg_names_free(nv ? nv : v);
			*n = 0;   /* nothing listed: no count without names */
			return cg_err_set(e, ENOMEM, "out of memory");
		}
		v = nv;
		v[++*n] = NULL;
	}
	qsort(v, *n, sizeof(char *), name_cmp);
	*names = v;
	return 0;
}

