/* A profile written back as YAML: the inverse of profile_parse(). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_emit.h"
#include "units.h"

static const char *const ns_names[] = {"pid", "mount", "uts", "ipc", "net", "cgroup", "user"};

void profile_fmt_cpu(uint64_t ucpu, char *out, size_t len)
{
	if (ucpu % 10000 == 0)
		snprintf(out, len, "%" PRIu64 "%%", ucpu / 10000);
	else if (ucpu % 1000 == 0)
		snprintf(out, len, "%" PRIu64 "m", ucpu / 1000);
	else
		snprintf(out, len, "%" PRIu64 ".%06" PRIu64, ucpu / 1000000, ucpu % 1000000);
}

/* YAML double quotes: the text's bytes (UTF-8 passes), escapes for the rest */
void profile_put_quoted(const char *s, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", out);
		else if (*c == '\t')
			fputs("\\t", out);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(out, "\\x%02x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static void put_str(FILE *out, int ind, const char *key, const struct pstr *ps)
{
	if (!ps->s)
		return;
	fprintf(out, "%*s%s: ", ind, "", key);
	profile_put_quoted(ps->s, out);
	fputc('\n', out);
}

enum vkind { V_SIZE, V_CPU, V_PLAIN };

static void put_val(FILE *out, int ind, const char *key, const struct pval *v, enum vkind k)
{
	char buf[64];

	if (!v->set)
		return;
	if (v->is_max)
		snprintf(buf, sizeof(buf), "max");
	else if (k == V_SIZE)
		unit_format_exact(v->v, buf, sizeof(buf));
	else if (k == V_CPU)
		profile_fmt_cpu(v->v, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, v->v);
	fprintf(out, "%*s%s: %s\n", ind, "", key, buf);
}

/* A section's line; "{}" when present with no key, so that it stays present. */
static void put_section(FILE *out, int ind, const char *name, bool empty)
{
	fprintf(out, "%*s%s:%s\n", ind, "", name, empty ? " {}" : "");
}

static void put_limits(FILE *out, int ind, const struct group_spec *g)
{
	const struct cpu_spec *c = &g->cpu;
	const struct memory_spec *m = &g->memory;
	const struct io_spec *io = &g->io;

	if (c->present) {
		put_section(out, ind, "cpu", !c->max.set && !c->quota.set && !c->period.set &&
						     !c->weight.set);
		put_val(out, ind + 2, "max", &c->max, V_CPU);
		put_val(out, ind + 2, "quota", &c->quota, V_PLAIN);
		put_val(out, ind + 2, "period", &c->period, V_PLAIN);
		put_val(out, ind + 2, "weight", &c->weight, V_PLAIN);
	}
	if (m->present) {
		put_section(out, ind, "memory", !m->max.set && !m->high.set && !m->swap.set);
		put_val(out, ind + 2, "max", &m->max, V_SIZE);
		put_val(out, ind + 2, "high", &m->high, V_SIZE);
		put_val(out, ind + 2, "swap", &m->swap, V_SIZE);
	}
	if (io->present) {
		put_section(out, ind, "io", !io->weight.set && !io->devices);
		put_val(out, ind + 2, "weight", &io->weight, V_PLAIN);
		if (io->devices)
			fprintf(out, "%*sdevices:%s\n", ind + 2, "", io->n_devices ? "" : " []");
		for (size_t i = 0; io->devices && i < io->n_devices; i++) {
			const struct io_device *d = &io->devices[i];

			fprintf(out, "%*s- path: ", ind + 4, "");
			profile_put_quoted(d->path.s ? d->path.s : "", out);
			fputc('\n', out);
			put_val(out, ind + 6, "read_bps", &d->read_bps, V_SIZE);
			put_val(out, ind + 6, "write_bps", &d->write_bps, V_SIZE);
			put_val(out, ind + 6, "read_iops", &d->read_iops, V_PLAIN);
			put_val(out, ind + 6, "write_iops", &d->write_iops, V_PLAIN);
		}
	}
	if (g->cpuset.present) {
		put_section(out, ind, "cpuset", !g->cpuset.cpus.s && !g->cpuset.mems.s);
		put_str(out, ind + 2, "cpus", &g->cpuset.cpus);
		put_str(out, ind + 2, "mems", &g->cpuset.mems);
	}
	if (g->pids.present) {
		put_section(out, ind, "pids", !g->pids.max.set);
		put_val(out, ind + 2, "max", &g->pids.max, V_PLAIN);
	}
}

static void put_children(FILE *out, int ind, const struct group_spec *g)
{
	if (!g->n_children)
		return;
	fprintf(out, "%*schildren:\n", ind, "");
	for (size_t i = 0; i < g->n_children; i++) {
		const struct group_spec *c = &g->children[i];

		fprintf(out, "%*s- name: ", ind + 2, "");
		profile_put_quoted(c->name.s ? c->name.s : "", out);
		fputc('\n', out);
		put_str(out, ind + 4, "description", &c->description);
		put_limits(out, ind + 4, c);
		put_children(out, ind + 4, c);
	}
}

static void put_launch(FILE *out, const struct profile *p)
{
	if (p->namespaces || p->ns_line) {
		const char *sep = "";

		fputs("namespaces: [", out);
		for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
			if (p->namespaces & (1u << i)) {
				fprintf(out, "%s%s", sep, ns_names[i]);
				sep = ", ";
			}
		fputs("]\n", out);
	}
	put_str(out, 0, "hostname", &p->hostname);
	put_str(out, 0, "rootfs", &p->rootfs);
	if (p->layers) {
		fputs("layers:", out);
		if (!p->n_layers)
			fputs(" []", out);
		fputc('\n', out);
		for (size_t i = 0; i < p->n_layers; i++) {
			fputs("  - ", out);
			profile_put_quoted(p->layers[i].s ? p->layers[i].s : "", out);
			fputc('\n', out);
		}
	}
	put_str(out, 0, "user", &p->user);
	put_str(out, 0, "workdir", &p->workdir);
	if (p->env) {
		fputs("env:", out);
		if (!p->n_env)
			fputs(" {}", out);
		fputc('\n', out);
		for (size_t i = 0; i < p->n_env; i++) {
			fputs("  ", out);
			profile_put_quoted(p->env[i].name, out);
			fputs(": ", out);
			profile_put_quoted(p->env[i].value ? p->env[i].value : "", out);
			fputc('\n', out);
		}
	}
}

int profile_emit(const struct profile *p, const char *comment, FILE *out)
{
	const struct group_spec *g = &p->group;

	if (comment) {
		const char *s = comment;

		while (*s) {
			size_t n = strcspn(s, "\n");

			fprintf(out, "# %.*s\n", (int)n, s);
			s += n + (s[n] == '\n');
		}
	}
	fputs("name: ", out);
	profile_put_quoted(g->name.s ? g->name.s : "", out);
	fputc('\n', out);
	put_str(out, 0, "description", &g->description);
	put_str(out, 0, "parent", &p->parent);
	put_limits(out, 0, g);
	put_launch(out, p);
	put_children(out, 0, g);
	if (fflush(out) || ferror(out))
		return -1;
	return 0;
}

char *profile_emit_str(const struct profile *p, const char *comment)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return NULL;
	rc = profile_emit(p, comment, f);
	if (fclose(f) || rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
