/* The YAML side of the profile parser: bytes -> a tree of nodes.
 *
 * Our own passes run before libyaml sees a byte: the size, UTF-8 (libyaml
 * reports only a byte offset) and tabs in indentation. Then libyaml's event
 * API feeds a builder that stops at nesting level 65, before libyaml's scanner
 * (whose cost grows with the depth of open flow collections) can go quadratic,
 * refuses a second document at once, counts the nodes every alias expands to
 * (a tree shares the aliased node, so billion laughs costs nothing until the
 * count passes 10,000), and finds duplicate keys, which libyaml 0.2.5 lets
 * through. */
#include "profile_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "profile.h"

/* ---- diagnostics ---- */

bool perrs_keeping(const struct perrs *e)
{
	return e->n < PERRS_KEEP && !e->dropped_errors && !e->dropped_warnings;
}

int perrs_errors(const struct perrs *e)
{
	int n = e->dropped_errors;

	for (size_t i = 0; i < e->n; i++)
		n += !e->v[i].warning;
	return n;
}

void perrs_add(struct perrs *e, bool warning, int line, int col, const char *key, const char *fmt,
	       ...)
{
	va_list ap;

	if (e->n == e->cap && e->n < PERRS_KEEP) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct diag *v = realloc(e->v, (cap > PERRS_KEEP ? PERRS_KEEP : cap) * sizeof(*v));

		if (v) {
			e->v = v;
			e->cap = cap > PERRS_KEEP ? PERRS_KEEP : cap;
		}
	}
	if (e->n == e->cap) { /* kept enough, or out of memory: count only */
		if (warning)
			e->dropped_warnings++;
		else
			e->dropped_errors++;
		return;
	}
	va_start(ap, fmt);
	diag_fill(&e->v[e->n++], warning, line, col, key, fmt, ap);
	va_end(ap);
}

void perrs_free(struct perrs *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static int cmp_place(const void *a, const void *b)
{
	const struct diag *const *x = a, *const *y = b;

	if ((*x)->line != (*y)->line)
		return (*x)->line < (*y)->line ? -1 : 1;
	if ((*x)->col != (*y)->col)
		return (*x)->col < (*y)->col ? -1 : 1;
	return *x < *y ? -1 : *x > *y; /* the order they were found */
}

/* Hands the collected diagnostics to `d` in the order of the file. */
void perrs_flush(struct perrs *e, struct diags *d)
{
	const struct diag **order = malloc(
		(e->n ? e->n : 1) * sizeof(struct diag *)); // NOLINT(bugprone-sizeof-expression)

	if (!order) {
		for (size_t i = 0; i < e->n; i++)
			diags_add(d, e->v[i].warning, e->v[i].line, e->v[i].col, e->v[i].key, "%s",
				  e->v[i].msg);
	} else {
		for (size_t i = 0; i < e->n; i++)
			order[i] = &e->v[i];
		qsort(order, e->n, sizeof(struct diag *),
		      cmp_place); // NOLINT(bugprone-sizeof-expression)
		for (size_t i = 0; i < e->n; i++)
			diags_add(d, order[i]->warning, order[i]->line, order[i]->col,
				  order[i]->key, "%s", order[i]->msg);
		free(order);
	}
	d->errors += e->dropped_errors;
	d->warnings += e->dropped_warnings;
}

/* ---- arena: every node and string of one parse, freed at once ---- */

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
};

#define ARENA_BLOCK (64 * 1024)

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (!b || b->cap - b->used < need) {
		size_t cap = need > (size_t)ARENA_BLOCK / 4 ? need : (size_t)ARENA_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		if (a->head && need > ARENA_BLOCK / 4) {
			/* a big one-off: keep the current block for small ones */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += need;
	return p;
}

static void arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* ---- positions ---- */

/* Length of a line break at p (CR LF, CR, LF, NEL, LS, PS: what libyaml
 * counts as a break), or 0. */
static size_t break_len(const unsigned char *p, const unsigned char *end)
{
	if (*p == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	if (*p == '\n')
		return 1;
	if (*p == 0xC2 && p + 1 < end && p[1] == 0x85)
		return 2;
	if (*p == 0xE2 && p + 2 < end && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
		return 3;
	return 0;
}

/* Length of the UTF-8 sequence at p, 0 if it is not valid UTF-8, and the
 * code point. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2, c = p[0] & 0x1F, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3, c = p[0] & 0x0F, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* YAML's printable set, which libyaml's reader enforces. */
static bool yaml_printable(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
	       (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	       (c >= 0x10000 && c <= 0x10FFFF);
}

static void tab_error(struct perrs *e, int line, int col)
{
	perrs_add(e, false, line, col, "",
		  "tabs used for indentation: YAML indents with spaces only; replace the tab "
		  "with spaces");
}

/* One pass over the bytes: UTF-8 and printable characters (the first bad
 * one stops it: what follows cannot be placed), and tabs at the start of
 * a line, even a blank one (libyaml refuses most of these less clearly; each
 * such line is reported). Returns false when the input is refused. */
static bool check_text(const char *buf, size_t len, struct perrs *e)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	int line = 1, col = 1;
	bool at_indent = true, ok = true;
	int tab_col = 0;

	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	while (p < end) {
		size_t bl = break_len(p, end), n;
		uint32_t c;

		if (bl) {
			if (at_indent && tab_col) {
				tab_error(e, line, tab_col);
				ok = false;
			}
			p += bl;
			line++;
			col = 1;
			at_indent = true;
			tab_col = 0;
			continue;
		}
		n = utf8_seq(p, end, &c);
		if (!n) {
			perrs_add(e, false, line, col, "",
				  "not UTF-8: byte 0x%02X is not valid UTF-8 here; save the file "
				  "as UTF-8",
				  *p);
			return false;
		}
		if (!yaml_printable(c) || (c == 0xFEFF && !(line == 1 && col == 1))) {
			perrs_add(e, false, line, col, "",
				  "control character U+%04X is not allowed in YAML: remove it, or "
				  "write it "
				  "as an escape in a double-quoted string (\"\\x%02X\")",
				  (unsigned)c, (unsigned)c & 0xFF);
			return false;
		}
		if (at_indent) {
			if (c == '\t' && !tab_col) {
				tab_col = col;
			} else if (c != ' ' && c != '\t') {
				at_indent = false;
				if (tab_col) {
					tab_error(e, line, tab_col);
					ok = false;
				}
			}
		}
		p += n;
		col++;
	}
	if (at_indent && tab_col) {
		tab_error(e, line, tab_col);
		ok = false;
	}
	return ok;
}

/* ---- the builder ---- */

struct anchor {
	const char *name;
	struct node *node;
	struct anchor *next;
};

struct frame {
	struct node *node;
	size_t base; /* first of its items on the item stack */
};

struct builder {
	struct arena *arena;
	struct perrs *e;
	struct frame frames[PROFILE_MAX_DEPTH + 1];
	int depth;
	struct node **stack; /* items of the open collections */
	size_t n_stack, cap_stack;
	struct anchor **buckets;
	size_t n_buckets, n_anchors;
	size_t expanded; /* nodes that aliases stand for, so far */
	struct node *root;
	bool failed; /* refused: no tree, stop reading events */
	bool bad;    /* errors found, tree not to be checked further */
	const struct ptree_words *words;
};

static bool out_of_memory(struct builder *b)
{
	perrs_add(b->e, false, 0, 0, "", "out of memory while reading the %s", b->words->noun);
	b->failed = true;
	return false;
}

/* The dotted key of where the builder stands, with `key` appended. */
static void builder_path(const struct builder *b, int upto, const char *key, char *out, size_t len)
{
	size_t pos = 0;

	out[0] = '\0';
	for (int i = 0; i < upto && pos < len; i++) {
		const struct frame *f = &b->frames[i];
		size_t end = i + 1 < b->depth ? b->frames[i + 1].base : b->n_stack;
		size_t count = end - f->base;
		int w = 0;

		if (f->node->kind == NODE_SEQ) {
			w = snprintf(out + pos, len - pos, "[%zu]", count);
		} else if (count % 2 == 1) {
			const struct node *k = b->stack[end - 1];

			w = snprintf(out + pos, len - pos, "%s%s", pos ? "." : "",
				     k->kind == NODE_SCALAR ? k->s : "?");
		}
		if (w > 0)
			pos += (size_t)w;
	}
	if (key && pos < len)
		snprintf(out + pos, len - pos, "%s%s", pos ? "." : "", key);
}

static size_t hash_name(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct anchor *anchor_find(const struct builder *b, const char *name)
{
	if (!b->n_buckets)
		return NULL;
	for (struct anchor *a = b->buckets[hash_name(name) & (b->n_buckets - 1)]; a; a = a->next)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static bool anchor_set(struct builder *b, const char *name, struct node *n)
{
	struct anchor *a = anchor_find(b, name);
	size_t len;
	char *copy;

	if (a) {
		a->node = n; /* YAML: the latest definition wins */
		return true;
	}
	if (b->n_anchors >= b->n_buckets) {
		size_t nb = b->n_buckets ? b->n_buckets * 2 : 64;
		struct anchor **v =
			calloc(nb, sizeof(struct anchor *)); // NOLINT(bugprone-sizeof-expression)

		if (!v)
			return out_of_memory(b);
		for (size_t i = 0; i < b->n_buckets; i++) {
			struct anchor *x, *next;

			for (x = b->buckets[i]; x; x = next) {
				next = x->next;
				x->next = v[hash_name(x->name) & (nb - 1)];
				v[hash_name(x->name) & (nb - 1)] = x;
			}
		}
		free(b->buckets);
		b->buckets = v;
		b->n_buckets = nb;
	}
	len = strlen(name);
	a = arena_alloc(b->arena, sizeof(*a));
	copy = arena_alloc(b->arena, len + 1);
	if (!a || !copy)
		return out_of_memory(b);
	memcpy(copy, name, len + 1);
	a->name = copy;
	a->node = n;
	a->next = b->buckets[hash_name(name) & (b->n_buckets - 1)];
	b->buckets[hash_name(name) & (b->n_buckets - 1)] = a;
	b->n_anchors++;
	return true;
}

static struct node *new_node(struct builder *b, enum node_kind kind, const yaml_mark_t *m)
{
	struct node *n = arena_alloc(b->arena, sizeof(*n));

	if (!n) {
		out_of_memory(b);
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	n->weight = 1;
	return n;
}

/* Hands a finished node to the open collection, or makes it the root. */
static void attach(struct builder *b, struct node *n)
{
	if (!b->depth) {
		b->root = n;
		return;
	}
	if (!b->stack || b->n_stack == b->cap_stack) {
		size_t cap = b->cap_stack ? b->cap_stack * 2 : 256;
		struct node **v =
			realloc(b->stack,
				cap * sizeof(struct node *)); // NOLINT(bugprone-sizeof-expression)

		if (!v) {
			out_of_memory(b);
			return;
		}
		b->stack = v;
		b->cap_stack = cap;
	}
	b->stack[b->n_stack++] = n;
}

static void on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct node *n = new_node(b, NODE_SCALAR, &ev->start_mark);
	char *s;

	if (!n)
		return;
	s = arena_alloc(b->arena, ev->data.scalar.length + 1);
	if (!s) {
		out_of_memory(b);
		return;
	}
	memcpy(s, ev->data.scalar.value, ev->data.scalar.length);
	s[ev->data.scalar.length] = '\0';
	n->s = s;
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->complete = true;
	if (memchr(s, '\0', n->len)) {
		char key[160];

		builder_path(b, b->depth, NULL, key, sizeof(key));
		perrs_add(b->e, false, n->line, n->col, key,
			  "a NUL character (\\0) is not allowed in a value: remove it");
		b->bad = true;
	}
	if (ev->data.scalar.anchor && !anchor_set(b, (const char *)ev->data.scalar.anchor, n))
		return;
	attach(b, n);
}

static void on_start(struct builder *b, const yaml_event_t *ev, enum node_kind kind,
		     const yaml_char_t *anchor)
{
	struct node *n;

	if (b->depth >= PROFILE_MAX_DEPTH) {
		char key[160];

		builder_path(b, b->depth, NULL, key, sizeof(key));
		perrs_add(b->e, false, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			  key,
			  "nesting deeper than %d levels: %s needs only a few; "
			  "close the brackets or reduce the indentation",
			  PROFILE_MAX_DEPTH, b->words->a_doc);
		b->failed = true;
		return;
	}
	n = new_node(b, kind, &ev->start_mark);
	if (!n)
		return;
	/* Registered now, complete at its end: an alias inside it is recursion. */
	if (anchor && !anchor_set(b, (const char *)anchor, n))
		return;
	b->frames[b->depth].node = n;
	b->frames[b->depth].base = b->n_stack;
	b->depth++;
}

static int cmp_key_ref(const void *x, const void *y)
{
	const struct node *const *a = x, *const *b = y;
	const struct node *ka = a[0], *kb = b[0];
	int c;

	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	c = memcmp(ka->s, kb->s, ka->len);
	if (c)
		return c;
	return a[1] < b[1] ? -1 : a[1] > b[1]; /* a[1]: the key's slot, for order */
}

/* Duplicate scalar keys: sorted (key, slot) pairs, so a mapping with many
 * keys costs n log n. A duplicate is reported at its key and replaced by a
 * marker that the checker skips. */
static void find_duplicates(struct builder *b, struct node *map)
{
	size_t pairs = map->n / 2, m = 0;
	const struct node **v;

	if (pairs < 2)
		return;
	v = malloc(pairs * 2 * sizeof(struct node *)); // NOLINT(bugprone-sizeof-expression)
	if (!v) {
		out_of_memory(b);
		return;
	}
	for (size_t i = 0; i < pairs; i++) {
		if (map->items[2 * i]->kind != NODE_SCALAR)
			continue;
		v[2 * m] = map->items[2 * i];
		v[2 * m + 1] = (const struct node *)&map->items[2 * i];
		m++;
	}
	qsort(v, m, 2 * sizeof(struct node *), cmp_key_ref); // NOLINT(bugprone-sizeof-expression)
	for (size_t i = 1, run = 0; i < m; i++) {
		const struct node *first = v[2 * run], *k = v[2 * i];
		char key[160];

		if (first->len != k->len || memcmp(first->s, k->s, k->len) != 0) {
			run = i;
			continue;
		}
		key[0] = '\0';
		if (perrs_keeping(b->e))
			builder_path(b, b->depth, k->s, key, sizeof(key));
		perrs_add(
			b->e, false, k->line, k->col, key,
			"duplicate key: \"%s\" is already set at line %d, column %d; keep only one",
			DIAG_CUT(k->s, 60), first->line, first->col);
		*(struct node **)v[2 * i + 1] = NULL;
		b->bad = true;
	}
	free(v);
	/* mark after the loop: the sort compares the keys themselves */
	for (size_t i = 0; i < pairs; i++) {
		static struct node dup = {.kind = NODE_DUP_KEY};

		if (!map->items[2 * i])
			map->items[2 * i] = &dup;
	}
}

static void on_end(struct builder *b)
{
	struct frame *f;
	struct node *n;
	size_t count;

	if (!b->depth) /* libyaml balances its events; this keeps us safe if not */
		return;
	f = &b->frames[b->depth - 1];
	n = f->node;
	count = b->n_stack - f->base;

	n->n = count;
	n->items = arena_alloc(b->arena,
			       (count ? count : 1) *
				       sizeof(struct node *)); // NOLINT(bugprone-sizeof-expression)
	if (!n->items) {
		out_of_memory(b);
		return;
	}
	if (count && b->stack) /* the item stack is NULL until the first item */
		memcpy(n->items, b->stack + f->base,
		       count * sizeof(struct node *)); // NOLINT(bugprone-sizeof-expression)
	for (size_t i = 0; i < count; i++) {
		const struct node *c = n->items[i];

		n->weight += c->weight;
		if (c->height + 1 > n->height)
			n->height = c->height + 1;
	}
	if (!n->height)
		n->height = 1;
	if (n->kind == NODE_MAP)
		find_duplicates(b, n);
	n->complete = true;
	b->n_stack = f->base;
	b->depth--;
	attach(b, n);
}

static void on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = anchor_find(b, name);
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	char key[160];

	builder_path(b, b->depth, NULL, key, sizeof(key));
	if (!a) {
		perrs_add(b->e, false, line, col, key,
			  "unknown alias *%s: define the anchor &%s before using it", name, name);
		b->failed = true;
		return;
	}
	if (!a->node->complete) {
		perrs_add(b->e, false, line, col, key,
			  "alias *%s stands inside the node it refers to: a recursive alias cannot "
			  "be expanded; copy the values instead",
			  name);
		b->failed = true;
		return;
	}
	b->expanded += a->node->weight;
	if (b->expanded > PROFILE_MAX_ALIAS_NODES) {
		perrs_add(b->e, false, line, col, key,
			  "alias expansion over %d nodes: aliases here would stand for more than "
			  "%d values; use fewer aliases",
			  PROFILE_MAX_ALIAS_NODES, PROFILE_MAX_ALIAS_NODES);
		b->failed = true;
		return;
	}
	if ((size_t)b->depth + a->node->height > PROFILE_MAX_DEPTH) {
		perrs_add(b->e, false, line, col, key,
			  "nesting deeper than %d levels through alias *%s: %s needs only a "
			  "few levels",
			  PROFILE_MAX_DEPTH, name, b->words->a_doc);
		b->failed = true;
		return;
	}
	attach(b, a->node);
}

static void yaml_problem(struct builder *b, const yaml_parser_t *ps, const char *buf, size_t len)
{
	int line = (int)ps->problem_mark.line + 1, col = (int)ps->problem_mark.column + 1;
	const char *problem = ps->problem ? ps->problem : "cannot be read";
	char key[160];

	if (ps->error == YAML_READER_ERROR) {
		/* A byte offset only: count our way to it. */
		const unsigned char *p = (const unsigned char *)buf, *end = p + len;
		size_t off = ps->problem_offset < len ? ps->problem_offset : len;
		const unsigned char *stop = p + off;

		line = 1, col = 1;
		while (p < stop) {
			size_t bl = break_len(p, end), n;
			uint32_t c;

			if (bl) {
				p += bl, line++, col = 1;
				continue;
			}
			n = utf8_seq(p, end, &c);
			p += n ? n : 1;
			col++;
		}
	} else if (ps->error == YAML_MEMORY_ERROR) {
		out_of_memory(b);
		return;
	}
	/* the key the builder stood at, when it is one */
	builder_path(b, b->depth, NULL, key, sizeof(key));
	if (ps->context)
		perrs_add(b->e, false, line, col, key,
			  "not valid YAML: %s (%s at line %d): check the indentation, the quoting "
			  "and that each key is followed by \": \"",
			  problem, ps->context, (int)ps->context_mark.line + 1);
	else
		perrs_add(
			b->e, false, line, col, key,
			"not valid YAML: %s: check the indentation, the quoting and that each key "
			"is followed by \": \"",
			problem);
	b->failed = true;
}

static void read_events(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t ps;
	int documents = 0;
	bool done = false;

	if (!yaml_parser_initialize(&ps)) {
		out_of_memory(b);
		return;
	}
	/* A UTF-8 byte order mark: skipped here, as the text check did. */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&ps, YAML_UTF8_ENCODING);
	while (!done && !b->failed) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&ps, &ev)) {
			yaml_problem(b, &ps, buf, len);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				perrs_add(b->e, false, (int)ev.start_mark.line + 1,
					  (int)ev.start_mark.column + 1, "",
					  "more than one document: %s is one YAML document; "
					  "remove the second one (from its \"---\")",
					  b->words->a_doc);
				b->failed = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_start(b, &ev, NODE_SEQ, ev.data.sequence_start.anchor);
			break;
		case YAML_MAPPING_START_EVENT:
			on_start(b, &ev, NODE_MAP, ev.data.mapping_start.anchor);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(b);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(b, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
	if (!b->failed && !documents) {
		perrs_add(b->e, false, 1, 1, "", "the file is empty: %s", b->words->empty);
		b->failed = true;
	}
}

const struct ptree_words ptree_profile_words = {
	"profile",
	"a profile",
	"a profile needs at least \"name: NAME\"",
	"a profile is a few hundred bytes",
};

void ptree_build_doc(struct ptree *t, const char *buf, size_t len, const struct ptree_words *words,
		     struct perrs *e)
{
	struct builder b = {.e = e, .words = words};

	memset(t, 0, sizeof(*t));
	if (len > (size_t)PROFILE_MAX_BYTES) {
		perrs_add(e, false, 0, 0, "",
			  "the file is over 1 MiB (%zu bytes): %s; is this the right file?", len,
			  words->size);
		return;
	}
	if (!len) {
		perrs_add(e, false, 1, 1, "", "the file is empty: %s", words->empty);
		return;
	}
	if (!check_text(buf, len, e))
		return;
	t->arena = b.arena = calloc(1, sizeof(*b.arena));
	if (!b.arena) {
		out_of_memory(&b);
		return;
	}
	read_events(&b, buf, len);
	free(b.stack);
	free(b.buckets);
	if (!b.failed)
		t->root = b.root;
}

void ptree_free(struct ptree *t)
{
	arena_free(t->arena);
	memset(t, 0, sizeof(*t));
}

bool node_is_null(const struct node *n)
{
	if (n->kind != NODE_SCALAR || !n->plain)
		return false;
	return !strcmp(n->s, "") || !strcmp(n->s, "~") || !strcmp(n->s, "null") ||
	       !strcmp(n->s, "Null") || !strcmp(n->s, "NULL");
}

const char *node_what(const struct node *n, char *buf, size_t len)
{
	if (n->kind == NODE_SEQ)
		return "a list";
	if (n->kind == NODE_MAP)
		return "a mapping";
	if (node_is_null(n))
		return "nothing";
	snprintf(buf, len, "the value \"%s\"", DIAG_CUT(n->s, 40));
	return buf;
}
