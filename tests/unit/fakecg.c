/* The fake cgroup file system of the unit tests: see fakecg.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_profile.h"
#include "fakecg.h"
#include "layout.h"
#include "sys.h"


char fake_root[256];
bool fake_v2;
bool fake_v2_bfq;      /* v2 without blk-iocost: io.bfq.weight only */
int fake_steps;        /* mkdirs and writes so far */
int fake_fail_at;      /* 0: never */
char fake_failed_path[4096];

void fake_put(const char *dir, const char *file, const char *value)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(value, f);
	fclose(f);
}

char *fake_get(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The v1 controller directory a path is in ("cpu", "memory"...). */
const char *fake_hier(const char *path, char *out, size_t len)
{
	const char *s = path + strlen(fake_root) + 1;

	snprintf(out, len, "%.*s", (int)strcspn(s, "/"), s);
	return out;
}

/* What the kernel puts in a new group. */
void fake_fill(const char *dir, bool root)
{
	char h[64];

	fake_put(dir, "cgroup.procs", "");
	if (fake_v2) {
		fake_put(dir, "cgroup.subtree_control", "");
		fake_put(dir, "cgroup.controllers", "cpuset cpu io memory pids");
		if (root) {
			if (!fake_v2_bfq)
				fake_put(dir, "io.cost.qos", "");
			return;
		}
		fake_put(dir, "cpu.max", "max 100000\n");
		fake_put(dir, "cpu.weight", "100\n");
		fake_put(dir, "memory.max", "max\n");
		fake_put(dir, "memory.high", "max\n");
		fake_put(dir, "memory.swap.max", "max\n");
		fake_put(dir, fake_v2_bfq ? "io.bfq.weight" : "io.weight", "default 100\n");
		fake_put(dir, "io.max", "");
		fake_put(dir, "cpuset.cpus", "\n");
		fake_put(dir, "cpuset.mems", "\n");
		fake_put(dir, "pids.max", "max\n");
		return;
	}
	fake_hier(dir, h, sizeof(h));
	if (!strcmp(h, "cpu")) {
		fake_put(dir, "cpu.cfs_period_us", "100000\n");
		fake_put(dir, "cpu.cfs_quota_us", "-1\n");
		fake_put(dir, "cpu.shares", "1024\n");
	} else if (!strcmp(h, "memory")) {
		fake_put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
		fake_put(dir, "memory.soft_limit_in_bytes", "9223372036854771712\n");
		fake_put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
	} else if (!strcmp(h, "blkio")) {
		/* like this host: BFQ, whose weight file is not in the root */
		if (root)
			fake_put(dir, "blkio.bfq.io_service_bytes", "Total 0\n");
		else
			fake_put(dir, "blkio.bfq.weight", "100\n");
		fake_put(dir, "blkio.throttle.read_bps_device", "");
		fake_put(dir, "blkio.throttle.write_bps_device", "");
		fake_put(dir, "blkio.throttle.read_iops_device", "");
		fake_put(dir, "blkio.throttle.write_iops_device", "");
	} else if (!strcmp(h, "cpuset")) {
		fake_put(dir, "cpuset.cpus", root ? "0-3\n" : "\n");
		fake_put(dir, "cpuset.mems", root ? "0\n" : "\n");
		fake_put(dir, "cgroup.clone_children", "0\n");
	} else if (!strcmp(h, "pids")) {
		if (!root)
			fake_put(dir, "pids.max", "max\n");
	}
}

static void fake_rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[4096];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			fake_rm_rf(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Makes the tree; returns its root. */
const char *fake_tree(bool v2)
{
	static const char *const v1[] = { "cpu", "cpuacct", "memory", "blkio", "cpuset", "pids", "freezer" };
	char dir[4096];

	snprintf(fake_root, sizeof(fake_root), "/tmp/cgkit-fake.XXXXXX");
	if (!mkdtemp(fake_root))
		abort();
	fake_v2 = v2;
	fake_steps = fake_fail_at = 0;
	if (v2) {
		fake_fill(fake_root, true);
	} else {
		for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
			snprintf(dir, sizeof(dir), "%s/%s", fake_root, v1[i]);
			mkdir(dir, 0755);
			fake_fill(dir, true);
		}
	}
	snprintf(dir, sizeof(dir), "%s/online", fake_root);
	mkdir(dir, 0755);
	fake_put(dir, "cpus", "0-3\n");
	fake_put(dir, "mems", "0\n");
	return fake_root;
}

void fake_tree_free(void)
{
	fake_rm_rf(fake_root);
}

/* ---- the fake kernel ---- */

bool fake_is(const char *path, const char *file)
{
	size_t pl = strlen(path), fl = strlen(file);

	return pl > fl && path[pl - fl - 1] == '/' && !strcmp(path + pl - fl, file);
}

/* Replaces (in place) or appends the line of device "MAJ:MIN" (the first
 * word of line); drop removes it. */
static void fake_merge_line(char *text, const char *line, bool drop)
{
	char out[65536] = "", dev[64];
	size_t dl;
	bool done = drop;

	snprintf(dev, sizeof(dev), "%.*s ", (int)strcspn(line, " "), line);
	dl = strlen(dev);
	for (char *s = text; *s;) {
		size_t len = strcspn(s, "\n");

		if (len && strncmp(s, dev, dl))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%.*s\n", (int)len, s);
		else if (len && !done) {
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s\n", line);
			done = true;
		}
		s += len;
		s += *s == '\n';
	}
	if (!done)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s\n", line);
	strcpy(text, out);
}

void fake_drop_pid(const char *dir, const char *pid)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096], *cur, out[65536];

	if (!d)
		return;
	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	cur = fake_get(p);
	if (cur) {
		out[0] = '\0';
		for (char *s = cur; *s;) {
			size_t len = strcspn(s, "\n");

			if (len && (len != strlen(pid) || strncmp(s, pid, len)))
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%.*s\n", (int)len, s);
			s += len;
			s += *s == '\n';
		}
		fake_put(dir, "cgroup.procs", out);
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			fake_drop_pid(p, pid);
		}
	closedir(d);
}

int fake_write(const char *path, const char *value)
{
	char *cur = fake_get(path), text[65536], out[65536];
	char dir[4096];
	FILE *f;

	if (!cur) {
		errno = ENOENT;
		return -1;
	}
	snprintf(text, sizeof(text), "%s", cur);
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (fake_is(path, "cgroup.procs")) {
		/* a process is in one group of a hierarchy at a time */
		char top[4096], h[64], sc[4200];
		char *on;

		/* v2: no processes in a group that enables controllers below it */
		snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", dir);
		on = fake_v2 && strcmp(dir, fake_root) ? fake_get(sc) : NULL;
		if (on && *on && *on != '\n') {
			errno = EBUSY;
			return -1;
		}
		if (fake_v2)
			snprintf(top, sizeof(top), "%s", fake_root);
		else
			snprintf(top, sizeof(top), "%s/%s", fake_root, fake_hier(path, h, sizeof(h)));
		fake_drop_pid(top, value);
		cur = fake_get(path);
		snprintf(out, sizeof(out), "%s%s\n", cur ? cur : "", value);
	} else if (fake_is(path, "cgroup.subtree_control")) {
		/* "+a -b": tokens on or off */
		char words[16][32];
		int n = 0;

		for (char *s = text; *s && n < 16;) {
			size_t len = strcspn(s, " \n");

			if (len)
				snprintf(words[n++], 32, "%.*s", (int)len, s);
			s += len;
			s += strspn(s, " \n");
		}
		for (const char *s = value; *s;) {
			size_t len = strcspn(s, " ");
			char w[32];
			int i;

			snprintf(w, sizeof(w), "%.*s", (int)len - 1, s + 1);
			for (i = 0; i < n && strcmp(words[i], w); i++)
				;
			if (s[0] == '+' && i == n)
				snprintf(words[n++], 32, "%s", w);
			else if (s[0] == '-' && i < n)
				memmove(words[i], words[i + 1], (size_t)(--n - i) * 32);
			s += len;
			s += strspn(s, " ");
		}
		out[0] = '\0';
		for (int i = 0; i < n; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", words[i]);
		if (n)
			strcat(out, "\n");
	} else if (strstr(path, "/blkio.throttle.") && strstr(path, "_device")) {
		fake_merge_line(text, value, !strcmp(strchr(value, ' ') + 1, "0"));
		strcpy(out, text);
	} else if (fake_is(path, "io.max")) {
		fake_merge_line(text, value, strstr(value, "rbps=max wbps=max riops=max wiops=max") != NULL);
		strcpy(out, text);
	} else if (strstr(path, "/memory.") && (strstr(path, "_in_bytes") || fake_is(path, "memory.max") ||
						fake_is(path, "memory.high") || fake_is(path, "memory.swap.max"))) {
		uint64_t v = strcmp(value, "-1") && strcmp(value, "max") ? strtoull(value, NULL, 10) / 4096 * 4096
								       : UINT64_MAX;
		char other[4096];

		if (!fake_v2 && (fake_is(path, "memory.limit_in_bytes") || fake_is(path, "memory.memsw.limit_in_bytes"))) {
			/* v1: memsw may never be below the limit */
			bool memsw = fake_is(path, "memory.memsw.limit_in_bytes");
			char *o;
			uint64_t ov;

			snprintf(other, sizeof(other), "%s/%s", dir,
				 memsw ? "memory.limit_in_bytes" : "memory.memsw.limit_in_bytes");
			o = fake_get(other);
			ov = o ? strtoull(o, NULL, 10) : UINT64_MAX;
			if (ov >= 9223372036854771712ULL)
				ov = UINT64_MAX;
			if (o && (memsw ? v < ov : v > ov)) {
				errno = EINVAL;
				return -1;
			}
		}
		if (v == UINT64_MAX)
			snprintf(out, sizeof(out), "%s\n", fake_v2 ? "max" : "9223372036854771712");
		else
			snprintf(out, sizeof(out), "%" PRIu64 "\n", v);
	} else {
		snprintf(out, sizeof(out), "%s\n", value);
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(out, f);
	fclose(f);
	return 0;
}

bool fake_step_fails(const char *path)
{
	if (++fake_steps != fake_fail_at)
		return false;
	snprintf(fake_failed_path, sizeof(fake_failed_path), "%s", path);
	errno = EINVAL;
	return true;
}

int fake_write_file(const char *path, const char *value)
{
	if (fake_step_fails(path))
		return -1;
	return fake_write(path, value);
}

/* Weak: a test that fakes more of the kernel defines its own and calls
 * fake_write_file() for the rest. */
__attribute__((weak)) int __wrap_sys_write_file(const char *path, const char *value);
__attribute__((weak)) int __wrap_sys_write_file(const char *path, const char *value)
{
	return fake_write_file(path, value);
}

int __wrap_sys_mkdir(const char *path, mode_t mode);
int __wrap_sys_mkdir(const char *path, mode_t mode)
{
	if (fake_step_fails(path))
		return -1;
	if (mkdir(path, mode) < 0)
		return -1;
	fake_fill(path, false);
	return 0;
}

/* cgroupfs removes a group with its files, not with its subgroups or while
 * a process is in it (EBUSY). */
int __wrap_sys_rmdir(const char *path);
int __wrap_sys_rmdir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char procs[4200];
	char *held;

	if (!d)
		return -1;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	held = fake_get(procs);   /* static: not freed */
	if (held && *held) {
		closedir(d);
		errno = EBUSY;
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			closedir(d);
			errno = EBUSY;
			return -1;
		}
	rewinddir(d);
	while ((de = readdir(d))) {
		char p[4096];

		if (de->d_type != DT_REG)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(path);
}

/* ---- snapshots ---- */

static int fake_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fake_walk(const char *dir, char ***lines, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[4096], *line;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			if (asprintf(&line, "D %s", p + strlen(fake_root)) < 0)
				abort();
		} else if (asprintf(&line, "F %s=%s", p + strlen(fake_root), fake_get(p)) < 0) {
			abort();
		}
		*lines = realloc(*lines, (*n + 1) * sizeof(char *));
		(*lines)[(*n)++] = line;
		if (de->d_type == DT_DIR)
			fake_walk(p, lines, n);
	}
	closedir(d);
}

/* Every directory and file of the tree with its content, sorted: one string. */
char *fake_snapshot(void)
{
	char **lines = NULL, *out;
	size_t n = 0, len = 1;

	fake_walk(fake_root, &lines, &n);
	qsort(lines, n, sizeof(char *), fake_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	out = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

/* Contents of a file below the root, newline cut ("" when absent). */
const char *fake_read(const char *rel)
{
	static char buf[65536];
	char path[4096];
	char *v;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	v = fake_get(path);
	size_t len;

	snprintf(buf, sizeof(buf), "%s", v ? v : "");
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return buf;
}


/* ---- profiles and layouts for the planner's and the engine's tests ---- */

struct profile *prof(const char *yaml)
{
	struct profile_opts o = { .host_ram = 8ULL << 30 };
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(yaml, strlen(yaml), "t.yaml", &o, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

struct plan_opts opts(void)
{
	static char c[4200], m[4200];

	snprintf(c, sizeof(c), "%s/online/cpus", fake_root);
	snprintf(m, sizeof(m), "%s/online/mems", fake_root);
	return (struct plan_opts){ .cpus_online = c, .mems_online = m };
}

void layout(bool v2, struct cg_layout *l)
{
	cg_err e = { 0 };

	fake_tree(v2);
	assert_int_equal(cg_layout_standard(v2 ? CG_MODE_V2 : CG_MODE_V1, fake_root, l, &e), 0);
}

