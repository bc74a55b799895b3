/* cgkitd's penalties as cgtop shows them (penalty_view.h). */
#include "penalty_view.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void penalty_view_init(struct penalty_view *v)
{
	memset(v, 0, sizeof(*v));
	state_init(&v->st);
}

static void drop_entries(struct penalty_view *v)
{
	size_t i;

	for (i = 0; v->users && i < v->st.n; i++)
		free(v->users[i]);
	free(v->users);
	v->users = NULL;
	v->penalised = 0;
	state_free(&v->st);
}

void penalty_view_free(struct penalty_view *v)
{
	drop_entries(v);
	penalty_view_init(v);
}

int penalty_view_set(struct penalty_view *v, struct state *st)
{
	size_t i;

	drop_entries(v);
	v->st = *st;
	state_init(st);
	if (v->st.n == 0)
		return 0;
	v->users = calloc(v->st.n, sizeof(*v->users));
	if (!v->users) {
		state_free(&v->st);
		return -1;
	}
	for (i = 0; i < v->st.n; i++) {
		const struct judge_entry *e = &v->st.v[i];
		const struct passwd *pw;

		if (!e->penalised)
			continue;
		v->penalised++;
		if (e->scope != JUDGE_USER)
			continue;
		pw = getpwuid(e->key.uid);
		if (pw && !(v->users[i] = strdup(pw->pw_name))) {
			drop_entries(v);
			return -1;
		}
	}
	return 0;
}

int penalty_view_update(struct penalty_view *v, const char *path, cg_err *e)
{
	struct state st;
	struct stat sb;
	int rc;

	if (stat(path, &sb) < 0) {
		if (!v->present)
			return 0;
		drop_entries(v);
		v->present = false;
		return 1; /* gone: nothing to show */
	}
	if (v->present && sb.st_dev == v->dev && sb.st_ino == v->ino && sb.st_size == v->size &&
	    sb.st_mtim.tv_sec == v->mtime.tv_sec && sb.st_mtim.tv_nsec == v->mtime.tv_nsec)
		return 0;
	v->present = true;
	v->dev = sb.st_dev;
	v->ino = sb.st_ino;
	v->size = sb.st_size;
	v->mtime = sb.st_mtim;
	drop_entries(v);
	state_init(&st);
	rc = state_load(path, &st, false, e);
	if (rc != 0) {
		state_free(&st);
		return -1;
	}
	if (penalty_view_set(v, &st) < 0)
		return cg_err_set(e, ENOMEM, "%s: out of memory", path);
	return 1;
}

void penalty_label(const struct judge_entry *e, uint64_t now_us, char *buf, size_t len)
{
	uint64_t left, s;

	if (!e->until) {
		snprintf(buf, len, "%s#%u", e->rule, e->penalty + 1);
		return;
	}
	left = e->until > now_us ? e->until - now_us : 0;
	s = (left + 999999) / 1000000;
	if (s < 60)
		snprintf(buf, len, "%s#%u %llus", e->rule, e->penalty + 1, (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%s#%u %llum", e->rule, e->penalty + 1,
			 (unsigned long long)(s / 60));
	else if (s < 48ull * 3600)
		snprintf(buf, len, "%s#%u %lluh", e->rule, e->penalty + 1,
			 (unsigned long long)(s / 3600));
	else
		snprintf(buf, len, "%s#%u %llud", e->rule, e->penalty + 1,
			 (unsigned long long)(s / 86400));
}

/* Appends e's label to buf (", " between two). */
static void add_label(const struct judge_entry *e, uint64_t now_us, char *buf, size_t len,
		      size_t *n)
{
	size_t used = strlen(buf);

	if (*n > 0 && used + 2 < len) {
		memcpy(buf + used, ", ", 3);
		used += 2;
	}
	if (used < len)
		penalty_label(e, now_us, buf + used, len - used);
	(*n)++;
}

/* The component of path that ends at end (exclusive): its start in *c, its
 * length returned; 0 when there is none. */
static size_t comp_before(const char *path, const char *end, const char **c)
{
	const char *p = end;

	if (p > path && p[-1] == '/')
		p--; /* the slash before end */
	end = p;
	while (p > path && p[-1] != '/')
		p--;
	*c = p;
	return (size_t)(end - p);
}

static bool comp_is(const char *c, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(c, s, n) == 0;
}

/* A whole component of digits into *out. */
static bool comp_uint(const char *c, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (c[i] < '0' || c[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(c[i] - '0');
	}
	*out = v;
	return true;
}

size_t penalty_view_group(const struct penalty_view *v, const char *path, uint64_t now_us,
			  char *buf, size_t len)
{
	const char *last = NULL, *prev = NULL, *prev2 = NULL, *end;
	size_t nl, np, np2, i, n = 0;
	unsigned long pid = 0, uid = 0;
	bool has_pid, is_slice = false;

	if (len)
		buf[0] = '\0';
	if (v->penalised == 0 || !path)
		return 0;
	end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	nl = comp_before(path, end, &last);
	if (nl == 0)
		return 0;
	np = comp_before(path, last, &prev);
	np2 = np ? comp_before(path, prev, &prev2) : 0;
	/* PARENT/penalty/RULE/PID: a pid, the rule before it, "penalty" before that */
	has_pid = np2 && comp_is(prev2, np2, "penalty") && comp_uint(last, nl, &pid);
	/* user-UID.slice */
	if (nl > 11 && memcmp(last, "user-", 5) == 0 && comp_is(last + nl - 6, 6, ".slice"))
		is_slice = comp_uint(last + 5, nl - 11, &uid);
	for (i = 0; i < v->st.n; i++) {
		const struct judge_entry *e = &v->st.v[i];

		if (!e->penalised)
			continue;
		if (e->scope == JUDGE_PROCESS) {
			if (has_pid && pid == (unsigned long)e->key.pid &&
			    comp_is(prev, np, e->rule))
				add_label(e, now_us, buf, len, &n);
			continue;
		}
		if ((is_slice && uid == (unsigned long)e->key.uid) ||
		    (v->users && v->users[i] && comp_is(last, nl, v->users[i]) && np &&
		     comp_is(prev, np, "users")))
			add_label(e, now_us, buf, len, &n);
	}
	return n;
}

size_t penalty_view_proc(const struct penalty_view *v, pid_t pid, uint64_t start, uint64_t now_us,
			 char *buf, size_t len)
{
	size_t i, n = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; v->penalised && i < v->st.n; i++) {
		const struct judge_entry *e = &v->st.v[i];

		if (e->penalised && e->scope == JUDGE_PROCESS && e->key.pid == pid &&
		    (!start || !e->key.start || start == e->key.start))
			add_label(e, now_us, buf, len, &n);
	}
	return n;
}
