/* Pure matching for cgkitd's rules: see match.h and docs/cgrules.5. */
#include "match.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMM_LEN 15 /* TASK_COMM_LEN - 1: what /proc/PID/comm keeps */
#define USER_NAME_MAX 32

static bool all_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A uid of len digits; false when over MATCH_UID_MAX. */
static bool parse_uid(const char *s, size_t len, uint32_t *out)
{
	unsigned long long v = 0;

	if (!all_digits(s, len) || len > 10)
		return false;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > MATCH_UID_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool user_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > USER_NAME_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || (c == '$' && i == len - 1)))
			return false;
	}
	return true;
}

int match_uid_parse(const char *s, struct uid_item *it, const char **why)
{
	const char *dash = strchr(s, '-');
	size_t len = strlen(s);

	*it = (struct uid_item){0};
	if (all_digits(s, len)) {
		if (!parse_uid(s, len, &it->lo)) {
			*why = "is not a uid: uids go from 0 to 4294967294";
			return -1;
		}
		it->hi = it->lo;
		return 0;
	}
	if (dash && dash != s && all_digits(s, (size_t)(dash - s))) {
		const char *b = dash + 1;

		if (!parse_uid(s, (size_t)(dash - s), &it->lo) ||
		    (*b && !parse_uid(b, strlen(b), &it->hi))) {
			*why = "is not a uid range: give A-B or A- with uids from 0 to 4294967294, "
			       "such as 1000-60000";
			return -1;
		}
		if (!*b)
			it->hi = MATCH_UID_MAX;
		if (it->lo > it->hi) {
			*why = "is an empty range (its start is above its end): give A-B with A <= "
			       "B, "
			       "such as 1000-60000";
			return -1;
		}
		return 0;
	}
	if (!user_name_ok(s)) {
		*why = "is not a user: give a user name (alice), a uid (1000) or a range of uids "
		       "(1000-60000, or 1000- for all from 1000)";
		return -1;
	}
	it->name = strdup(s);
	if (!it->name) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

bool match_uid(const struct uid_list *l, uint32_t uid, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct uid_item *it = &l->v[i];

		if (it->name ? name && !strcmp(it->name, name) : uid >= it->lo && uid <= it->hi)
			return true;
	}
	return false;
}

/* A glob's brackets closed and no lone backslash at the end. */
static const char *glob_invalid(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return "ends with a lone '\\': escape a character, or remove it";
			p++;
		} else if (*p == '[') {
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			if (!*q)
				return "has a '[' that is never closed: close it with ']', or "
				       "write "
				       "\\[ for a plain '['";
			p = q;
		}
	}
	return NULL;
}

const char *match_command_invalid(const char *pat)
{
	if (!*pat)
		return "is empty: give a program's name (python3) or a glob on its path "
		       "(/opt/*/bin/miner, */miner*)";
	if (strchr(pat, '/') && !strchr("/*?[", pat[0]))
		return "is a relative path: the executable's path is absolute; give /usr/bin/foo, "
		       "or */foo for foo in any directory";
	if (strchr(pat, '/') && pat[strlen(pat) - 1] == '/')
		return "ends with '/': give a glob on the executable's path, not a directory "
		       "(/opt/tools/*)";
	return glob_invalid(pat);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

bool match_command(const char *pat, const char *exe, const char *comm)
{
	char path[4096];

	if (exe) {
		size_t len = strlen(exe);
		static const char deleted[] = " (deleted)";

		if (len > sizeof(deleted) - 1 && len < sizeof(path) &&
		    !strcmp(exe + len - (sizeof(deleted) - 1), deleted)) {
			memcpy(path, exe, len - (sizeof(deleted) - 1));
			path[len - (sizeof(deleted) - 1)] = '\0';
			exe = path;
		}
	}
	if (strchr(pat, '/'))
		return exe && !fnmatch(pat, exe, 0);
	if (exe && !fnmatch(pat, base_name(exe), 0))
		return true;
	if (!comm)
		return false;
	if (!fnmatch(pat, comm, 0))
		return true;
	/* the kernel cut comm: a long plain name matches on its first 15 bytes */
	return strlen(comm) == COMM_LEN && strlen(pat) > COMM_LEN && !strpbrk(pat, "*?[\\") &&
	       !strncmp(pat, comm, COMM_LEN);
}

bool match_commands(const struct pat_list *l, const char *exe, const char *comm)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].s && match_command(l->v[i].s, exe, comm))
			return true;
	return false;
}

/* Components of a cgroup path: no empty one, no "." or "..". */
static const char *path_components_invalid(const char *p)
{
	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");

		if ((len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
			return "may not contain '.' or '..' components: give the path as "
			       "/proc/PID/cgroup shows it";
		p += len;
		if (*p == '/') {
			p++;
			if (*p == '/' || !*p)
				return "has an empty component (a '//' or a '/' at the end): give "
				       "/system.slice, not /system.slice/";
		}
	}
	return NULL;
}

const char *match_cgroup_invalid(const char *prefix)
{
	if (prefix[0] != '/')
		return "is not an absolute cgroup path: give it as /proc/PID/cgroup shows it, "
		       "such as /system.slice";
	return path_components_invalid(prefix);
}

bool match_cgroup(const char *prefix, const char *path)
{
	size_t len = strlen(prefix);

	if (len == 1 && prefix[0] == '/')
		return path[0] == '/';
	return !strncmp(prefix, path, len) && (path[len] == '\0' || path[len] == '/');
}

bool match_cgroups(const struct pat_list *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].s && match_cgroup(l->v[i].s, path))
			return true;
	return false;
}

const char *match_group_invalid(const char *tmpl)
{
	bool per_user = false;
	char sample[4096];
	const char *why;

	for (const char *p = tmpl; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == 'u' || p[1] == 'U')
			per_user = true;
		else
			return "has a '%' that is neither %u (the user's name) nor %U (the uid)";
		p++;
	}
	if (!per_user)
		return "names one group for every user: put %u (the user's name) or %U (the uid) "
		       "in it, such as users/%u or /user.slice/user-%U.slice";
	/* the shape once expanded, with a name that is valid everywhere */
	if (match_expand_group(tmpl, "user", 1000, sample, sizeof(sample), &why) < 0)
		return "is too long: keep the group's path under 4096 bytes";
	if (sample[0] == '/')
		return path_components_invalid(sample);
	if ((why = profile_parent_invalid(sample)))
		return "is not a path below parent: give names of A-Z a-z 0-9 _ . - separated by "
		       "'/', with %u or %U, such as users/%u; or an absolute path to adopt the "
		       "host's groups";
	return NULL;
}

int match_expand_group(const char *tmpl, const char *name, uint32_t uid, char *out, size_t len,
		       const char **why)
{
	size_t pos = 0;

	*why = "the group's path is too long";
	if (!len)
		return -1;
	for (const char *p = tmpl; *p; p++) {
		char num[16];
		const char *add = NULL;
		size_t n;

		if (p[0] == '%' && p[1] == 'u') {
			if (!name || profile_name_invalid(name)) {
				*why = "the user's name cannot be a group's name (1 to 64 of A-Z "
				       "a-z "
				       "0-9 _ . -, not starting with '.'): use %U";
				return -1;
			}
			add = name;
			p++;
		} else if (p[0] == '%' && p[1] == 'U') {
			snprintf(num, sizeof(num), "%u", uid);
			add = num;
			p++;
		}
		n = add ? strlen(add) : 1;
		if (pos + n >= len)
			return -1;
		memcpy(out + pos, add ? add : p, n);
		pos += n;
	}
	out[pos] = '\0';
	return 0;
}
