/* Private to the profile parser: the YAML document as a small tree of nodes,
 * built from libyaml's event stream with every guard the spec asks for
 * (size, UTF-8, tabs, one document, depth, alias expansion, duplicate keys),
 * and the list of diagnostics collected while parsing and checking.
 * Only the files of src/profile/ and the parsers of languages built on the profile's
 * (src/daemon/rules.c: cgkitd's rules file) include this. */
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

/* How the guards' messages name the document ("the file is empty: ..."). */
struct ptree_words {
	const char *noun;  /* "profile": "out of memory while reading the profile" */
	const char *a_doc; /* "a profile": "a profile is one YAML document" */
	const char *empty; /* after "the file is empty: " */
	const char *size;  /* after "the file is over 1 MiB (N bytes): " */
};
extern const struct ptree_words ptree_profile_words;

/* Builds the tree, naming the document as `words` say. On a refusal, root is
 * NULL and the reasons are in e. */
void ptree_build_doc(struct ptree *t, const char *buf, size_t len, const struct ptree_words *words,
		     struct perrs *e);
/* Hands the collected diagnostics to `d`, sorted by place in the file. */
void perrs_flush(struct perrs *e, struct diags *d);
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

/* For languages that hold limits in profile terms (cgkitd's rules file: a
 * penalty, the users' base limits). Reads the resource sections of mapping
 * `m` (cpu, memory, io, cpuset, pids) into `g`, each value and each section's
 * checks between keys exactly as in a profile, under the dotted key `key`
 * ("rules[0].penalties[1]"). The keys in `other` are the caller's own: they
 * are skipped here. Any other key is reported unknown, with did-you-mean
 * against the resources and `other` together. Returns how many resource
 * sections were given. */
int profile_walk_limits(const struct node *m, struct group_spec *g, const char *key,
			const char *const *other, size_t n_other, const struct profile_opts *opts,
			struct perrs *e);
/* Frees what profile_walk_limits allocated in `g` (io devices, cpuset lists). */
void profile_group_free(struct group_spec *g);

#endif
