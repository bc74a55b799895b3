/* cgrules.conf(5) -> a cgkitd rules file (docs/cgrules.5).
 *
 * cgrulesengd puts each process into a group by its user (and command);
 * cgkitd has one way to do that: `users`, one group per user made from one
 * template (users.group, %u = name, %U = uid) for the users users.uids
 * names. So the lines `USER CONTROLLERS PREFIX/TEMPLATE` with one template
 * become users.uids + parent: PREFIX + users.group: TEMPLATE; every other
 * line (a command, a @group, a fixed destination, another template, %g or
 * %p in it) is a warning at its place. The result is parsed as a rules file
 * before it is given out. */
#include <errno.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgconfig.h"
#include "convert.h"
#include "profile.h"
#include "profile_emit.h"
#include "rules.h"

struct field {
	char *s;
	int col;
};

struct crules {
	struct diags *d;
	char *parent, *group; /* the one template, once a line gave it */
	int tline;	      /* that line */
	char **users;
	size_t n_users;
	struct hsearch_data seen; /* the users listed, for their second line */
	bool all_users, warned_ctrl, warned_all;
	char *prev_user; /* for '%' lines */
};

/* Splits a line into at most 4 whitespace-separated fields, cut at '#'. */
static int split_fields(char *line, struct field f[4])
{
	int n = 0, col = 1;
	char *p = line;

	for (char *h = line; *h; h++)
		if (*h == '#') {
			*h = '\0';
			break;
		}
	while (*p && n < 4) {
		while (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			col++;
		}
		if (!*p)
			break;
		f[n].s = p;
		f[n].col = col;
		n++;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
			if (((unsigned char)*p & 0xC0) != 0x80)
				col++;
			p++;
		}
		if (*p) {
			*p++ = '\0';
			col++;
		}
	}
	return n;
}

/* The destination's template in cgkitd's terms: cgrules' %u is the uid and
 * %U the name, cgkitd's the other way round. Returns NULL (with a warning)
 * for what cgkitd cannot expand. *has is set when a template is in it. */
static char *map_template(struct crules *c, int line, int col, const char *dest, bool *has)
{
	char *out = calloc(1, strlen(dest) + 1), *o = out;

	*has = false;
	if (!out)
		return NULL;
	for (const char *p = dest; *p; p++) {
		if (*p == '\\' && p[1] == '%') {
			diags_warn(
				c->d, line, col, NULL,
				"not carried: '\\%%' (a literal %%) cannot be in a cgkitd group's "
				"name");
			free(out);
			return NULL;
		}
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		if (p[1] == 'u' || p[1] == 'U') {
			*o++ = '%';
			*o++ = p[1] == 'u' ? 'U' : 'u';
			*has = true;
			p++;
			continue;
		}
		diags_warn(c->d, line, col + (int)(p - dest), NULL,
			   "not carried: %%%c: cgkitd's users.group expands only the user "
			   "(%%u name, %%U uid), not groups (%%g, %%G) or processes (%%p, %%P)",
			   p[1] ? p[1] : '?');
		free(out);
		return NULL;
	}
	*o = '\0';
	return out;
}

/* "students/%u" -> parent "students", group "%u": the components before
 * the first one with a template are the parent, the rest the template. */
static void split_template(char *t, char **parent, char **group)
{
	char *pct = strchr(t, '%'), *slash = NULL;

	if (!pct)
		pct = t + strlen(t);
	for (char *s = t; s < pct; s++)
		if (*s == '/')
			slash = s;
	if (!slash) {
		*parent = NULL;
		*group = strdup(t);
		return;
	}
	*slash = '\0';
	*parent = strdup(t);
	*group = strdup(slash + 1);
}

static void add_user(struct crules *c, const char *u)
{
	char **v;

	if (c->all_users)
		return;
	if (!strcmp(u, "*")) {
		c->all_users = true;
		return;
	}
	if (hsearch_r((ENTRY){.key = (char *)u}, FIND, &(ENTRY *){NULL}, &c->seen))
		return;
	if (!(c->n_users & (c->n_users - 1))) { /* room doubles */
		v = realloc(c->users, (c->n_users ? c->n_users * 2 : 1) * sizeof(*v));
		if (!v)
			return;
		c->users = v;
	}
	c->users[c->n_users] = strdup(u);
	if (c->users[c->n_users] &&
	    hsearch_r((ENTRY){.key = c->users[c->n_users]}, ENTER, &(ENTRY *){NULL}, &c->seen))
		c->n_users++;
	else
		free(c->users[c->n_users]);
}

/* The destination of a user's line: carried when it is the file's one
 * template. Returns true when the user is to be listed. */
static bool take_destination(struct crules *c, int line, const struct field *f)
{
	char *dest = f[2].s, *t, *parent = NULL, *group = NULL;
	bool has, same;

	while (*dest == '/')
		dest++;
	for (size_t n = strlen(dest); n > 0 && dest[n - 1] == '/'; n--)
		dest[n - 1] = '\0';
	t = map_template(c, line, f[2].col, dest, &has);
	if (!t)
		return false;
	if (!has) {
		diags_warn(c->d, line, f[2].col, NULL,
			   "not carried: a fixed group (%s) for a user; cgkitd's per-user groups "
			   "come from a template with %%u or %%U (users.group)",
			   DIAG_CUT(*dest ? dest : "/", 60));
		free(t);
		return false;
	}
	split_template(t, &parent, &group);
	free(t);
	if (!c->group) {
		c->parent = parent;
		c->group = group;
		c->tline = line;
		return true;
	}
	same = !strcmp(c->group, group ? group : "") &&
	       ((!c->parent && !parent) || (c->parent && parent && !strcmp(c->parent, parent)));
	if (!same)
		diags_warn(c->d, line, f[2].col, NULL,
			   "not carried: a second destination template; cgkitd has one "
			   "users.group (the one of line %d)",
			   c->tline);
	free(parent);
	free(group);
	return same;
}

static void read_line(struct crules *c, int line, char *text)
{
	struct field f[4] = {0};
	int n = split_fields(text, f);
	char *user, *proc;

	if (n == 0)
		return;
	if (n != 3) {
		diags_error(c->d, line, n > 3 ? f[3].col : f[n - 1].col, NULL,
			    "%s: a rule is USER[:PROCESS] CONTROLLERS DESTINATION",
			    n > 3 ? "a fourth field" : "too few fields");
		return;
	}
	user = f[0].s;
	proc = strchr(user, ':');
	if (proc)
		*proc++ = '\0';
	if (!strcmp(user, "%")) {
		if (!c->prev_user) {
			diags_error(c->d, line, f[0].col, NULL,
				    "'%%' continues the rule before it, and there is none");
			return;
		}
		user = c->prev_user;
	} else {
		free(c->prev_user);
		c->prev_user = strdup(user);
		user = c->prev_user;
		if (!user)
			return;
	}
	if (proc) {
		diags_warn(c->d, line, f[0].col + (int)(proc - f[0].s), NULL,
			   "not carried: classifying a command (%s); cgkitd puts users into "
			   "groups, and a rule's match.commands only picks processes to cap",
			   DIAG_CUT(proc, 40));
		return;
	}
	if (*user == '@') {
		diags_warn(c->d, line, f[0].col, NULL,
			   "not carried: the user group %s; cgkitd's users.uids lists users and "
			   "uid ranges, not groups: list its members there",
			   DIAG_CUT(user, 40));
		return;
	}
	if (!take_destination(c, line, f))
		return;
	if (strcmp(f[1].s, "*") != 0 && !c->warned_ctrl) {
		c->warned_ctrl = true;
		diags_warn(c->d, line, f[1].col, NULL,
			   "the controllers (%s) are not carried: cgkitd puts a user's processes "
			   "into the user's group in every hierarchy it uses",
			   DIAG_CUT(f[1].s, 40));
	}
	if (!strcmp(user, "*") && !c->warned_all) {
		c->warned_all = true;
		diags_warn(c->d, line, f[0].col, NULL,
			   "'*' becomes every user cgkitd does not exempt: by default uids 0-999 "
			   "(root, system accounts) stay where they are (exempt.users)");
	}
	add_user(c, user);
}

static void emit(const struct crules *c, const char *path, FILE *out)
{
	fputs("# cgkitd rules from ", out);
	for (const char *p = path; *p; p++)
		fputc((unsigned char)*p < 0x20 ? '?' : *p, out);
	fputs(", by cgrun --from cgrules.\n", out);
	if (c->group) {
		if (c->parent) {
			fputs("parent: ", out);
			profile_put_quoted(c->parent, out);
			fputc('\n', out);
		}
		fputs("users:\n", out);
		if (!c->all_users) {
			fputs("  uids: [", out);
			for (size_t i = 0; i < c->n_users; i++) {
				fputs(i ? ", " : "", out);
				profile_put_quoted(c->users[i], out);
			}
			fputs("]\n", out);
		}
		fputs("  group: ", out);
		profile_put_quoted(c->group, out);
		fputc('\n', out);
	}
	fputs("rules: []\n", out);
}

/* The rules file it made, checked as cgkitd checks it: what cgkitd refuses
 * (a user name it cannot take, a parent it does not allow) is an error at
 * the line of the template. */
static int check_rules(const struct crules *c, const char *text, size_t len)
{
	struct diags rd;
	struct rules *r;

	diags_init(&rd, "<converted>");
	r = rules_parse(text, len, "<converted>", NULL, &rd);
	for (int i = 0; i < rd.n; i++)
		diags_add(c->d, rd.items[i].warning, c->tline, 1, rd.items[i].key,
			  "as a cgkitd rules file: %s", rd.items[i].msg);
	rules_free(r);
	return r ? 0 : -1;
}

int cgrules_convert(const char *buf, size_t len, const char *path, struct diags *d, char **yaml)
{
	struct crules c = {.d = d};
	char *copy, *text = NULL;
	size_t tlen = 0;
	int line = 0, rc = -1;
	FILE *out;

	*yaml = NULL;
	if (memchr(buf, '\0', len)) {
		diags_error(d, 0, 0, NULL, "a NUL byte: the file is not text");
		return -1;
	}
	copy = strndup(buf, len);
	/* at most a user a line */
	if (!copy || !hcreate_r(len / 2 + 16, &c.seen)) {
		free(copy);
		diags_error(d, 0, 0, NULL, "out of memory");
		return -1;
	}
	for (char *p = copy, *nl; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		read_line(&c, ++line, p);
	}
	if (!d->errors && !c.group)
		diags_warn(d, 0, 0, NULL,
			   "no line was carried: the rules file puts no user into a group");
	out = open_memstream(&text, &tlen);
	if (!d->errors && out) {
		emit(&c, path, out);
		if (fclose(out) == 0 && check_rules(&c, text, tlen) == 0) {
			*yaml = text;
			text = NULL;
			rc = 0;
		}
	} else if (out) {
		fclose(out);
	}
	free(text);
	free(copy);
	free(c.parent);
	free(c.group);
	free(c.prev_user);
	for (size_t i = 0; i < c.n_users; i++)
		free(c.users[i]);
	free(c.users);
	hdestroy_r(&c.seen);
	return rc;
}

int convert_from_cgrules(const char *const *files, size_t n, const struct convert_opts *o,
			 struct convert_sink *sink, struct diags *d, cg_err *err)
{
	char *buf = NULL, *yaml = NULL;
	size_t len = 0;
	int rc;

	(void)o;
	if (n != 1)
		return cg_err_set(err, EINVAL,
				  "--from cgrules reads one file (cgrules.conf and the files of "
				  "cgrules.d are one list: concatenate them)");
	if (convert_read_file(files[0], &buf, &len, err) < 0)
		return -1;
	rc = cgrules_convert(buf, len, files[0], &d[0], &yaml);
	free(buf);
	if (rc == 0)
		rc = convert_sink_put(sink, NULL, yaml, err);
	free(yaml);
	return rc;
}
