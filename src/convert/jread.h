/* A small strict JSON reader (RFC 8259) with the place of every value, for
 * the formats that come as JSON (OCI's config.json). Strict: no comments,
 * no trailing commas, no duplicate keys, no NUL in strings, UTF-8 only,
 * nesting at most JREAD_MAX_DEPTH, at most JREAD_MAX_BYTES, JREAD_MAX_MEMBERS
 * members an object. */
#ifndef CGKIT_JREAD_H
#define CGKIT_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JREAD_MAX_DEPTH 64
#define JREAD_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define JREAD_MAX_MEMBERS 4096 /* of one object: the duplicate check is quadratic */

enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jkind kind;
	int line, col;        /* from 1; col in characters */
	bool b;               /* J_BOOL */
	char *s;              /* J_STR: the text (NUL-terminated); J_NUM: as written */
	struct jnode **items; /* J_ARR: n items; J_OBJ: n/2 pairs key (J_STR), value */
	size_t n;
};

/* Parses len bytes into *out. -1 with the place and the reason (what would
 * be right) on bad input. */
int jread(const char *buf, size_t len, struct jnode **out, int *line, int *col, char *why,
	  size_t whylen);
void jfree(struct jnode *n);

/* A member of an object, or NULL. */
const struct jnode *jget(const struct jnode *obj, const char *key);
/* A number that is a whole number in range: 0, else -1. */
int jint(const struct jnode *n, int64_t *v);
int juint(const struct jnode *n, uint64_t *v);
/* "an object", "a string", ... for messages */
const char *jkind_name(enum jkind k);

#endif
