/* A user's group's counters and PSI triggers (see measure.h). */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgops.h"
#include "mapping.h"
#include "sys.h"

#define PSI_WINDOW_MIN_US 500000u
#define PSI_WINDOW_MAX_US 10000000u

struct reading {
	const struct cg_layout *l;
	const char *rel;
	char *const *dirs;   /* or the group's own directory in each hierarchy */
	size_t n_dirs;
	unsigned found;   /* files read */
	bool absent;      /* a hierarchy that should hold the group does not */
	char buf[8192];
};

/* The mount holding file f, and whether it is v2; NULL when the host has none. */
static const char *file_mount(const struct cg_layout *l, enum map_stat f, bool *v2)
{
	enum cg_ctrl c = map_stat_ctrl(f);

	if (c == CTRL_COUNT) {   /* the pressure files: in every cgroup2 group */
		*v2 = true;
		return l->unified;
	}
	*v2 = cg_layout_is_v2(l, c);
	return cg_layout_mount(l, c);
}

/* The group's directory below mount: mount/rel, or the one of dirs in that
 * mount (a group below the caller's own sits at another path in each
 * hierarchy when those differ); "" when it has none there. */
static void group_dir(const struct reading *r, const char *mount, char *out, size_t len)
{
	size_t ml = strlen(mount);

	if (!r->dirs) {
		snprintf(out, len, "%s%s%s", mount, r->rel[0] ? "/" : "", r->rel);
		return;
	}
	*out = '\0';
	for (size_t i = 0; i < r->n_dirs; i++)
		if (!strncmp(r->dirs[i], mount, ml) && (r->dirs[i][ml] == '/' || !r->dirs[i][ml])) {
			snprintf(out, len, "%s", r->dirs[i]);
			return;
		}
}

/* The text of file f of the group into r->buf; false when there is none. */
static bool read_stat_file(struct reading *r, enum map_stat f, bool *v2)
{
	const char *mount = file_mount(r->l, f, v2), *name;
	char path[PATH_MAX];

	if (!mount || !(name = map_stat_file(f, *v2)))
		return false;
	group_dir(r, mount, path, sizeof(path));
	if (!*path) {
		r->absent = true;
		return false;
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", name);
	if (sys_read_file(path, r->buf, sizeof(r->buf)) < 0) {
		if (errno == ENOENT)
			r->absent = true;
		return false;
	}
	r->found++;
	return true;
}

static void read_cpu(struct reading *r, struct measures *out)
{
	bool v2;
	uint64_t v;

	if (!read_stat_file(r, MS_CPU_USAGE, &v2))
		return;
	if (v2 ? map_parse_keyed(r->buf, map_stat_key(MSK_CPU_USAGE_USEC, true), &v) == 0
	       : map_parse_u64(r->buf, &v) == 0) {
		out->cpu_ns = v2 ? v * 1000 : v;
		out->have |= MEAS_CPU;
	}
}

static void read_mem(struct reading *r, struct measures *out)
{
	bool v2;
	uint64_t usage, inactive = 0;

	if (!read_stat_file(r, MS_MEM_USAGE, &v2) || map_parse_u64(r->buf, &usage) < 0)
		return;
	/* page cache the kernel would drop first is not "in use" (cgtop's MEM too) */
	if (read_stat_file(r, MS_MEM_STAT, &v2) &&
	    map_parse_keyed(r->buf, map_stat_key(MSK_INACTIVE_FILE, v2), &inactive) < 0)
		inactive = 0;
	out->mem_bytes = usage > inactive ? usage - inactive : 0;
	out->mem_usage = usage;
	out->have |= MEAS_MEM;
}

static void read_tasks(struct reading *r, struct measures *out)
{
	const char *mount;
	char dir[PATH_MAX];
	struct cg_ids ids = { 0 };
	bool v2;
	cg_err e;

	if (read_stat_file(r, MS_PIDS_CURRENT, &v2)) {
		if (map_parse_u64(r->buf, &out->tasks) == 0)
			out->have |= MEAS_TASKS;
		return;
	}
	if (cg_layout_mount(r->l, CTRL_PIDS))
		return;   /* the pids hierarchy is there, the group is not */
	/* no pids controller: count the threads where the cpu usage is */
	mount = file_mount(r->l, MS_CPU_USAGE, &v2);
	if (!mount)
		return;
	group_dir(r, mount, dir, sizeof(dir));
	if (access(dir, F_OK) == 0 &&
	    cg_procs_read(dir, v2, CG_LIST_THREADS | CG_LIST_RECURSIVE, &ids, &e) == 0) {
		out->tasks = ids.n;
		out->have |= MEAS_TASKS;
	}
	cg_ids_free(&ids);
}

static void read_io(struct reading *r, struct measures *out)
{
	bool v2;
	uint64_t rb, wb;

	if (!read_stat_file(r, MS_IO_BYTES, &v2))
		return;
	if ((v2 ? map_parse_io_stat_bytes(r->buf, &rb, &wb) : map_parse_blkio_bytes(r->buf, &rb, &wb)) ==
	    0) {
		out->io_bytes = rb + wb;
		out->have |= MEAS_IO;
	}
}

static void read_psi(struct reading *r, struct measures *out)
{
	static const enum map_stat files[MEASURE_PSI_COUNT] = { MS_PSI_CPU, MS_PSI_MEM, MS_PSI_IO };

	for (int i = 0; i < MEASURE_PSI_COUNT; i++) {
		bool v2;

		if (read_stat_file(r, files[i], &v2) &&
		    map_parse_psi_some_avg10(r->buf, &out->psi_avg10[i]) == 0 &&
		    map_parse_psi_some_total(r->buf, &out->psi_total_us[i]) == 0)
			out->have |= MEAS_PSI | MEAS_PSI_BIT(i);
	}
}

static int measure(struct reading *r, unsigned want, struct measures *out, cg_err *e)
{
	memset(out, 0, sizeof(*out));
	if (want & MEAS_CPU)
		read_cpu(r, out);
	if (want & MEAS_MEM)
		read_mem(r, out);
	if (want & MEAS_TASKS)
		read_tasks(r, out);
	if (want & MEAS_IO)
		read_io(r, out);
	if ((want & MEAS_PSI) && r->l->unified)
		read_psi(r, out);
	if (!r->found && !out->have && r->absent)
		return cg_err_set(e, ENOENT, "group %s: in no hierarchy",
				  r->dirs && r->n_dirs ? r->dirs[0] : r->rel[0] ? r->rel : "/");
	return 0;
}

int measure_group(const struct cg_layout *l, const char *rel, unsigned want, struct measures *out,
		  cg_err *e)
{
	struct reading r = { .l = l, .rel = rel ? rel : "" };

	return measure(&r, want, out, e);
}

int measure_group_dirs(const struct cg_layout *l, char *const *dirs, size_t n, unsigned want,
		       struct measures *out, cg_err *e)
{
	struct reading r = { .l = l, .rel = "", .dirs = dirs, .n_dirs = n };

	return measure(&r, want, out, e);
}

int psi_trigger_open(const char *dir, const char *resource, unsigned stall_us, unsigned window_us,
		     cg_err *e)
{
	static const struct {
		const char *name;
		enum map_stat f;
	} res[] = { { "cpu", MS_PSI_CPU }, { "memory", MS_PSI_MEM }, { "io", MS_PSI_IO } };
	const char *file = NULL;
	char path[PATH_MAX], arg[64];
	int fd, n;

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		if (!strcmp(resource, res[i].name))
			file = map_stat_file(res[i].f, true);
	if (!file)
		return cg_err_set(e, EINVAL, "pressure: %s: not cpu, memory or io", resource);
	if (window_us < PSI_WINDOW_MIN_US || window_us > PSI_WINDOW_MAX_US || !stall_us ||
	    stall_us > window_us)
		return cg_err_set(e, EINVAL,
				  "pressure trigger: a window of %u us and a stall of %u us: the window "
				  "must be 500ms..10s and the stall above 0 and within it",
				  window_us, stall_us);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cg_err_sys(e, "%s", path);
	n = snprintf(arg, sizeof(arg), "some %u %u", stall_us, window_us);
	/* the kernel takes the trigger with its NUL */
	if (write(fd, arg, (size_t)n + 1) < 0) {
		cg_err_sys(e, "%s: writing \"%s\"%s", path, arg,
			   errno == EINVAL ? " (without CAP_SYS_RESOURCE the window must be a multiple of 2s)"
					   : "");
		close(fd);
		return -1;
	}
	return fd;
}
