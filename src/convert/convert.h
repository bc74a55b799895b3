/* Conversions between profiles and other tools' languages (cgrun --to,
 * cgrun --from; docs/cgrun.1, CONVERSIONS): one row per format in
 * convert_formats[] (convert.c), each with the two directions it has.
 *
 * to():   a profile -> the format's text on `out`.
 * from(): the format's files -> one document (a profile, a rules file) or
 *         several named ones (a directory of profiles), given to the sink.
 * What cannot be carried over is a warning in the diagnostics of the file
 * it came from (FILE:LINE:COL for an input; the profile's own place for
 * --to), never dropped in silence; bad input is an error there (exit 125). */
#ifndef CGKIT_CONVERT_H
#define CGKIT_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "err.h"
#include "profile.h"

/* What `cgrun --to/--from` was given beyond the format. */
struct convert_opts {
	const char *variant;     /* "FORMAT:VARIANT": systemd:slice, oci:v2; NULL: none */
	const char *out;         /* -o: a file (one document) or a directory */
	bool force;              /* --force: overwrite files in out */
	const char *profile_path; /* --to: -p */
};

/* Where from() puts what it made. A document with name NULL is the one
 * document (stdout, or the file -o names); a named one ("web.yaml") goes
 * into the directory -o names. */
struct convert_doc {
	char *name;   /* NULL: the one document */
	char *text;
};

/* Kept in memory until the conversion has succeeded: a failed one writes
 * nothing (convert_sink_commit, by the command layer). */
struct convert_sink {
	struct convert_doc *docs;
	size_t n_docs;
};

/* Adds a copy of text (and name) to the sink. */
int convert_sink_put(struct convert_sink *s, const char *name, const char *text, cg_err *err);
/* A profile into the sink, as YAML (profile_emit), `comment` at its top. */
int convert_sink_profile(struct convert_sink *s, const char *name, const struct profile *p,
			 const char *comment, cg_err *err);

struct convert_format {
	const char *name;
	const char *what;    /* one line for --help and errors */
	/* NULL when the format has no such direction */
	int (*to)(const struct profile *p, const struct convert_opts *o, FILE *out,
		  struct diags *d, cg_err *err);
	/* files[n]; d[i] is files[i]'s diagnostics */
	int (*from)(const char *const *files, size_t n, const struct convert_opts *o,
		    struct convert_sink *sink, struct diags *d, cg_err *err);
};

/* Writes the sink's documents: the one document to `out` (a file; NULL:
 * stdout), named ones into the directory `out` (made if missing). Existing
 * files are refused unless force, before anything is written. */
int convert_sink_commit(const struct convert_sink *s, const char *out, bool force, cg_err *err);
void convert_sink_free(struct convert_sink *s);

extern const struct convert_format convert_formats[];
extern const size_t convert_n_formats;

/* The row of `name` ("systemd", or "systemd:slice": the part before ':'). */
const struct convert_format *convert_find(const char *name);

/* The formats, one row a line */
int convert_to_systemd(const struct profile *p, const struct convert_opts *o, FILE *out,
		       struct diags *d, cg_err *err);
int convert_to_systemd_run(const struct profile *p, const struct convert_opts *o, FILE *out,
			   struct diags *d, cg_err *err);
int convert_from_systemd(const char *const *files, size_t n, const struct convert_opts *o,
			 struct convert_sink *sink, struct diags *d, cg_err *err);
int convert_to_oci(const struct profile *p, const struct convert_opts *o, FILE *out,
		   struct diags *d, cg_err *err);
/* The same on bytes in memory (the fuzzer's way in); `path` names them. */
int convert_oci_from_text(const char *buf, size_t len, const char *path,
			  const struct profile_opts *po, struct convert_sink *sink, struct diags *d,
			  cg_err *err);
int convert_from_oci(const char *const *files, size_t n, const struct convert_opts *o,
		     struct convert_sink *sink, struct diags *d, cg_err *err);
int convert_from_cgconfig(const char *const *files, size_t n, const struct convert_opts *o,
			  struct convert_sink *sink, struct diags *d, cg_err *err);
int convert_from_cgrules(const char *const *files, size_t n, const struct convert_opts *o,
			 struct convert_sink *sink, struct diags *d, cg_err *err);

/* cgrun --to FORMAT / --from FORMAT FILE...: the command layer (it prints
 * the diagnostics and errors). Returns cgrun's exit status (0 or 125). */
int convert_cli_to(const char *format, const struct convert_opts *o);
int convert_cli_from(const char *format, char *const *files, const struct convert_opts *o);

#endif
