/* The judge's state file (state.h): JSON out, libyaml back in, atomic
 * replacement. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

void state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
}

static void entry_free(struct judge_entry *e)
{
	free((char *)e->rule);
	free((char *)e->actor_data);
}

void state_free(struct state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		entry_free(&s->v[i]);
	free(s->v);
	state_init(s);
}

int state_add(struct state *s, const struct judge_entry *e)
{
	struct judge_entry c = *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct judge_entry *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	c.rule = strdup(e->rule ? e->rule : "");
	c.actor_data = e->actor_data ? strdup(e->actor_data) : NULL;
	if (!c.rule || (e->actor_data && !c.actor_data)) {
		entry_free(&c);
		return -1;
	}
	s->v[s->n++] = c;
	return 0;
}

struct collect {
	struct state *s;
	int rc;
};

static void collect_one(const struct judge_entry *e, void *data)
{
	struct collect *c = data;

	if (state_add(c->s, e) < 0)
		c->rc = -1;
}

int state_from_judge(struct state *s, const struct judge *j)
{
	struct collect c = {s, 0};

	judge_status(j, collect_one, &c);
	return c.rc;
}

int state_to_judge(const struct state *s, struct judge *j, cg_err *e)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (judge_restore(j, &s->v[i]) < 0)
			return cg_err_set(e, ENOMEM, "state: out of memory");
	return 0;
}

/* ---- Writing ---- */

static void put_time(struct json *j, const char *key, uint64_t us)
{
	json_key(j, key);
	if (us)
		json_time(j, us);
	else
		json_null(j);
}

static void put_entry(struct json *j, const struct judge_entry *e)
{
	json_obj_begin(j);
	json_key(j, "rule");
	json_str(j, e->rule);
	json_key(j, "scope");
	json_str(j, e->scope == JUDGE_USER ? "user" : "process");
	json_key(j, "uid");
	json_uint(j, e->key.uid);
	json_key(j, "pid");
	json_int(j, e->key.pid);
	json_key(j, "start");
	json_uint(j, e->key.start);
	json_key(j, "count");
	json_uint(j, e->count);
	json_key(j, "last_offence");
	json_uint(j, e->last_offence);
	json_key(j, "forgive_from");
	json_uint(j, e->forgive_from);
	json_key(j, "penalty");
	if (!e->penalised) {
		json_null(j);
	} else {
		json_obj_begin(j);
		json_key(j, "offence");
		json_uint(j, e->offence);
		json_key(j, "index");
		json_uint(j, e->penalty);
		json_key(j, "kind");
		json_uint(j, e->kind);
		json_key(j, "since");
		json_uint(j, e->since);
		json_key(j, "until");
		if (e->until)
			json_uint(j, e->until);
		else
			json_null(j);
		put_time(j, "since_time", e->since);
		put_time(j, "until_time", e->until);
		json_key(j, "gone");
		json_bool(j, e->gone);
		json_key(j, "actor");
		json_str(j, e->actor_data);
		json_obj_end(j);
	}
	json_obj_end(j);
}

int state_format(const struct state *s, uint64_t now, struct json *out)
{
	size_t i;

	json_reset(out);
	json_obj_begin(out);
	json_key(out, "version");
	json_uint(out, STATE_VERSION);
	json_key(out, "saved");
	json_time(out, now);
	json_key(out, "saved_us");
	json_uint(out, now);
	json_key(out, "offenders");
	json_arr_begin(out);
	for (i = 0; i < s->n; i++)
		put_entry(out, &s->v[i]);
	json_arr_end(out);
	json_obj_end(out);
	return json_text(out, NULL) ? 0 : -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int fd = -1;
	char *slash;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return fsync(fd);
}

/* The text into a new file beside path, synced; its name in *tmp. */
static int write_tmp(const char *path, const char *text, size_t len, char **tmp, cg_err *e)
{
	int fd;

	if (asprintf(tmp, "%s.tmp.XXXXXX", path) < 0) {
		*tmp = NULL;
		cg_err_set(e, ENOMEM, "%s: out of memory", path);
		return -1;
	}
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		cg_err_sys(e, "%s: cannot make a temporary file", *tmp);
		return -1;
	}
	/* cgtop and `cgkitd status` read it as any user */
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, len) < 0 || write_all(fd, "\n", 1) < 0 ||
	    fsync(fd) < 0) {
		cg_err_sys(e, "%s: cannot write", *tmp);
		close(fd);
		unlink(*tmp);
		return -1;
	}
	if (close(fd) < 0) {
		cg_err_sys(e, "%s: cannot write", *tmp);
		unlink(*tmp);
		return -1;
	}
	return 0;
}

int state_save(const char *path, const struct state *s, uint64_t now, cg_err *e)
{
	struct json j;
	_cleanup_free_ char *tmp = NULL;
	const char *text;
	size_t len = 0;
	int rc = -1;

	json_init(&j);
	if (state_format(s, now, &j) < 0 || !(text = json_text(&j, &len))) {
		json_free(&j);
		return cg_err_set(e, ENOMEM, "%s: out of memory", path);
	}
	if (write_tmp(path, text, len, &tmp, e) < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		cg_err_sys(e, "%s: cannot rename to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	if (fsync_dir_of(path) < 0) {
		cg_err_sys(e, "%s: cannot sync its directory", path);
		goto out;
	}
	rc = 0;
out:
	json_free(&j);
	return rc;
}

int state_save_judge(const char *path, struct judge *j, uint64_t now, cg_err *e)
{
	struct state s;
	int rc;

	state_init(&s);
	if (state_from_judge(&s, j) < 0) {
		state_free(&s);
		return cg_err_set(e, ENOMEM, "%s: out of memory", path);
	}
	rc = state_save(path, &s, now, e);
	state_free(&s);
	if (rc == 0)
		judge_clean(j);
	return rc;
}

/* ---- Reading ---- */

struct reader {
	struct json_doc *d;
	char *why;
	size_t whylen;
	size_t index; /* the offender being read, for messages */
};

static int bad(struct reader *r, const char *what, const char *key)
{
	snprintf(r->why, r->whylen, "offenders[%zu].%s: %s", r->index, key, what);
	return -1;
}

static int get_u64(struct reader *r, yaml_node_t *obj, const char *key, uint64_t max, uint64_t *v)
{
	yaml_node_t *n = json_member(r->d, obj, key);

	if (!n)
		return bad(r, "missing", key);
	if (json_as_u64(n, v) < 0 || *v > max)
		return bad(r, "not a number in range", key);
	return 0;
}

/* A number or null (0). */
static int get_u64_or_null(struct reader *r, yaml_node_t *obj, const char *key, uint64_t *v)
{
	yaml_node_t *n = json_member(r->d, obj, key);

	*v = 0;
	if (n && json_is_null(n))
		return 0;
	return get_u64(r, obj, key, UINT64_MAX, v);
}

static int get_str(struct reader *r, yaml_node_t *obj, const char *key, bool null_ok,
		   const char **v)
{
	yaml_node_t *n = json_member(r->d, obj, key);

	*v = NULL;
	if (!n)
		return bad(r, "missing", key);
	if (null_ok && json_is_null(n))
		return 0;
	if (!(*v = json_as_str(n)))
		return bad(r, "not a string", key);
	return 0;
}

static int read_penalty(struct reader *r, yaml_node_t *p, struct judge_entry *e)
{
	uint64_t v;

	if (p->type != YAML_MAPPING_NODE)
		return bad(r, "not an object or null", "penalty");
	e->penalised = true;
	if (get_u64(r, p, "offence", UINT_MAX, &v) < 0)
		return -1;
	e->offence = (unsigned)v;
	if (get_u64(r, p, "index", UINT_MAX, &v) < 0)
		return -1;
	e->penalty = (unsigned)v;
	if (get_u64(r, p, "kind", JUDGE_CAP | JUDGE_FREEZE | JUDGE_KILL, &v) < 0)
		return -1;
	e->kind = (unsigned)v;
	if (get_u64(r, p, "since", UINT64_MAX, &e->since) < 0 ||
	    get_u64_or_null(r, p, "until", &e->until) < 0 ||
	    get_str(r, p, "actor", true, &e->actor_data) < 0)
		return -1;
	if (json_as_bool(json_member(r->d, p, "gone"), &e->gone) < 0)
		return bad(r, "not true or false", "penalty.gone");
	return 0;
}

static int read_entry(struct reader *r, yaml_node_t *o, struct state *s)
{
	struct judge_entry e;
	const char *scope;
	yaml_node_t *p;
	uint64_t v;

	memset(&e, 0, sizeof(e));
	if (!o || o->type != YAML_MAPPING_NODE)
		return bad(r, "not an object", "");
	if (get_str(r, o, "rule", false, &e.rule) < 0 || get_str(r, o, "scope", false, &scope) < 0)
		return -1;
	if (!e.rule[0])
		return bad(r, "empty", "rule");
	if (strcmp(scope, "user") == 0)
		e.scope = JUDGE_USER;
	else if (strcmp(scope, "process") == 0)
		e.scope = JUDGE_PROCESS;
	else
		return bad(r, "neither \"user\" nor \"process\"", "scope");
	if (get_u64(r, o, "uid", UINT32_MAX - 1, &v) < 0)
		return -1;
	e.key.uid = (uid_t)v;
	if (get_u64(r, o, "pid", INT_MAX, &v) < 0)
		return -1;
	e.key.pid = (pid_t)v;
	if ((e.scope == JUDGE_PROCESS) != (e.key.pid > 0))
		return bad(r, "a process needs one, a user none", "pid");
	if (get_u64(r, o, "start", UINT64_MAX, &e.key.start) < 0)
		return -1;
	if (get_u64(r, o, "count", UINT_MAX, &v) < 0)
		return -1;
	e.count = (unsigned)v;
	if (get_u64(r, o, "last_offence", UINT64_MAX, &e.last_offence) < 0 ||
	    get_u64(r, o, "forgive_from", UINT64_MAX, &e.forgive_from) < 0)
		return -1;
	p = json_member(r->d, o, "penalty");
	if (!p)
		return bad(r, "missing", "penalty");
	if (!json_is_null(p) && read_penalty(r, p, &e) < 0)
		return -1;
	if (state_add(s, &e) < 0) {
		snprintf(r->why, r->whylen, "out of memory");
		return -1;
	}
	return 0;
}

int state_parse(const char *buf, size_t len, struct state *s, char *why, size_t whylen)
{
	struct json_doc d;
	struct reader r = {&d, why, whylen, 0};
	yaml_node_t *root, *list;
	uint64_t v;
	size_t i;
	int rc = -1;

	state_free(s);
	if (memchr(buf, '\0', len)) {
		snprintf(why, whylen, "a NUL byte in the file");
		return -1;
	}
	if (json_doc_load(&d, buf, len, why, whylen) < 0)
		return -1;
	root = json_root(&d);
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(why, whylen, "not a JSON object");
		goto out;
	}
	if (json_as_u64(json_member(&d, root, "version"), &v) < 0 || v != STATE_VERSION) {
		snprintf(why, whylen, "\"version\" is not %d", STATE_VERSION);
		goto out;
	}
	if (json_as_u64(json_member(&d, root, "saved_us"), &s->saved_us) < 0) {
		snprintf(why, whylen, "\"saved_us\" is missing or not a number");
		goto out;
	}
	list = json_member(&d, root, "offenders");
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		snprintf(why, whylen, "\"offenders\" is missing or not a list");
		goto out;
	}
	for (i = 0; i < json_len(list); i++) {
		r.index = i;
		if (read_entry(&r, json_item(&d, list, i), s) < 0)
			goto out;
	}
	rc = 0;
out:
	json_doc_free(&d);
	if (rc < 0)
		state_free(s);
	return rc;
}

/* 0: read; 1: no such file; -1: error (e). */
static int read_file(const char *path, char **buf, size_t *len, cg_err *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *b = NULL;
	struct stat st;
	size_t n = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 || fstat(fd, &st) < 0) {
		cg_err_sys(e, "%s: cannot open", path);
		return -1;
	}
	if ((uint64_t)st.st_size > STATE_SIZE_MAX) {
		cg_err_set(e, EFBIG, "%s: larger than %u bytes", path, STATE_SIZE_MAX);
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		cg_err_set(e, ENOMEM, "%s: out of memory", path);
		return -1;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cg_err_sys(e, "%s: cannot read", path);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = steal_ptr(b);
	*len = n;
	return 0;
}

int state_load(const char *path, struct state *s, bool set_aside, cg_err *e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *badpath = NULL;
	char why[512];
	size_t len = 0;
	int rc;

	state_free(s);
	cg_err_clear(e);
	rc = read_file(path, &buf, &len, e);
	if (rc != 0 || !buf)
		return rc > 0 ? 0 : -1; /* no file yet: nothing to take up */
	if (state_parse(buf, len, s, why, sizeof(why)) == 0)
		return 0;
	if (!set_aside)
		return cg_err_set(e, 0, "%s: damaged state file: %s", path, why), 1;
	if (asprintf(&badpath, "%s.bad", path) < 0) {
		badpath = NULL;
		return cg_err_set(e, ENOMEM, "%s: out of memory", path);
	}
	if (rename(path, badpath) < 0)
		return cg_err_sys(e, "%s: damaged state file (%s), and cannot rename it to %s",
				  path, why, badpath);
	cg_err_set(e, 0, "%s: damaged state file: %s; set aside as %s, starting clean", path, why,
		   badpath);
	return 1;
}
