#include "layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sys.h"

static const char *const v1_names[CTRL_COUNT] = {
	[CTRL_CPU] = "cpu", [CTRL_CPUACCT] = "cpuacct", [CTRL_MEMORY] = "memory",
	[CTRL_IO] = "blkio", [CTRL_CPUSET] = "cpuset", [CTRL_PIDS] = "pids",
	[CTRL_FREEZER] = "freezer",
};

const char *cg_ctrl_name(enum cg_ctrl c, bool v2)
{
	if ((unsigned)c >= CTRL_COUNT)
		return "?";
	if (v2 && c == CTRL_IO)
		return "io";
	return v1_names[c];
}

const char *cg_mode_name(enum cg_mode m)
{
	switch (m) {
	case CG_MODE_V1: return "v1";
	case CG_MODE_HYBRID: return "hybrid";
	case CG_MODE_V2: return "v2";
	default: return "none";
	}
}

/* Controller named by a v1 mount option or a v2 cgroup.controllers word. */
static int ctrl_from_name(const char *s, size_t len, bool v2)
{
	for (int c = 0; c < CTRL_COUNT; c++) {
		const char *n = cg_ctrl_name(c, v2);

		if (strlen(n) == len && !strncmp(n, s, len))
			return c;
	}
	return -1;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

#define MI_FIELDS 64

/* Splits a line on spaces; returns the number of fields. */
static int split(const char *line, size_t len, const char **f, size_t *fl, int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		f[n] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		fl[n] = (size_t)(line + i - f[n]);
		n++;
	}
	return n;
}

static bool field_is(const char *f, size_t fl, const char *s)
{
	return fl == strlen(s) && !strncmp(f, s, fl);
}

/* Keeps one mount per controller, preferring one that shows the whole
 * hierarchy (root "/") over a bind mount of a subtree. */
static int set_mount(char **mount, char **root, const char *mp, size_t mpl, const char *rt,
		     size_t rtl)
{
	bool whole = field_is(rt, rtl, "/");

	if (*mount && (!whole || !strcmp(*root, "/")))
		return 0;
	free(*mount);
	free(*root);
	*mount = unescape(mp, mpl);
	*root = unescape(rt, rtl);
	return *mount && *root ? 0 : -1;
}

static bool other_v1_ctrl(const char *s, size_t len)
{
	static const char *const others[] = { "devices", "net_cls", "net_prio", "net_cls,net_prio",
					      "perf_event", "hugetlb", "rdma", "misc" };

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (field_is(s, len, others[i]))
			return true;
	return false;
}

static int parse_mount_line(const char *line, size_t len, struct cg_layout *out, bool *v1_seen)
{
	const char *f[MI_FIELDS];
	size_t fl[MI_FIELDS];
	int n = split(line, len, f, fl, MI_FIELDS), dash;

	for (dash = 6; dash < n; dash++)
		if (field_is(f[dash], fl[dash], "-"))
			break;
	if (n < 10 || dash + 3 >= n + 1 || dash + 2 >= n)
		return 0;   /* not a line we understand: not a cgroup mount either */
	const char *fstype = f[dash + 1], *super = f[dash + 3];
	size_t ftl = fl[dash + 1], sl = fl[dash + 3];

	if (field_is(fstype, ftl, "cgroup2"))
		return set_mount(&out->unified, &out->unified_root, f[4], fl[4], f[3], fl[3]);
	if (!field_is(fstype, ftl, "cgroup"))
		return 0;
	for (size_t i = 0; i < sl;) {
		size_t j = i;
		int c;

		while (j < sl && super[j] != ',')
			j++;
		c = ctrl_from_name(super + i, j - i, false);
		if (c >= 0) {
			*v1_seen = true;
			if (set_mount(&out->v1_mount[c], &out->v1_root[c], f[4], fl[4], f[3], fl[3]) < 0)
				return -1;
		} else if (other_v1_ctrl(super + i, j - i)) {
			*v1_seen = true;   /* devices, net_cls...: still a v1 host */
		}
		i = j + 1;
	}
	return 0;
}

/* "/a/b" seen through a mount whose root is "/a" -> "b"; "/" -> "". */
static char *relative_to(const char *path, const char *root)
{
	size_t rl = root ? strlen(root) : 0;

	if (root && rl > 1 && !strncmp(path, root, rl) && (path[rl] == '/' || !path[rl]))
		path += rl;
	while (*path == '/')
		path++;
	return strdup(path);
}

static int parse_cgroup_line(const char *line, size_t len, struct cg_layout *out)
{
	char copy[8192];
	char *c1, *c2;

	if (len >= sizeof(copy))
		return 0;   /* no cgroup path is that long */
	memcpy(copy, line, len);
	copy[len] = '\0';
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return 0;
	*c1 = *c2 = '\0';
	if (!strcmp(copy, "0") && c2 == c1 + 1) {
		free(out->self_unified);
		out->self_unified = relative_to(c2 + 1, out->unified_root);
		return out->self_unified ? 0 : -1;
	}
	for (char *s = c1 + 1; *s;) {
		char *e = strchrnul(s, ',');
		int c = ctrl_from_name(s, (size_t)(e - s), false);

		if (c >= 0) {
			free(out->self_v1[c]);
			out->self_v1[c] = relative_to(c2 + 1, out->v1_root[c]);
			if (!out->self_v1[c])
				return -1;
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

static void settle_mode(struct cg_layout *l, bool v1_seen)
{
	if (v1_seen)
		l->mode = l->unified ? CG_MODE_HYBRID : CG_MODE_V1;
	else
		l->mode = l->unified ? CG_MODE_V2 : CG_MODE_NONE;
}

int cg_layout_parse(const char *mountinfo, const char *proc_cgroup, struct cg_layout *out,
		    cg_err *e)
{
	bool v1_seen = false;

	memset(out, 0, sizeof(*out));
	for (const char *s = mountinfo; *s;) {
		const char *nl = strchrnul(s, '\n');

		if (parse_mount_line(s, (size_t)(nl - s), out, &v1_seen) < 0) {
			cg_layout_free(out);
			return cg_err_set(e, ENOMEM, "out of memory");
		}
		s = *nl ? nl + 1 : nl;
	}
	for (int c = 0; c < CTRL_COUNT; c++)
		v1_seen = v1_seen || out->v1_mount[c];
	settle_mode(out, v1_seen);
	if (out->mode == CG_MODE_NONE) {
		cg_layout_free(out);
		return cg_err_set(e, 0, "no cgroup file system is mounted (no cgroup or cgroup2 line in "
				  "/proc/self/mountinfo); mount one at /sys/fs/cgroup");
	}
	for (const char *s = proc_cgroup ? proc_cgroup : ""; *s;) {
		const char *nl = strchrnul(s, '\n');

		if (parse_cgroup_line(s, (size_t)(nl - s), out) < 0) {
			cg_layout_free(out);
			return cg_err_set(e, ENOMEM, "out of memory");
		}
		s = *nl ? nl + 1 : nl;
	}
	return 0;
}

int cg_layout_set_unified_ctrls(struct cg_layout *l, const char *controllers, cg_err *e)
{
	(void)e;
	l->unified_ctrls = 0;
	if (!l->unified)
		return 0;
	for (const char *s = controllers; *s;) {
		size_t n = strcspn(s, " \n\t");
		int c = ctrl_from_name(s, n, true);

		if (c >= 0 && !l->v1_mount[c])
			l->unified_ctrls |= 1u << c;
		s += n;
		s += strspn(s, " \n\t");
	}
	/* v2 folds CPU usage into cpu.stat and freezing into cgroup.freeze */
	if ((l->unified_ctrls & (1u << CTRL_CPU)) && !l->v1_mount[CTRL_CPUACCT])
		l->unified_ctrls |= 1u << CTRL_CPUACCT;
	if (!l->v1_mount[CTRL_FREEZER] && l->mode == CG_MODE_V2)
		l->unified_ctrls |= 1u << CTRL_FREEZER;
	return 0;
}

static char *read_text(const char *path, cg_err *e)
{
	size_t cap = 16384;

	for (;;) {
		char *buf = malloc(cap);
		ssize_t n;

		if (!buf) {
			cg_err_set(e, ENOMEM, "out of memory");
			return NULL;
		}
		n = sys_read_file(path, buf, cap);
		if (n < 0) {
			cg_err_sys(e, "%s", path);
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap - 1)
			return buf;
		free(buf);
		cap *= 4;
	}
}

int cg_layout_detect(struct cg_layout *out, cg_err *e)
{
	_cleanup_free_ char *mi = read_text("/proc/self/mountinfo", e);
	_cleanup_free_ char *pc = mi ? read_text("/proc/self/cgroup", e) : NULL;
	_cleanup_free_ char *ctrls = NULL;
	char path[4096];

	if (!pc)
		return -1;
	if (cg_layout_parse(mi, pc, out, e) < 0)
		return -1;
	if (!out->unified)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", out->unified);
	ctrls = read_text(path, e);
	if (!ctrls) {
		cg_layout_free(out);
		return -1;
	}
	return cg_layout_set_unified_ctrls(out, ctrls, e);
}

int cg_layout_standard(enum cg_mode mode, const char *root, struct cg_layout *out, cg_err *e)
{
	char path[4096];

	memset(out, 0, sizeof(*out));
	if (mode != CG_MODE_V1 && mode != CG_MODE_V2)
		return cg_err_set(e, 0, "a standard layout is v1 or v2, not %s", cg_mode_name(mode));
	out->mode = mode;
	if (mode == CG_MODE_V2) {
		out->unified = strdup(root);
		out->unified_root = strdup("/");
		out->self_unified = strdup("");
		if (!out->unified || !out->unified_root || !out->self_unified)
			goto oom;
		return cg_layout_set_unified_ctrls(out, "cpuset cpu io memory pids", e);
	}
	for (int c = 0; c < CTRL_COUNT; c++) {
		snprintf(path, sizeof(path), "%s/%s", root, v1_names[c]);
		out->v1_mount[c] = strdup(path);
		out->v1_root[c] = strdup("/");
		out->self_v1[c] = strdup("");
		if (!out->v1_mount[c] || !out->v1_root[c] || !out->self_v1[c])
			goto oom;
	}
	return 0;
oom:
	cg_layout_free(out);
	return cg_err_set(e, ENOMEM, "out of memory");
}

void cg_layout_free(struct cg_layout *l)
{
	free(l->unified);
	free(l->unified_root);
	free(l->self_unified);
	for (int c = 0; c < CTRL_COUNT; c++) {
		free(l->v1_mount[c]);
		free(l->v1_root[c]);
		free(l->self_v1[c]);
	}
	memset(l, 0, sizeof(*l));
}

bool cg_layout_is_v2(const struct cg_layout *l, enum cg_ctrl c)
{
	return (unsigned)c < CTRL_COUNT && !l->v1_mount[c] && l->unified &&
	       (l->unified_ctrls & (1u << c));
}

const char *cg_layout_mount(const struct cg_layout *l, enum cg_ctrl c)
{
	if ((unsigned)c >= CTRL_COUNT)
		return NULL;
	if (l->v1_mount[c])
		return l->v1_mount[c];
	return cg_layout_is_v2(l, c) ? l->unified : NULL;
}

const char *cg_layout_self(const struct cg_layout *l, enum cg_ctrl c)
{
	const char *s;

	if ((unsigned)c >= CTRL_COUNT)
		return "";
	s = cg_layout_is_v2(l, c) ? l->self_unified : l->self_v1[c];
	return s ? s : "";
}
