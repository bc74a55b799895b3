/* A small JSON writer, for the daemon's state file and its action log.
 *
 * Output is compact (no spaces), one value built in memory. Strings are
 * escaped fully: quotes, backslash, every control character (C0, DEL, C1),
 * U+2028/U+2029, and each byte of invalid UTF-8 (a stray continuation, an
 * overlong or surrogate form, a sequence cut short) becomes \ufffd, so that
 * whatever a process calls itself gives one valid line that libyaml (which
 * refuses C1 characters raw) and every JSON reader take back. Numbers that
 * are not finite are written null. A failed allocation is remembered and
 * json_text() then returns NULL: callers check once at the end. */
#ifndef CGKIT_JSON_H
#define CGKIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define JSON_DEPTH_MAX 64

struct json {
	char *buf;
	size_t len, cap;
	bool failed;			/* out of memory, or nesting misused */
	unsigned depth;			/* open objects and arrays */
	bool first[JSON_DEPTH_MAX + 1]; /* no member written yet at that depth */
	bool after_key;			/* a key was written, its value comes next */
};

void json_init(struct json *j);
void json_free(struct json *j);
/* Empties the buffer for the next value, keeping the memory. */
void json_reset(struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
/* A member's name, in an object; its value is the next call. */
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s); /* NULL writes null */
void json_strn(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_double(struct json *j, double v); /* shortest form that reads back the same */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* RFC 3339 UTC with milliseconds, "2024-05-01T12:34:56.789Z", from
 * microseconds since the epoch. */
void json_time(struct json *j, uint64_t us);
/* The same text into buf (at least JSON_TIME_LEN bytes), without quotes. */
#define JSON_TIME_LEN 32
void json_format_time(uint64_t us, char *buf, size_t len);

/* The text (NUL-terminated) and its length; NULL after a failure or while
 * an object or array is still open. */
const char *json_text(const struct json *j, size_t *len);

/* ---- Reading back: JSON is YAML for what json_* writes, so libyaml reads
 * it (no new dependency). A node is libyaml's; the helpers refuse what the
 * writer would not have written (a plain scalar where a string belongs, a
 * string holding NUL, a number with junk), so a damaged file is caught. */
struct json_doc {
	yaml_document_t doc;
	bool loaded;
};

/* Parses one JSON value; -1 with the reason and place in why on bad input. */
int json_doc_load(struct json_doc *d, const char *buf, size_t len, char *why, size_t whylen);
void json_doc_free(struct json_doc *d);
yaml_node_t *json_root(struct json_doc *d);
/* A member of an object, or NULL (absent, or not an object). */
yaml_node_t *json_member(struct json_doc *d, yaml_node_t *obj, const char *key);
/* Items of an array: the count (0 when not an array) and the i-th. */
size_t json_len(const yaml_node_t *arr);
yaml_node_t *json_item(struct json_doc *d, yaml_node_t *arr, size_t i);
bool json_is_null(const yaml_node_t *n);
/* A quoted string without NUL, or NULL. */
const char *json_as_str(const yaml_node_t *n);
/* A plain integer in range, or a bool (true/false): 0, else -1. */
int json_as_u64(const yaml_node_t *n, uint64_t *v);
int json_as_bool(const yaml_node_t *n, bool *v);

#endif
