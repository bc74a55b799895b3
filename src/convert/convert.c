/* The formats' table, the sink and the command layer of cgrun --to/--from. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "convert.h"
#include "profile_emit.h"

#define EXIT_FAIL 125 /* CGRUN_EXIT_FAIL: cgrun's status for its own failure */

/* one row a line: helpers add formats here */
const struct convert_format convert_formats[] = {
	{"systemd", "a unit drop-in: [Service] (systemd:scope, systemd:slice)", convert_to_systemd, convert_from_systemd},
	{"systemd-run", "systemd-run's -p NAME=VALUE arguments, shell-quoted", convert_to_systemd_run, NULL},
	{"oci", "the OCI runtime spec's linux.resources (oci:v1, oci:v2: with unified)", convert_to_oci, convert_from_oci},
	{"cgconfig", "libcgroup's cgconfig.conf: a profile a group (-o DIR)", NULL, convert_from_cgconfig},
	{"cgrules", "libcgroup's cgrules.conf: a cgkitd rules file", NULL, convert_from_cgrules},
};
const size_t convert_n_formats = sizeof(convert_formats) / sizeof(convert_formats[0]);

const struct convert_format *convert_find(const char *name)
{
	size_t n = strcspn(name, ":");

	for (size_t i = 0; i < convert_n_formats; i++)
		if (strlen(convert_formats[i].name) == n && !strncmp(convert_formats[i].name, name, n))
			return &convert_formats[i];
	return NULL;
}

int convert_sink_put(struct convert_sink *s, const char *name, const char *text, cg_err *err)
{
	struct convert_doc *d = realloc(s->docs, (s->n_docs + 1) * sizeof(*d));

	if (!d)
		return cg_err_set(err, ENOMEM, "out of memory");
	s->docs = d;
	d = &s->docs[s->n_docs];
	d->name = name ? strdup(name) : NULL;
	d->text = strdup(text);
	if (!d->text || (name && !d->name)) {
		free(d->name);
		free(d->text);
		return cg_err_set(err, ENOMEM, "out of memory");
	}
	s->n_docs++;
	return 0;
}

int convert_sink_profile(struct convert_sink *s, const char *name, const struct profile *p,
			 const char *comment, cg_err *err)
{
	_cleanup_free_ char *text = profile_emit_str(p, comment);
	struct profile *back;
	struct diags d;

	if (!text)
		return cg_err_set(err, ENOMEM, "out of memory");
	/* what is printed must read back: a converter's slip is said, not printed */
	diags_init(&d, name ? name : "(the profile made)");
	back = profile_parse(text, strlen(text), d.path, &p->opts, &d);
	if (!back)
		return cg_err_set(err, EINVAL, "the profile made does not read back (a bug: please "
					       "report it): %s:%d:%d: %s: %s",
				  d.path, d.items[0].line, d.items[0].col, d.items[0].key,
				  d.items[0].msg);
	profile_free(back);
	return convert_sink_put(s, name, text, err);
}

void convert_sink_free(struct convert_sink *s)
{
	for (size_t i = 0; i < s->n_docs; i++) {
		free(s->docs[i].name);
		free(s->docs[i].text);
	}
	free(s->docs);
	s->docs = NULL;
	s->n_docs = 0;
}

static int write_file(const char *path, const char *text, bool force, cg_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	size_t len = strlen(text), off = 0;

	if (fd < 0)
		return cg_err_sys(err, "%s", path);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return cg_err_sys(err, "%s", path);
		off += (size_t)w;
	}
	return 0;
}

static char *doc_path(const char *dir, const struct convert_doc *d)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, d->name) < 0)
		return NULL;
	return p;
}

int convert_sink_commit(const struct convert_sink *s, const char *out, bool force, cg_err *err)
{
	bool named = false;
	struct stat st;

	for (size_t i = 0; i < s->n_docs; i++)
		named |= s->docs[i].name != NULL;
	if (!named) {
		for (size_t i = 0; i < s->n_docs; i++) {
			if (!out) {
				fputs(s->docs[i].text, stdout);
				continue;
			}
			if (!force && lstat(out, &st) == 0)
				return cg_err_set(err, EEXIST, "-o %s: the file exists: give --force to overwrite it", out);
			if (write_file(out, s->docs[i].text, force, err) < 0)
				return -1;
		}
		return fflush(stdout) ? cg_err_sys(err, "standard output") : 0;
	}
	if (!out)
		return cg_err_set(err, EINVAL, "this conversion gives several files: name a directory with -o DIR");
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return cg_err_sys(err, "-o %s", out);
	for (size_t i = 0; i < s->n_docs && !force; i++) {
		_cleanup_free_ char *p = doc_path(out, &s->docs[i]);

		if (!p)
			return cg_err_set(err, ENOMEM, "out of memory");
		if (lstat(p, &st) == 0)
			return cg_err_set(err, EEXIST, "%s exists: give --force to overwrite it (nothing was written)", p);
	}
	for (size_t i = 0; i < s->n_docs; i++) {
		_cleanup_free_ char *p = doc_path(out, &s->docs[i]);

		if (!p)
			return cg_err_set(err, ENOMEM, "out of memory");
		if (write_file(p, s->docs[i].text, force, err) < 0)
			return -1;
	}
	return 0;
}

static void unknown_format(const char *format, const char *dir)
{
	fprintf(stderr, "cgrun: %s: '%s' is not a format; give one of:\n", dir, format);
	for (size_t i = 0; i < convert_n_formats; i++)
		if (dir[2] == 't' ? convert_formats[i].to != NULL : convert_formats[i].from != NULL)
			fprintf(stderr, "  %-12s %s\n", convert_formats[i].name, convert_formats[i].what);
}

int convert_cli_to(const char *format, const struct convert_opts *o)
{
	const struct convert_format *f = convert_find(format);
	struct profile_opts po = { .host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					       (uint64_t)sysconf(_SC_PAGESIZE) };
	struct convert_opts co = *o;
	struct profile *p;
	struct diags d;
	cg_err e = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (!f || !f->to) {
		unknown_format(format, "--to");
		return EXIT_FAIL;
	}
	co.variant = strchr(format, ':') ? strchr(format, ':') + 1 : NULL;
	if (!o->profile_path) {
		fprintf(stderr, "cgrun: --to %s needs a profile: -p FILE\n", format);
		return EXIT_FAIL;
	}
	diags_init(&d, o->profile_path);
	p = profile_load(o->profile_path, &po, &d);
	diags_print(&d, stderr);
	if (!p)
		return EXIT_FAIL;
	diags_init(&d, o->profile_path);
	mem = open_memstream(&buf, &len);
	if (!mem) {
		profile_free(p);
		fprintf(stderr, "cgrun: out of memory\n");
		return EXIT_FAIL;
	}
	rc = f->to(p, &co, mem, &d, &e);
	if (fclose(mem) && rc == 0)
		rc = cg_err_set(&e, ENOMEM, "out of memory");
	diags_print(&d, stderr);
	if (rc == 0 && d.errors == 0)
		fputs(buf, stdout);
	else if (e.msg[0])
		fprintf(stderr, "cgrun: --to %s: %s\n", format, e.msg);
	free(buf);
	profile_free(p);
	return rc == 0 && d.errors == 0 ? 0 : EXIT_FAIL;
}

int convert_cli_from(const char *format, char *const *files, const struct convert_opts *o)
{
	const struct convert_format *f = convert_find(format);
	struct convert_opts co = *o;
	struct convert_sink sink = { 0 };
	struct diags *d;
	cg_err e = { 0 };
	size_t n = 0;
	int rc, errors = 0;

	if (!f || !f->from) {
		unknown_format(format, "--from");
		return EXIT_FAIL;
	}
	co.variant = strchr(format, ':') ? strchr(format, ':') + 1 : NULL;
	while (files[n])
		n++;
	if (!n) {
		fprintf(stderr, "cgrun: --from %s needs the file(s) to read: cgrun --from %s FILE\n",
			format, format);
		return EXIT_FAIL;
	}
	d = calloc(n, sizeof(*d));
	if (!d) {
		fprintf(stderr, "cgrun: out of memory\n");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		diags_init(&d[i], files[i]);
	rc = f->from((const char *const *)files, n, &co, &sink, d, &e);
	for (size_t i = 0; i < n; i++) {
		diags_print(&d[i], stderr);
		errors += d[i].errors;
	}
	if (rc == 0 && !errors)
		rc = convert_sink_commit(&sink, o->out, o->force, &e);
	if ((rc < 0 || errors) && e.msg[0])
		fprintf(stderr, "cgrun: --from %s: %s\n", format, e.msg);
	convert_sink_free(&sink);
	free(d);
	return rc == 0 && !errors ? 0 : EXIT_FAIL;
}
