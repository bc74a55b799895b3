/* libcgroup's cgconfig.conf(5) and cgrules.conf(5), read into cgkit's own
 * formats: each group of a cgconfig.conf becomes a profile, a cgrules.conf
 * becomes a cgkitd rules file. Pure: bytes in, YAML texts and diagnostics
 * out ("FILE:LINE:COL: warning: ..." for what cannot be carried). */
#ifndef CGKIT_CGCONFIG_H
#define CGKIT_CGCONFIG_H

#include <stddef.h>

#include "diag.h"
#include "err.h"

/* Nesting of blocks a cgconfig.conf may have: group { perm { task { } } }
 * needs 3; deeper is refused before it can cost anything. */
#define CGC_MAX_DEPTH 8
#define CGC_MAX_BYTES ((size_t)1024 * 1024)

/* The syntax tree of a cgconfig.conf: `WORD [ARG] { ... }` blocks and
 * `WORD = VALUE;` settings, each with where it stood. */
struct cgc_node {
	char *word;	       /* "group", "cpu", "cpu.shares" */
	char *arg;	       /* "web/db" of `group web/db {`; NULL else */
	char *value;	       /* of a setting; NULL for a block */
	int line, col;	       /* of the word */
	int vline, vcol;       /* of the value (setting) or the arg (block) */
	struct cgc_node *kids; /* a block's contents */
	size_t n_kids;
};

/* Parses the file into a tree (a block with the top-level sections as its
 * kids). Returns NULL with the reasons in d (d->errors > 0). */
struct cgc_node *cgc_parse(const char *buf, size_t len, struct diags *d);
void cgc_free(struct cgc_node *root);

struct convert_sink;

/* cgconfig.conf -> one profile a group, put into the sink as "a-b.yaml" for
 * group a/b. Returns 0 (warnings may be in d), or -1 with the errors in d
 * (err: out of memory). `path` names the file in the profiles' comments. */
int cgconfig_convert(const char *buf, size_t len, const char *path, struct diags *d,
		     struct convert_sink *sink, cg_err *err);

/* Reads a converter's input file (at most 1 MiB) into *buf, NUL-ended. */
int convert_read_file(const char *path, char **buf, size_t *len, cg_err *err);

/* cgrules.conf -> a cgkitd rules file (*yaml, malloc'd). Returns 0 (warnings
 * may be in d), or -1 with the errors in d. */
int cgrules_convert(const char *buf, size_t len, const char *path, struct diags *d, char **yaml);

#endif
