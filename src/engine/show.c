/* Show: walks the profile's groups and, for each, the table of resources;
 * each resource prints its own section (src/res_NAME.c). */
#include "show.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "resource.h"
#include "units.h"

char *show_get(const struct cg_reader *rd, const char *dir, const char *file, char *buf,
	       size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (!file)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = rd->read(rd->ctx, path, buf, len);
	if (n < 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

bool show_limit(const struct cg_reader *rd, const char *dir, enum map_knob k, bool v2,
		uint64_t *v)
{
	char buf[256];

	return show_get(rd, dir, map_file(k, v2), buf, sizeof(buf)) && map_parse_limit(buf, v) == 0;
}

void show_size(FILE *out, int ind, const char *key, uint64_t v)
{
	char s[64];

	if (v == MAP_UNLIMITED)
		snprintf(s, sizeof(s), "max");
	else
		unit_format_size(v, s, sizeof(s));
	fprintf(out, "%*s%s: %s\n", ind, "", key, s);
}

struct show_ctx {
	const struct cg_layout *l;
	const struct map_where *w;
	const struct cg_reader *rd;
	FILE *out;
};

/* item: the group is an entry of a children list ("- name: ...") */
static void show_group(const struct show_ctx *c, int ind, const struct group_spec *g,
		       const char *rel, bool item)
{
	if (item)
		fprintf(c->out, "%*s- name: %s\n", ind - 2, "", g->name.s);
	else
		fprintf(c->out, "%*sname: %s\n", ind, "", g->name.s);
	for (const struct resource *const *r = resources; *r; r++) {
		int h = map_where_find(c->w, c->l, (*r)->ctrl);
		char dir[PATH_MAX];

		if (h < 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", c->w->h[h].base, rel);
		(*r)->show(c->out, ind, c->rd, dir, c->w->h[h].v2);
	}
	if (g->n_children)
		fprintf(c->out, "%*schildren:\n", ind, "");
	for (size_t i = 0; i < g->n_children; i++) {
		char crel[PATH_MAX];

		snprintf(crel, sizeof(crel), "%s/%s", rel, g->children[i].name.s);
		show_group(c, ind + 4, &g->children[i], crel, true);
	}
}

int show_groups(const struct profile *p, const struct cg_layout *l, const struct map_where *w,
		const struct cg_reader *rd, FILE *out, cg_err *e)
{
	const struct show_ctx c = { l, w, rd, out };
	bool found = false;
	char dir[PATH_MAX];

	for (size_t h = 0; h < w->n; h++) {
		snprintf(dir, sizeof(dir), "%s/%s", w->h[h].base, p->group.name.s);
		if (rd->exists(rd->ctx, dir)) {
			if (!found)
				fprintf(out, "# %s (cgroup %s)\n", dir, cg_mode_name(l->mode));
			found = true;
		}
	}
	if (!found) {
		snprintf(dir, sizeof(dir), "%s/%s", w->n ? w->h[0].base : "?", p->group.name.s);
		return cg_err_set(e, ENOENT, "group %s does not exist; apply the profile first", dir);
	}
	show_group(&c, 0, &p->group, p->group.name.s, false);
	return 0;
}
