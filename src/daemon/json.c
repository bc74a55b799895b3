/* The JSON writer (json.h): compact text in a growing buffer. */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
	j->first[0] = true;
}

void json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

void json_reset(struct json *j)
{
	char *buf = j->buf;
	size_t cap = j->cap;

	json_init(j);
	j->buf = buf;
	j->cap = cap;
	if (buf)
		buf[0] = '\0';
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *nb;

		while (j->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(j->buf, cap);
		if (!nb) {
			j->failed = true;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Before any value: the comma between members or items. */
static void value_start(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
}

static void open_(struct json *j, const char *c)
{
	value_start(j);
	if (j->depth >= JSON_DEPTH_MAX) {
		j->failed = true;
		return;
	}
	put(j, c, 1);
	j->first[++j->depth] = true;
}

static void close_(struct json *j, const char *c)
{
	if (j->depth == 0 || j->after_key) {
		j->failed = true;
		return;
	}
	j->depth--;
	put(j, c, 1);
}

void json_obj_begin(struct json *j)
{
	open_(j, "{");
}

void json_obj_end(struct json *j)
{
	close_(j, "}");
}

void json_arr_begin(struct json *j)
{
	open_(j, "[");
}

void json_arr_end(struct json *j)
{
	close_(j, "]");
}

/* Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 when it is not valid (overlong, surrogate, past U+10FFFF,
 * cut short). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char b = s[i];

		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return 0;
		v = (v << 6) | (b & 0x3f);
	}
	*cp = v;
	return len;
}

/* Characters written as \uXXXX even when valid: controls (C0, DEL, C1, which
 * libyaml refuses raw), the line separators JavaScript takes for newlines,
 * the byte-order mark and the two non-characters libyaml refuses. */
static bool must_escape(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

void json_strn(struct json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	value_start(j);
	put(j, "\"", 1);
	while (i < len) {
		uint32_t cp = 0;
		size_t n = utf8_seq(p + i, len - i, &cp);
		char esc[8];
		const char *e = NULL;

		if (n == 0) {
			e = "\\ufffd";
			n = 1;
		} else if (cp == '"') {
			e = "\\\"";
		} else if (cp == '\\') {
			e = "\\\\";
		} else if (cp == '\n') {
			e = "\\n";
		} else if (cp == '\t') {
			e = "\\t";
		} else if (cp == '\r') {
			e = "\\r";
		} else if (cp == '\b') {
			e = "\\b";
		} else if (cp == '\f') {
			e = "\\f";
		} else if (must_escape(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			e = esc;
		}
		if (e) {
			put(j, s + i - run, run);
			run = 0;
			puts_(j, e);
		} else {
			run += n;
		}
		i += n;
	}
	put(j, s + i - run, run);
	put(j, "\"", 1);
}

void json_str(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || j->after_key) {
		j->failed = true;
		return;
	}
	json_str(j, key);
	put(j, ":", 1);
	j->after_key = true;
}

void json_int(struct json *j, int64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRId64, v);
	value_start(j);
	puts_(j, b);
}

void json_uint(struct json *j, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	value_start(j);
	puts_(j, b);
}

void json_double(struct json *j, double v)
{
	char b[40];
	int prec;

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	/* the shortest of %.15g .. %.17g that reads back as the same double */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			break;
	}
	value_start(j);
	puts_(j, b);
}

void json_bool(struct json *j, bool v)
{
	value_start(j);
	puts_(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	value_start(j);
	puts_(j, "null");
}

void json_format_time(uint64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000 / 1000));
}

void json_time(struct json *j, uint64_t us)
{
	char b[JSON_TIME_LEN];

	json_format_time(us, b, sizeof(b));
	json_str(j, b);
}

const char *json_text(const struct json *j, size_t *len)
{
	if (j->failed || j->depth != 0 || j->after_key)
		return NULL;
	if (len)
		*len = j->len;
	return j->buf ? j->buf : "";
}

/* ---- Reading back ---- */

int json_doc_load(struct json_doc *d, const char *buf, size_t len, char *why, size_t whylen)
{
	yaml_parser_t p;
	yaml_document_t extra;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if (!yaml_parser_initialize(&p)) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &d->doc)) {
		snprintf(why, whylen, "%s at line %zu, column %zu",
			 p.problem ? p.problem : "not JSON", p.problem_mark.line + 1,
			 p.problem_mark.column + 1);
		goto out;
	}
	d->loaded = true;
	if (!yaml_document_get_root_node(&d->doc)) {
		snprintf(why, whylen, "empty");
		goto out;
	}
	/* one value and nothing after it */
	if (!yaml_parser_load(&p, &extra)) {
		snprintf(why, whylen, "%s after the value at line %zu",
			 p.problem ? p.problem : "junk", p.problem_mark.line + 1);
		goto out;
	}
	if (yaml_document_get_root_node(&extra)) {
		yaml_document_delete(&extra);
		snprintf(why, whylen, "a second value after the first");
		goto out;
	}
	yaml_document_delete(&extra);
	rc = 0;
out:
	yaml_parser_delete(&p);
	if (rc < 0)
		json_doc_free(d);
	return rc;
}

void json_doc_free(struct json_doc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *json_root(struct json_doc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

yaml_node_t *json_member(struct json_doc *d, yaml_node_t *obj, const char *key)
{
	yaml_node_pair_t *pr;

	if (!obj || obj->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = obj->data.mapping.pairs.start; pr < obj->data.mapping.pairs.top; pr++) {
		const char *k = json_as_str(yaml_document_get_node(&d->doc, pr->key));

		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(&d->doc, pr->value);
	}
	return NULL;
}

size_t json_len(const yaml_node_t *arr)
{
	if (!arr || arr->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(arr->data.sequence.items.top - arr->data.sequence.items.start);
}

yaml_node_t *json_item(struct json_doc *d, yaml_node_t *arr, size_t i)
{
	if (i >= json_len(arr))
		return NULL;
	return yaml_document_get_node(&d->doc, arr->data.sequence.items.start[i]);
}

static bool plain_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strcmp((const char *)n->data.scalar.value, s) == 0;
}

bool json_is_null(const yaml_node_t *n)
{
	return plain_is(n, "null");
}

const char *json_as_str(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return NULL;
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int json_as_u64(const yaml_node_t *n, uint64_t *v)
{
	const char *s;
	char *end;
	unsigned long long x;

	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	s = (const char *)n->data.scalar.value;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int json_as_bool(const yaml_node_t *n, bool *v)
{
	if (plain_is(n, "true"))
		*v = true;
	else if (plain_is(n, "false"))
		*v = false;
	else
		return -1;
	return 0;
}
