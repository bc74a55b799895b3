/* The walk over a YAML tree that the profile and cgkitd's rules file share
 * (walk.h): every error is collected, not only the first; each names the
 * dotted key and points at the key (unknown, duplicate, misplaced) or at the
 * value (bad value), and says what would be right. */
#include "walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* ---- where the walk stands ---- */

size_t walk_push(struct walker *w, const char *fmt, ...)
{
	size_t old = w->klen;
	va_list ap;
	int n;

	if (w->klen >= sizeof(w->key) - 1)
		return old;
	va_start(ap, fmt);
	n = vsnprintf(w->key + w->klen, sizeof(w->key) - w->klen, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->klen += (size_t)n;
	if (w->klen > sizeof(w->key) - 1)
		w->klen = sizeof(w->key) - 1;
	return old;
}

void walk_pop(struct walker *w, size_t old)
{
	w->klen = old;
	w->key[old] = '\0';
}

size_t walk_enter(struct walker *w, const char *k)
{
	return walk_push(w, "%s%s", w->klen ? "." : "", k);
}

/* ---- messages ---- */

static void report(struct walker *w, bool warning, int line, int col, const char *fmt, va_list ap)
{
	char msg[sizeof(((struct diag *)0)->msg)];

	if (!perrs_keeping(w->e)) {
		perrs_add(w->e, warning, line, col, w->key, "%s", "");
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	perrs_add(w->e, warning, line, col, w->key, "%s", msg);
}

void walk_err_pos(struct walker *w, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(w, false, line, col, fmt, ap);
	va_end(ap);
}

void walk_warn_pos(struct walker *w, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(w, true, line, col, fmt, ap);
	va_end(ap);
}

static void out_of_memory(struct walker *w)
{
	if (w->oom)
		return;
	w->oom = true;
	perrs_add(w->e, false, 0, 0, "", "out of memory while reading the %s",
		  w->lang->words->noun);
}

char *walk_strdup(struct walker *w, const char *s)
{
	char *c = strdup(s);

	if (!c)
		out_of_memory(w);
	return c;
}

void *walk_calloc(struct walker *w, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		out_of_memory(w);
	return p;
}

/* ---- did you mean ---- */

/* Optimal string alignment distance, case-insensitive; short strings only. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			char ca = (char)(a[i - 1] | 0x20), cb = (char)(b[j - 1] | 0x20);
			size_t cost = ca != cb, best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == (char)(b[j - 2] | 0x20) &&
			    (char)(a[i - 2] | 0x20) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The one name that `s` abbreviates ("rbps" for "read_bps": same first
 * letter, every letter in order), or NULL when none or several do. */
static const char *abbreviation_of(const char *s, const char *const *names, size_t n)
{
	const char *found = NULL;

	if (strlen(s) < 3)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *a = s, *b = names[i];

		if (*a != *b)
			continue;
		for (; *a && *b; b++)
			if (*a == *b)
				a++;
		if (*a)
			continue;
		if (found)
			return NULL;
		found = names[i];
	}
	return found;
}

/* The nearest of `names` to `s`, or NULL when none is near enough to be a
 * likely typo. */
const char *walk_nearest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bd = 99;

	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(s, names[i]);

		if (dist < bd) {
			bd = dist;
			best = names[i];
		}
	}
	if (!best || bd > 2 || bd >= strlen(best) || bd > (strlen(s) + 1) / 2)
		return abbreviation_of(s, names, n);
	return best;
}

void walk_join_names(const char *const *names, size_t n, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && pos < len; i++) {
		int w = snprintf(out + pos, len - pos, "%s%s", i ? ", " : "", names[i]);

		if (w > 0)
			pos += (size_t)w;
	}
}

int walk_find_name(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* ---- kinds ---- */

bool walk_want_kind(struct walker *w, const struct node *v, enum node_kind kind, const char *expect)
{
	char what[64];

	if (v->kind == kind || node_is_null(v))
		return true;
	walk_err(w, v, "expected %s, found %s", expect, node_what(v, what, sizeof(what)));
	return false;
}

bool walk_want_map(struct walker *w, const struct node *v, const char *expect)
{
	char what[64];

	if (v->kind == NODE_MAP)
		return true;
	if (node_is_null(v))
		walk_err(w, v, "the value is missing: expected %s", expect);
	else
		walk_err(w, v, "expected %s, found %s", expect, node_what(v, what, sizeof(what)));
	return false;
}

const char *walk_want_scalar(struct walker *w, const struct node *v, const char *expect)
{
	char what[64];

	if (v->kind == NODE_SCALAR && !node_is_null(v))
		return v->s;
	if (v->kind == NODE_SCALAR)
		walk_err(w, v, "the value is missing: expected %s", expect);
	else
		walk_err(w, v, "expected %s, found %s", expect, node_what(v, what, sizeof(what)));
	return NULL;
}

/* ---- keys ---- */

void walk_unknown_key(struct walker *w, const struct node *k, const char *const *names, size_t n)
{
	const char *near;
	char list[256];

	if (!perrs_keeping(w->e)) { /* past what is shown: count it only */
		walk_err(w, k, "unknown key");
		return;
	}
	if (w->lang->merge_keys && !strcmp(k->s, "<<")) {
		walk_err(w, k, "%s", w->lang->merge_keys);
		return;
	}
	near = walk_nearest(k->s, names, n);
	if (near) {
		walk_err(w, k, "unknown key \"%s\"; did you mean \"%s\"?", DIAG_CUT(k->s, 60),
			 near);
		return;
	}
	walk_join_names(names, n, list, sizeof(list));
	walk_err(w, k, "unknown key \"%s\"; the keys here are: %s", DIAG_CUT(k->s, 60), list);
}

/* An unknown key of the mapping `keys`; top_only keys count only at the top. */
static void unknown_key_in(struct walker *w, const struct node *k, const struct walk_key *keys,
			   size_t n, bool top)
{
	const char *names[WALK_KEYS_MAX];
	size_t m = 0;

	for (size_t i = 0; i < n && m < WALK_KEYS_MAX; i++)
		if (top || !keys[i].top_only)
			names[m++] = keys[i].name;
	walk_unknown_key(w, k, names, m);
}

const struct walk_key *walk_key_find(const struct walk_key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

const struct node *walk_seen(const struct walk_map *at, const char *name)
{
	const struct walk_key *row = walk_key_find(at->keys, at->n, name);

	return row ? at->seen[row - at->keys] : NULL;
}

const struct node *walk_pair_key(struct walker *w, const struct node *k)
{
	char what[64];

	if (k->kind == NODE_DUP_KEY)
		return NULL;
	if (k->kind != NODE_SCALAR) {
		walk_err(w, k, "a key must be a plain word such as \"%s\", not %s",
			 w->lang->key_example, node_what(k, what, sizeof(what)));
		return NULL;
	}
	return k;
}

/* walk_pairs, or with `known` walk_pairs_known. */
static void pairs(struct walker *w, const struct node *m, const struct walk_key *keys, size_t n,
		  void *obj, void *top, struct walk_map *at, bool known)
{
	*at = (struct walk_map){.keys = keys, .n = n, .up = w->at};
	w->at = at;
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct node *k = m->items[i], *v = m->items[i + 1];
		const struct walk_key *row;
		size_t old;

		if (known && k->kind != NODE_SCALAR)
			continue;
		k = walk_pair_key(w, k);
		if (!k)
			continue;
		row = walk_key_find(keys, n, k->s);
		if (!row && known)
			continue;
		old = walk_enter(w, k->s);
		if (!row) {
			unknown_key_in(w, k, keys, n, top != NULL);
		} else if (row->top_only && !top) {
			w->lang->misplaced(w, k);
		} else {
			at->seen[row - keys] = k;
			row->parse(w, k, v, (char *)(row->top_only ? top : obj) + row->off);
		}
		walk_pop(w, old);
	}
	w->at = at->up;
}

void walk_pairs(struct walker *w, const struct node *m, const struct walk_key *keys, size_t n,
		void *obj, void *top, struct walk_map *at)
{
	pairs(w, m, keys, n, obj, top, at, false);
}

void walk_pairs_known(struct walker *w, const struct node *m, const struct walk_key *keys, size_t n,
		      void *obj, struct walk_map *at)
{
	pairs(w, m, keys, n, obj, NULL, at, true);
}

bool walk_section(struct walker *w, const struct node *m, const char *expect,
		  const struct walk_key *keys, size_t n, void *obj, struct walk_map *at)
{
	*at = (struct walk_map){.keys = keys, .n = n};
	if (!walk_want_kind(w, m, NODE_MAP, expect))
		return false;
	walk_pairs(w, m, keys, n, obj, NULL, at);
	return true;
}

/* ---- lists ---- */

void *walk_items(struct walker *w, const struct node *v, size_t size, size_t *n,
		 void (*item)(struct walker *w, const struct node *it, void *obj))
{
	char *items = walk_calloc(w, v->n, size);

	if (!items)
		return NULL;
	*n = v->n;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = walk_push(w, "[%zu]", i);

		item(w, v->items[i], items + i * size);
		walk_pop(w, old);
	}
	return items;
}

/* For n names (NULL ones skipped), sets first[i] to the index of the first
 * entry with the same name as entry i (i itself when it is the first), in
 * n log n: a file can hold 100,000 children. Returns -1 when out of memory. */
struct named {
	const char *s;
	size_t i;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static size_t *first_of_names(struct walker *w, const char *(*name_of)(const void *, size_t),
			      const void *arr, size_t n)
{
	size_t *first = walk_calloc(w, n, sizeof(*first));
	struct named *v = walk_calloc(w, n, sizeof(*v));
	size_t m = 0;

	if (!first || !v) {
		free(first);
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		first[i] = i;
		if ((v[m].s = name_of(arr, i)))
			v[m++].i = i;
	}
	qsort(v, m, sizeof(*v), cmp_named);
	for (size_t j = 1, run = 0; j < m; j++) {
		if (strcmp(v[run].s, v[j].s) != 0)
			run = j;
		else
			first[v[j].i] = v[run].i;
	}
	free(v);
	return first;
}

void *walk_list(struct walker *w, const struct node *v, const struct walk_list *l, size_t *n)
{
	char *items;
	size_t *first;

	if (!walk_want_kind(w, v, NODE_SEQ, l->want) || v->kind != NODE_SEQ)
		return NULL;
	items = walk_items(w, v, l->size, n, l->walk_item);
	if (!items)
		return NULL;
	first = first_of_names(w, l->name_of, items, v->n);
	for (size_t i = 0; first && i < v->n; i++) {
		size_t old;

		if (first[i] == i)
			continue;
		old = walk_push(w, "[%zu].%s", i, l->name_key);
		l->twice(w, items + i * l->size, items + first[i] * l->size);
		walk_pop(w, old);
	}
	free(first);
	return items;
}

/* ---- scalars ---- */

void walk_set_pos(struct pval *pv, const struct node *k, const struct node *v)
{
	pv->set = true;
	pv->line = v->line;
	pv->col = v->col;
	pv->kline = k->line;
	pv->kcol = k->col;
}

bool walk_parsed(struct walker *w, const struct node *k, const struct node *v, const char *s,
		 struct pval *pv, int (*parse)(const char *s, uint64_t *out, const char **why),
		 const char *what)
{
	const char *why;

	if (parse(s, &pv->v, &why) < 0) {
		walk_err(w, v, "\"%s\" is not %s: %s", DIAG_CUT(s, 40), what, why);
		return false;
	}
	walk_set_pos(pv, k, v);
	return true;
}

bool walk_str(struct walker *w, const struct node *k, const struct node *v, struct pstr *ps,
	      const char *right)
{
	const char *s = walk_want_scalar(w, v, right);

	if (!s)
		return false;
	free(ps->s);
	ps->s = walk_strdup(w, s);
	ps->line = v->line;
	ps->col = v->col;
	ps->kline = k->line;
	ps->kcol = k->col;
	return ps->s != NULL;
}

void walk_abs_path(struct walker *w, const struct node *k, const struct node *v, struct pstr *ps,
		   const char *right)
{
	if (walk_str(w, k, v, ps, right) && ps->s[0] != '/')
		walk_err(w, v, "\"%s\" is not an absolute path: give %s", DIAG_CUT(ps->s, 40),
			 right);
}

/* ---- the document ---- */

const struct node *walk_doc_root(struct ptree *t, const char *buf, size_t len,
				 const struct walk_lang *lang, struct perrs *e)
{
	ptree_build_doc(t, buf, len, lang->words, e);
	if (t->root && node_is_null(t->root)) {
		perrs_add(e, false, 1, 1, "", "%s", lang->empty);
		return NULL;
	}
	return t->root;
}

int walk_doc_end(struct ptree *t, struct perrs *e, struct diags *d)
{
	int errors = perrs_errors(e);

	ptree_free(t);
	perrs_flush(e, d);
	perrs_free(e);
	return errors;
}

char *walk_read_file(const char *path, const struct walk_lang *lang, size_t *len, struct diags *d)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	struct stat st;

	*len = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		diags_error(d, 0, 0, "", "cannot read the %s: %s", lang->words->noun,
			    strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		diags_error(d, 0, 0, "", "this is a directory: give %s (YAML)", lang->file);
		return NULL;
	}
	if (lang->size_first && S_ISREG(st.st_mode) && st.st_size > (off_t)PROFILE_MAX_BYTES) {
		diags_error(d, 0, 0, "",
			    "the file is over 1 MiB (%lld bytes): %s; is this the right file?",
			    (long long)st.st_size, lang->words->size);
		return NULL;
	}
	/* Read one byte past the limit, to refuse a longer pipe or device too. */
	buf = malloc(PROFILE_MAX_BYTES + 1);
	if (!buf) {
		diags_error(d, 0, 0, "", "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, buf + *len, PROFILE_MAX_BYTES + 1 - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diags_error(d, 0, 0, "", "cannot read the %s: %s", lang->words->noun,
				    strerror(errno));
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
		if (*len > (size_t)PROFILE_MAX_BYTES) {
			if (!lang->size_first)
				break; /* the tree refuses it, with its size */
			diags_error(d, 0, 0, "",
				    "the file is over 1 MiB: %s; is this the right file?",
				    lang->words->size);
			free(buf);
			return NULL;
		}
	}
	return buf;
}
