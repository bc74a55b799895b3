/* The walk over a YAML tree (profile_tree.h) that the profile language
 * (profile.c) and the languages built on it (src/daemon/rules.c: cgkitd's
 * rules file) share: where the walk stands (the dotted key of a message,
 * "rules[2].penalties[0].cpu"), errors and warnings at a node's line and
 * column, the kind checks, one table of keys per mapping with the unknown,
 * duplicate and misplaced keys, and the scalar values every language has.
 * Each language names its document in its own words (struct walk_lang), so
 * that its messages stay its own. Private to src/profile/ and those parsers. */
#ifndef CGKIT_WALK_H
#define CGKIT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "profile.h"
#include "profile_tree.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define WALK_KEYS_MAX 16 /* keys in the largest mapping: the top of a profile */

struct walker;

/* What a language says in the walk's messages. */
struct walk_lang {
	const struct ptree_words *words; /* the tree's: "out of memory while reading the profile" */
	const char *file;		 /* "this is a directory: give a profile file (YAML)" */
	const char *empty;		 /* the message for a document of nothing (comments only) */
	bool size_first;		 /* walk_read_file refuses a file over 1 MiB by its size;
					  * else it reads one byte past the limit and the tree does */
	const char *key_example;	 /* "max": "a key must be a plain word such as \"max\"" */
	const char *merge_keys; /* the advice on a merge key (<<), or NULL: unknown as any */
	/* reports key k, a launch setting (top_only) below the top */
	void (*misplaced)(struct walker *w, const struct node *k);
};

/* One key of a mapping: `parse` reads the key's value into the field at
 * `off` of the mapping's object (a cpu_spec for a profile's cpu keys, ...).
 * A key with `top_only` is read into the top object instead, and anywhere
 * else is misplaced. Adding a key is one row in a table. */
struct walk_key {
	const char *name;
	void (*parse)(struct walker *w, const struct node *k, const struct node *v, void *field);
	size_t off;
	bool top_only;
};

/* The mapping being walked: its table and the key node each row was given
 * by (NULL when absent), for the checks between keys. */
struct walk_map {
	const struct walk_key *keys;
	size_t n;
	const struct node *seen[WALK_KEYS_MAX];
	struct walk_map *up;
};

struct walker {
	struct perrs *e;
	const struct walk_lang *lang;
	const struct profile_opts *opts; /* host RAM for sizes; never NULL */
	char key[160];			 /* dotted key of where the walk stands */
	size_t klen;
	bool oom;
	struct walk_map *at; /* innermost mapping being walked */
	bool partial;	     /* one key alone (profile_set): the checks between keys wait */
};

/* Where the walk stands: push returns the old length for walk_pop. */
size_t walk_push(struct walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void walk_pop(struct walker *w, size_t old);
/* Enters key `k` of the current mapping ("cpu" then "cpu.max"). */
size_t walk_enter(struct walker *w, const char *k);

/* An error or a warning at line:col (or at node n), under the current key. */
void walk_err_pos(struct walker *w, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void walk_warn_pos(struct walker *w, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define walk_err(w, n, ...) walk_err_pos((w), (n)->line, (n)->col, __VA_ARGS__)
#define walk_warn(w, n, ...) walk_warn_pos((w), (n)->line, (n)->col, __VA_ARGS__)

/* strdup and calloc that report running out of memory (once). */
char *walk_strdup(struct walker *w, const char *s);
void *walk_calloc(struct walker *w, size_t n, size_t size);

/* The name of `names` that `s` is a likely typo or abbreviation of, or NULL. */
const char *walk_nearest(const char *s, const char *const *names, size_t n);
/* "a, b, c" into out (cut at len). */
void walk_join_names(const char *const *names, size_t n, char *out, size_t len);
/* The index of `s` in `names`, or -1. */
int walk_find_name(const char *s, const char *const *names, size_t n);

/* Kind checks; `expect` says what belongs there, for the message. want_kind
 * lets an empty value (null) pass, as an empty section; want_map does not.
 * want_scalar returns the text, or NULL (reported). */
bool walk_want_kind(struct walker *w, const struct node *v, enum node_kind kind,
		    const char *expect);
bool walk_want_map(struct walker *w, const struct node *v, const char *expect);
const char *walk_want_scalar(struct walker *w, const struct node *v, const char *expect);

/* The key node of a pair, or NULL to skip the pair (a duplicate, reported by
 * the tree, or a key that is not a word: reported). */
const struct node *walk_pair_key(struct walker *w, const struct node *k);
/* An unknown key, reported at the key with the nearest valid one or the list. */
void walk_unknown_key(struct walker *w, const struct node *k, const char *const *names, size_t n);
const struct walk_key *walk_key_find(const struct walk_key *keys, size_t n, const char *name);
/* The key node `name` was given by in mapping `at`, or NULL. */
const struct node *walk_seen(const struct walk_map *at, const char *name);

/* Reads each pair of mapping `m` with the row of `keys` named by its key:
 * the value goes to the field at row->off of `obj` (of `top` for a top_only
 * row; `top` is NULL below the top). Fills at->seen for the checks between
 * keys. */
void walk_pairs(struct walker *w, const struct node *m, const struct walk_key *keys, size_t n,
		void *obj, void *top, struct walk_map *at);
/* The same for the keys of `keys` only: another walk has read the mapping
 * first, and its keys, unknown keys and keys that are not words are its own. */
void walk_pairs_known(struct walker *w, const struct node *m, const struct walk_key *keys, size_t n,
		      void *obj, struct walk_map *at);
/* A section: a mapping (or nothing) of the keys in `keys`. Returns false when
 * the value is not a mapping (reported). */
bool walk_section(struct walker *w, const struct node *m, const char *expect,
		  const struct walk_key *keys, size_t n, void *obj, struct walk_map *at);

/* A list: a new array of v->n items of `size` bytes (v->n in *n), each
 * item walked by `item` under the key "[i]". NULL when out of memory
 * (reported); v must be a list. */
void *walk_items(struct walker *w, const struct node *v, size_t size, size_t *n,
		 void (*item)(struct walker *w, const struct node *it, void *obj));

/* A list of mappings walked item by item, each item naming something that
 * no other item may name again (devices by path, children by name). */
struct walk_list {
	size_t size;	  /* one item */
	const char *want; /* what the value should have been */
	void (*walk_item)(struct walker *w, const struct node *m, void *item);
	const char *(*name_of)(const void *arr, size_t i);
	const char *name_key; /* the name's key in an item: "path", "name" */
	/* reports item, whose name the earlier item first has already */
	void (*twice)(struct walker *w, const void *item, const void *first);
};

/* Walks the list v into a new array of l's items (its length in *n), and
 * reports each name given twice. NULL when v is no list, or out of memory. */
void *walk_list(struct walker *w, const struct node *v, const struct walk_list *l, size_t *n);

/* Scalar values. set_pos marks pv set at v, its key at k. walk_str reads a
 * string (false when there is none); walk_abs_path one that must start with
 * '/'. `right` says what would be right. */
void walk_set_pos(struct pval *pv, const struct node *k, const struct node *v);
bool walk_str(struct walker *w, const struct node *k, const struct node *v, struct pstr *ps,
	      const char *right);
void walk_abs_path(struct walker *w, const struct node *k, const struct node *v, struct pstr *ps,
		   const char *right);

/* A document's tree built into t, with the guards, in the language's words;
 * its root, or NULL when it was refused or holds nothing (reported in e). */
const struct node *walk_doc_root(struct ptree *t, const char *buf, size_t len,
				 const struct walk_lang *lang, struct perrs *e);
/* Frees the tree and hands the diagnostics to d, sorted by place. Returns
 * how many errors there were: with any, the document is refused. */
int walk_doc_end(struct ptree *t, struct perrs *e, struct diags *d);

/* Text s of value v, read by a units.h parser into pv (its place set).
 * False when it is no such value: "\"S\" is not WHAT: WHY" (reported). */
bool walk_parsed(struct walker *w, const struct node *k, const struct node *v, const char *s,
		 struct pval *pv, int (*parse)(const char *s, uint64_t *out, const char **why),
		 const char *what);

/* Reads the file at `path` (at most PROFILE_MAX_BYTES + 1 bytes) into a new
 * buffer of *len bytes. NULL with the reason in d, in the language's words. */
char *walk_read_file(const char *path, const struct walk_lang *lang, size_t *len, struct diags *d);

#endif
