/* Removing a group and waiting for the kernel to let it go (see cgops.h). */
#include "cgops.h"

#include <errno.h>
#include <stdio.h>

#include "cgops_impl.h"
#include "mapping.h"
#include "sys.h"

/* "3 processes (pid 12, ...), child groups a, b": what keeps dir busy. */
static void whats_inside(const char *dir, char *out, size_t len)
{
	struct cg_ids ids = { 0 };
	char **names = NULL;
	size_t n = 0, used = 0;

	out[0] = '\0';
	if (cgops_read_ids(dir, map_cgfile(MF_PROCS, false), &ids) == 0 && ids.n)
		used += (size_t)snprintf(out, len, "%zu process%s (pid %d%s)", ids.n,
					 ids.n == 1 ? "" : "es", (int)ids.v[0], ids.n > 1 ? ", ..." : "");
	cg_ids_free(&ids);
	if (cg_children(dir, &names, &n, NULL) == 0 && names && n && used < len) {
		used += (size_t)snprintf(out + used, len - used, "%schild group%s", used ? ", " : "",
					 n == 1 ? "" : "s");
		for (size_t i = 0; i < n && used < len; i++)
			used += (size_t)snprintf(out + used, len - used, "%s %s", i ? "," : "", names[i]);
	}
	cg_names_free(names);
	if (!out[0])
		snprintf(out, len, "no process and no child group; the kernel has not let it go yet");
}

/* rmdir until the deadline `end` (now_ms); timeout_ms only for the message. */
static int remove_until(const char *dir, long end, int timeout_ms, cg_err *e)
{
	long step = 1;
	char inside[512];

	for (;;) {
		long left;

		if (sys_rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return cg_err_sys(e, "removing %s", dir);
		left = end - cgops_now_ms();
		if (left <= 0)
			break;
		cgops_sleep_ms(step < left ? step : left);
		if (step < 50)
			step *= 2;
	}
	whats_inside(dir, inside, sizeof(inside));
	return cg_err_set(e, EBUSY, "removing %s: still busy after %d ms: %s", dir, timeout_ms, inside);
}

int cg_remove_wait(const char *dir, int timeout_ms, cg_err *e)
{
	return remove_until(dir, cgops_now_ms() + timeout_ms, timeout_ms, e);
}

int cg_remove_group(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	long end = cgops_now_ms() + timeout_ms;   /* one wait for all: the same processes hold each */
	int rc = 0;

	for (size_t i = 0; i < g->n; i++)
		if (remove_until(g->h[i].dir, end, timeout_ms, rc < 0 ? NULL : e) < 0)
			rc = -1;
	return rc;
}
