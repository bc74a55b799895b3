/* One process's facts and measures from /proc (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgops.h"

uint64_t proc_ticks_ns(unsigned long long ticks)
{
	static long hz;

	if (!hz) {
		hz = sysconf(_SC_CLK_TCK);
		if (hz <= 0)
			hz = 100;
	}
	return (uint64_t)ticks * (1000000000ULL / (uint64_t)hz);
}

int proc_parse_uids(const char *status, uid_t *ruid, uid_t *euid)
{
	const char *s = strstr(status, "\nUid:");
	unsigned long r, u;

	if (!strncmp(status, "Uid:", 4))
		s = status - 1;
	if (!s || sscanf(s + 5, "%lu %lu", &r, &u) != 2)
		return -1;
	*ruid = (uid_t)r;
	*euid = (uid_t)u;
	return 0;
}

int proc_parse_io(const char *io, uint64_t *bytes)
{
	unsigned long long r, w;
	const char *a = strstr(io, "read_bytes:"), *b = strstr(io, "\nwrite_bytes:");

	/* "cancelled_write_bytes:" also ends in write_bytes: the newline tells them apart */
	if (!a || !b || sscanf(a + 11, "%llu", &r) != 1 || sscanf(b + 13, "%llu", &w) != 1)
		return -1;
	*bytes = r + w;
	return 0;
}

int proc_uids(pid_t pid, uid_t *ruid, uid_t *euid, cg_err *e)
{
	char buf[4096];

	if (cg_proc_read(pid, "status", buf, sizeof(buf)) < 0)
		return cg_err_sys(e, "process %d", (int)pid);
	if (proc_parse_uids(buf, ruid, euid) < 0)
		return cg_err_set(e, EINVAL, "%s/%d/status: no Uid line", cg_proc_root, (int)pid);
	return 0;
}

int proc_exe(pid_t pid, char *buf, size_t len, cg_err *e)
{
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/exe", cg_proc_root, (int)pid);
	n = readlink(path, buf, len - 1);
	if (n < 0) {
		/* the link of a kernel thread or zombie is there but reads ENOENT;
		 * the directory itself gone is ESRCH */
		if (errno == ENOENT) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%s/%d", cg_proc_root, (int)pid);
			if (access(dir, F_OK) < 0)
				errno = ESRCH;
			else
				errno = ENOENT;
		}
		return cg_err_sys(e, "process %d: exe", (int)pid);
	}
	buf[n] = '\0';
	return 0;
}

int proc_io_bytes(pid_t pid, uint64_t *bytes, cg_err *e)
{
	char buf[1024];

	if (cg_proc_read(pid, "io", buf, sizeof(buf)) < 0) {
		if (errno == ESRCH)
			return cg_err_sys(e, "process %d", (int)pid);
		return 0;   /* EACCES (not root), ENOENT (no task io accounting) */
	}
	return proc_parse_io(buf, bytes) == 0;
}

static int read_stat(pid_t pid, struct proc_info *out, cg_err *e)
{
	struct cg_proc_stat st;

	if (cg_proc_stat(pid, &st, e) < 0)
		return -1;
	out->ppid = st.ppid;
	out->start = st.start;
	memcpy(out->comm, st.comm, sizeof(out->comm));
	out->kthread = (st.flags & CG_PF_KTHREAD) != 0;
	out->cpu_ns = proc_ticks_ns(st.utime + st.stime);
	/* stat's rss is statm's resident, one read fewer */
	out->rss_bytes = st.rss_pages > 0 ? (uint64_t)st.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
	out->threads = st.threads > 0 ? (unsigned)st.threads : 0;
	return 0;
}

static int read_cgroup(pid_t pid, struct proc_info *out, cg_err *e)
{
	char buf[8192];

	if (cg_proc_read(pid, "cgroup", buf, sizeof(buf)) < 0)
		return cg_err_sys(e, "process %d", (int)pid);
	out->cgroup = strdup(buf);
	if (!out->cgroup)
		return cg_err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int read_exe(pid_t pid, struct proc_info *out, cg_err *e)
{
	char buf[PATH_MAX];

	if (proc_exe(pid, buf, sizeof(buf), e) < 0) {
		if (e->errnum == ESRCH)
			return -1;
		cg_err_clear(e);
		return 0;   /* a kernel thread, a zombie, not ours: no exe */
	}
	out->exe = strdup(buf);
	if (!out->exe)
		return cg_err_set(e, ENOMEM, "out of memory");
	return 0;
}

int proc_info_read(pid_t pid, unsigned what, struct proc_info *out, cg_err *e)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->ruid = out->euid = (uid_t)-1;
	if (what & PROC_STAT)
		rc = read_stat(pid, out, e);
	if (rc == 0 && (what & PROC_UIDS))
		rc = proc_uids(pid, &out->ruid, &out->euid, e);
	if (rc == 0 && (what & PROC_EXE))
		rc = read_exe(pid, out, e);
	if (rc == 0 && (what & PROC_IO)) {
		rc = proc_io_bytes(pid, &out->io_bytes, e);
		out->have_io = rc == 1;
		rc = rc < 0 ? -1 : 0;
	}
	if (rc == 0 && (what & PROC_CGROUP))
		rc = read_cgroup(pid, out, e);
	if (rc < 0) {
		proc_info_free(out);
		return -1;
	}
	out->have = what;
	return 0;
}

void proc_info_free(struct proc_info *p)
{
	free(p->exe);
	free(p->cgroup);
	p->exe = p->cgroup = NULL;
}

int proc_cgroup_next(const char **cur, struct proc_cgline *line, char *scratch, size_t len)
{
	while (**cur) {
		const char *s = *cur;
		size_t ll = strcspn(s, "\n");
		char *c1, *c2;

		*cur = s + ll + (s[ll] == '\n');
		if (ll >= len)
			continue;
		memcpy(scratch, s, ll);
		scratch[ll] = '\0';
		c1 = strchr(scratch, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		line->id = (unsigned)strtoul(scratch, NULL, 10);
		line->ctrls = c1 + 1;
		line->path = c2 + 1;
		return 1;
	}
	return 0;
}

bool proc_cgroup_under(const char *text, const char *prefix)
{
	struct proc_cgline l;
	char scratch[PATH_MAX + 256];
	size_t pl = strlen(prefix);

	while (pl > 1 && prefix[pl - 1] == '/')
		pl--;
	while (proc_cgroup_next(&text, &l, scratch, sizeof(scratch)))
		if (!strncmp(l.path, prefix, pl) &&
		    (!l.path[pl] || l.path[pl] == '/' || (pl == 1 && prefix[0] == '/')))
			return true;
	return false;
}
