/* The strict JSON reader: recursive descent, depth-capped. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jread.h"

struct rd {
	const char *p, *end;
	int line, col, depth;
	char *why;
	size_t whylen;
	int eline, ecol;
	bool failed;
};

static __attribute__((format(printf, 2, 3))) void fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	r->eline = r->line;
	r->ecol = r->col;
	va_start(ap, fmt);
	vsnprintf(r->why, r->whylen, fmt, ap);
	va_end(ap);
}

/* one byte on; columns count characters (UTF-8 lead bytes) */
static void step(struct rd *r)
{
	if (*r->p == '\n') {
		r->line++;
		r->col = 1;
	} else if (((unsigned char)*r->p & 0xc0) != 0x80) {
		r->col++;
	}
	r->p++;
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		step(r);
}

static struct jnode *new_node(struct rd *r, enum jkind k)
{
	struct jnode *n = calloc(1, sizeof(*n));

	if (!n) {
		fail(r, "out of memory");
		return NULL;
	}
	n->kind = k;
	n->line = r->line;
	n->col = r->col;
	return n;
}

static bool add_item(struct rd *r, struct jnode *to, struct jnode *it)
{
	struct jnode **v = realloc(to->items, (to->n + 1) * sizeof(struct jnode *));

	if (!v) {
		jfree(it);
		fail(r, "out of memory");
		return false;
	}
	to->items = v;
	to->items[to->n++] = it;
	return true;
}

static void put_utf8(char *o, size_t *k, uint32_t c)
{
	if (c < 0x80) {
		o[(*k)++] = (char)c;
	} else if (c < 0x800) {
		o[(*k)++] = (char)(0xc0 | (c >> 6));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o[(*k)++] = (char)(0xe0 | (c >> 12));
		o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | (c >> 18));
		o[(*k)++] = (char)(0x80 | ((c >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	}
}

static int hex4(struct rd *r, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = r->p < r->end ? *r->p : 0;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			fail(r, "\\u needs four hex digits, such as \\u00e9");
			return -1;
		}
		step(r);
	}
	*out = v;
	return 0;
}

/* the length of a valid UTF-8 sequence at p, or 0 */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

static char *read_string(struct rd *r)
{
	/* the decoded text is never longer than the quoted one */
	const char *q = r->p + 1;
	size_t cap = 1, k = 0;
	char *o;

	while (q < r->end && *q != '"') {
		if (*q == '\\' && q + 1 < r->end)
			q++;
		q++;
		cap++;
	}
	cap += (size_t)(q - r->p);
	o = malloc(cap);
	if (!o) {
		fail(r, "out of memory");
		return NULL;
	}
	step(r); /* the quote */
	for (;;) {
		unsigned char c;

		if (r->p >= r->end) {
			fail(r, "the string does not end: close it with \"");
			break;
		}
		c = (unsigned char)*r->p;
		if (c == '"') {
			step(r);
			o[k] = 0;
			return o;
		}
		if (c < 0x20) {
			fail(r, "a control character in a string: write it as \\n, \\t or \\u00XX");
			break;
		}
		if (c == '\\') {
			uint32_t u, lo;
			char e;

			step(r);
			e = r->p < r->end ? *r->p : 0;
			switch (e) {
			case '"': case '\\': case '/': o[k++] = e; step(r); continue;
			case 'b': o[k++] = '\b'; step(r); continue;
			case 'f': o[k++] = '\f'; step(r); continue;
			case 'n': o[k++] = '\n'; step(r); continue;
			case 'r': o[k++] = '\r'; step(r); continue;
			case 't': o[k++] = '\t'; step(r); continue;
			case 'u': break;
			default:
				fail(r, "unknown escape: use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
				goto bad;
			}
			step(r);
			if (hex4(r, &u) < 0)
				break;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') {
					fail(r, "a lone surrogate: \\u%04" PRIx32 " needs its low half (\\udc00 .. \\udfff) next", u);
					break;
				}
				step(r);
				step(r);
				if (hex4(r, &lo) < 0)
					break;
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(r, "a lone surrogate: \\u%04" PRIx32 " needs its low half (\\udc00 .. \\udfff) next", u);
					break;
				}
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				fail(r, "a lone surrogate \\u%04" PRIx32 ": the low half comes after a high one", u);
				break;
			} else if (u == 0) {
				fail(r, "\\u0000 in a string: cgkit's strings hold no NUL");
				break;
			}
			put_utf8(o, &k, u);
			continue;
		}
		{
			size_t n = utf8_len((const unsigned char *)r->p, (const unsigned char *)r->end);

			if (!n) {
				fail(r, "not UTF-8: JSON text is UTF-8");
				break;
			}
			while (n--) {
				o[k++] = *r->p;
				step(r);
			}
		}
	}
bad:
	free(o);
	return NULL;
}

static struct jnode *read_value(struct rd *r);

static bool read_lit(struct rd *r, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0) {
		fail(r, "not a JSON value: give an object, array, string, number, true, false or null");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		step(r);
	return true;
}

static struct jnode *read_number(struct rd *r)
{
	const char *s = r->p;
	struct jnode *n = new_node(r, J_NUM);
	const char *q = s;

	if (!n)
		return NULL;
	if (q < r->end && *q == '-')
		q++;
	if (q < r->end && *q == '0') {
		q++;
		if (q < r->end && *q >= '0' && *q <= '9')
			goto bad;
	}
	else if (q < r->end && *q >= '1' && *q <= '9')
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	else
		goto bad;
	if (q < r->end && *q == '.') {
		q++;
		if (q >= r->end || *q < '0' || *q > '9')
			goto bad;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || *q < '0' || *q > '9')
			goto bad;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	n->s = strndup(s, (size_t)(q - s));
	if (!n->s) {
		fail(r, "out of memory");
		jfree(n);
		return NULL;
	}
	while (r->p < q)
		step(r);
	return n;
bad:
	fail(r, "not a number: write digits such as 100, -1 or 0.5 (no leading zeros, no +)");
	jfree(n);
	return NULL;
}

static struct jnode *read_container(struct rd *r, bool obj)
{
	struct jnode *n = new_node(r, obj ? J_OBJ : J_ARR);
	char close = obj ? '}' : ']';

	if (!n)
		return NULL;
	if (++r->depth > JREAD_MAX_DEPTH) {
		fail(r, "nested deeper than %d levels", JREAD_MAX_DEPTH);
		goto bad;
	}
	step(r);
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		step(r);
		r->depth--;
		return n;
	}
	for (;;) {
		struct jnode *v;

		skip_ws(r);
		if (obj) {
			struct jnode *k;

			if (r->p >= r->end || *r->p != '"') {
				fail(r, "an object's key is a string in double quotes");
				goto bad;
			}
			if (n->n >= (size_t)2 * JREAD_MAX_MEMBERS) {
				fail(r, "more than %d members in one object", JREAD_MAX_MEMBERS);
				goto bad;
			}
			k = new_node(r, J_STR);
			if (!k)
				goto bad;
			k->s = read_string(r);
			if (!k->s) {
				jfree(k);
				goto bad;
			}
			for (size_t i = 0; i < n->n; i += 2)
				if (!strcmp(n->items[i]->s, k->s)) {
					r->line = k->line;
					r->col = k->col;
					fail(r, "the key \"%.60s\" is already at line %d, column %d: give each key once",
					     k->s, n->items[i]->line, n->items[i]->col);
					jfree(k);
					goto bad;
				}
			if (!add_item(r, n, k))
				goto bad;
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':') {
				fail(r, "a ':' goes after the key");
				goto bad;
			}
			step(r);
			skip_ws(r);
		}
		v = read_value(r);
		if (!v || !add_item(r, n, v))
			goto bad;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			step(r);
			skip_ws(r);
			if (r->p < r->end && *r->p == close) {
				fail(r, "a trailing comma: remove it");
				goto bad;
			}
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			step(r);
			r->depth--;
			return n;
		}
		fail(r, obj ? "expected ',' or '}' after the member" : "expected ',' or ']' after the item");
		goto bad;
	}
bad:
	jfree(n);
	return NULL;
}

static struct jnode *read_value(struct rd *r)
{
	struct jnode *n;

	skip_ws(r);
	if (r->p >= r->end) {
		fail(r, "the text ends where a value belongs");
		return NULL;
	}
	switch (*r->p) {
	case '{': return read_container(r, true);
	case '[': return read_container(r, false);
	case '"':
		n = new_node(r, J_STR);
		if (n && !(n->s = read_string(r))) {
			jfree(n);
			n = NULL;
		}
		return n;
	case 't': case 'f': case 'n':
		n = new_node(r, *r->p == 'n' ? J_NULL : J_BOOL);
		if (!n)
			return NULL;
		n->b = *r->p == 't';
		if (!read_lit(r, *r->p == 't' ? "true" : *r->p == 'f' ? "false" : "null")) {
			jfree(n);
			return NULL;
		}
		return n;
	default:
		return read_number(r);
	}
}

int jread(const char *buf, size_t len, struct jnode **out, int *line, int *col, char *why,
	  size_t whylen)
{
	struct rd r = {.p = buf, .end = buf + len, .line = 1, .col = 1, .why = why, .whylen = whylen};
	struct jnode *n = NULL;

	*out = NULL;
	if (len > JREAD_MAX_BYTES)
		fail(&r, "the file is over %d MiB (%zu bytes)", (int)(JREAD_MAX_BYTES >> 20), len);
	else if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		fail(&r, "a byte order mark: JSON text starts without one");
	else
		n = read_value(&r);
	if (n) {
		skip_ws(&r);
		if (r.p < r.end)
			fail(&r, "more text after the JSON value: one value a file");
	}
	if (r.failed) {
		jfree(n);
		*line = r.eline;
		*col = r.ecol;
		return -1;
	}
	*out = n;
	return 0;
}

void jfree(struct jnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		jfree(n->items[i]);
	free(n->items);
	free(n->s);
	free(n);
}

const struct jnode *jget(const struct jnode *obj, const char *key)
{
	if (!obj || obj->kind != J_OBJ)
		return NULL;
	for (size_t i = 0; i + 1 < obj->n; i += 2)
		if (!strcmp(obj->items[i]->s, key))
			return obj->items[i + 1];
	return NULL;
}

int jint(const struct jnode *n, int64_t *v)
{
	char *end;
	long long x;

	if (!n || n->kind != J_NUM || strpbrk(n->s, ".eE"))
		return -1;
	errno = 0;
	x = strtoll(n->s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int juint(const struct jnode *n, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!n || n->kind != J_NUM || strpbrk(n->s, ".eE-"))
		return -1;
	errno = 0;
	x = strtoull(n->s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

const char *jkind_name(enum jkind k)
{
	static const char *const names[] = {"null", "true or false", "a number", "a string",
					    "an array", "an object"};

	return names[k];
}
