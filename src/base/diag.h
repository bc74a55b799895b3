/* Diagnostics about a profile: "PATH:LINE:COLUMN: error: KEY: message".
 * At most DIAG_MAX are kept; the rest are counted. */
#ifndef CGKIT_DIAG_H
#define CGKIT_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX 20

struct diag {
	bool warning;
	int line, col;          /* from 1; 0 when the error has no place */
	char key[160];          /* dotted key: cpu.max, io.devices[0].read_bps */
	char msg[480];
};

struct diags {
	const char *path;       /* as the user named the file */
	struct diag items[DIAG_MAX];
	int n;                  /* kept in items */
	int errors, warnings;   /* all counted, also past DIAG_MAX */
};

/* Fills one diagnostic: where, the dotted key (NULL: none) and the message. */
void diag_fill(struct diag *it, bool warning, int line, int col, const char *key, const char *fmt,
	       va_list ap) __attribute__((format(printf, 6, 0)));

void diags_init(struct diags *d, const char *path);
void diags_add(struct diags *d, bool warning, int line, int col, const char *key,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define diags_error(d, l, c, k, ...) diags_add((d), false, (l), (c), (k), __VA_ARGS__)
#define diags_warn(d, l, c, k, ...) diags_add((d), true, (l), (c), (k), __VA_ARGS__)
/* One line each; a last line says how many more were not shown. */
void diags_print(const struct diags *d, FILE *out);
bool diags_full(const struct diags *d);

/* A user's text quoted in a message, cut after `chars` characters (UTF-8)
 * with "…" to show the cut: out holds at most len bytes. Returns out. */
const char *diag_cut(const char *s, size_t chars, char *out, size_t len);
#define DIAG_CUT_BUF 256
/* For a format's argument: the text cut at n characters, in a buffer that
 * lives until the end of the enclosing statement's block. */
#define DIAG_CUT(s, n) diag_cut((s), (n), (char[DIAG_CUT_BUF]){ 0 }, DIAG_CUT_BUF)

#endif
