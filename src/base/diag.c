#include "diag.h"

#include <stdarg.h>
#include <string.h>

void diags_init(struct diags *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->path = path;
}

void diag_fill(struct diag *it, bool warning, int line, int col, const char *key, const char *fmt,
	       va_list ap)
{
	it->warning = warning;
	it->line = line;
	it->col = col;
	snprintf(it->key, sizeof(it->key), "%s", key ? key : "");
	vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
}

bool diags_full(const struct diags *d)
{
	return d->n >= DIAG_MAX;
}

void diags_add(struct diags *d, bool warning, int line, int col, const char *key, const char *fmt,
	       ...)
{
	va_list ap;

	if (warning)
		d->warnings++;
	else
		d->errors++;
	if (d->n >= DIAG_MAX)
		return;
	va_start(ap, fmt);
	diag_fill(&d->items[d->n++], warning, line, col, key, fmt, ap);
	va_end(ap);
}

/* "3 more errors and 1 more warning not shown" */
static void print_more(FILE *out, const char *path, int errors, int warnings)
{
	if (errors > 0 && warnings > 0)
		fprintf(out, "%s: %d more error%s and %d more warning%s not shown\n", path, errors,
			errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	else if (errors > 0)
		fprintf(out, "%s: %d more error%s not shown\n", path, errors,
			errors == 1 ? "" : "s");
	else if (warnings > 0)
		fprintf(out, "%s: %d more warning%s not shown\n", path, warnings,
			warnings == 1 ? "" : "s");
}

void diags_print(const struct diags *d, FILE *out)
{
	const char *path = d->path ? d->path : "<profile>";
	int shown_err = 0, shown_warn = 0;

	for (int i = 0; i < d->n; i++) {
		const struct diag *it = &d->items[i];
		const char *kind = it->warning ? "warning" : "error";

		if (it->warning)
			shown_warn++;
		else
			shown_err++;
		if (it->line > 0)
			fprintf(out, "%s:%d:%d: %s: ", path, it->line, it->col, kind);
		else
			fprintf(out, "%s: %s: ", path, kind);
		if (it->key[0])
			fprintf(out, "%s: ", it->key);
		fprintf(out, "%s\n", it->msg);
	}
	print_more(out, path, d->errors - shown_err, d->warnings - shown_warn);
}

const char *diag_cut(const char *s, size_t chars, char *out, size_t len)
{
	static const char ellipsis[] = "\xe2\x80\xa6";   /* U+2026 */
	size_t i = 0, seen = 0;

	if (!s)
		s = "";
	/* up to `chars` characters; a continuation byte belongs to the last */
	while (s[i] && i + 1 < len) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && seen++ == chars)
			break;
		i++;
	}
	if (!s[i]) {
		snprintf(out, len, "%s", s);
		return out;
	}
	/* cut: make room for the ellipsis, never inside a character */
	while (i > 0 && i + sizeof(ellipsis) > len)
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	snprintf(out, len, "%.*s%s", (int)i, s, ellipsis);
	return out;
}
