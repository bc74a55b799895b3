/* Private to the profile parser: the YAML document as a small tree of nodes,
 * built from libyaml's event stream with every guard the spec asks for
 * (size, UTF-8, tabs, one document, depth, alias expansion, duplicate keys),
 * and the list of diagnostics collected while parsing and checking.
 * Only src/profile*.c include this. */
#ifndef CGKIT_PROFILE_TREE_H
#define CGKIT_PROFILE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP, NODE_DUP_KEY };

struct node {
	enum node_kind kind;
	bool plain;	 /* scalar written without quotes */
	bool complete;	 /* collection: its end was seen (for aliases) */
	int line, col;	 /* from 1; col in characters */
	uint32_t height; /* levels of nesting at and below this node */
	size_t weight;	 /* nodes at and below, aliases expanded */
	const char *s;	 /* scalar: NUL-terminated, no NUL inside */
	size_t len;
	struct node **items; /* seq: n items; map: n/2 pairs key, value */
	size_t n;
};

/* Diagnostics in the order found; profile_parse sorts them by place. */
struct perrs {
	struct diag *v;
	size_t n, cap;
	int dropped_errors, dropped_warnings; /* past PERRS_KEEP */
};
#define PERRS_KEEP 1024

void perrs_add(struct perrs *e, bool warning, int line, int col, const char *key, const char *fmt,
	       ...) __attribute__((format(printf, 6, 7)));
bool perrs_keeping(const struct perrs *e);
int perrs_errors(const struct perrs *e);
void perrs_free(struct perrs *e);

struct arena;

struct ptree {
	struct arena *arena;
	struct node *root; /* NULL when the input was refused */
};

/* Builds the tree. On a refusal, root is NULL and the reasons are in e. */
void ptree_build(struct ptree *t, const char *buf, size_t len, struct perrs *e);
void ptree_free(struct ptree *t);

bool node_is_null(const struct node *n);
/* "a list", "a mapping", "the value \"x\"", "nothing": for messages. */
const char *node_what(const struct node *n, char *buf, size_t len);

/* profile.c's walk, for profile_build.c. Reads mapping `m` (a tree of one
 * key, made in code) into group `g`, with every check of the one value;
 * `top` is the profile when g is its top group, else NULL. The checks between
 * keys wait for profile_walk_checks(), which makes them over a whole profile. */
struct group_spec;
struct profile;
struct profile_opts;
void profile_walk_partial(const struct node *m, struct group_spec *g, struct profile *top,
			  const struct profile_opts *opts, struct perrs *e);
void profile_walk_checks(struct profile *p, struct perrs *e);

#endif
