/* Which rows to show and in which order: pure, over the collector's groups.
 * In tree order each group comes right after its parent, siblings sorted by
 * the key; flat order sorts all. Unknown values sort last either way. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sort_ctx {
	const struct stats_group *g;
	int col;
	bool reverse;
};

/* qsort has no context argument in C11; the view runs on one thread. */
static struct sort_ctx sort_ctx;

static double key(const struct stats_group *g, int col)
{
	if (col == COL_IO_READ || col == COL_IO_WRITE) {
		double r = g->row.f[COL_IO_READ], w = g->row.f[COL_IO_WRITE];

		return isnan(r) && isnan(w) ? NAN : (isnan(r) ? 0 : r) + (isnan(w) ? 0 : w);
	}
	return g->row.f[col];
}

static int cmp_rows(uint32_t a, uint32_t b)
{
	const struct stats_group *ga = &sort_ctx.g[a], *gb = &sort_ctx.g[b];
	int r;

	if (sort_ctx.col == COL_NAME) {
		r = strcmp(ga->path, gb->path);
		return sort_ctx.reverse ? -r : r;
	}
	double ka = key(ga, sort_ctx.col), kb = key(gb, sort_ctx.col);

	if (isnan(ka) || isnan(kb)) {
		if (isnan(ka) && isnan(kb))
			return strcmp(ga->path, gb->path);
		return isnan(ka) ? 1 : -1;
	}
	/* biggest first unless reversed */
	r = ka < kb ? 1 : ka > kb ? -1 : strcmp(ga->path, gb->path);
	return sort_ctx.reverse && ka != kb ? -r : r;
}

static int cmp_idx(const void *a, const void *b)
{
	return cmp_rows(*(const uint32_t *)a, *(const uint32_t *)b);
}

/* Parent first, then key. */
static int cmp_by_parent(const void *a, const void *b)
{
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	int pa = sort_ctx.g[ia].parent, pb = sort_ctx.g[ib].parent;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	return cmp_rows(ia, ib);
}

static size_t first_child(const uint32_t *sib, size_t m, const struct stats_group *g, int parent)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g[sib[mid]].parent < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t stats_view_groups(const struct stats_group *g, size_t n, const struct stats_view_opts *o,
			 uint32_t *order, uint32_t *scratch)
{
	/* scratch[0..n): 1 when shown; reused below for the sort. */
	uint32_t *show = scratch, *sib = scratch + n;
	size_t k = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		bool in = !g[i].vanished &&
			  (o->max_depth < 0 || g[i].depth <= (unsigned)o->max_depth) &&
			  (!o->filter || !*o->filter || strstr(g[i].path, o->filter));

		show[i] = in;
	}
	if (o->tree && o->filter && *o->filter) {
		/* keep the ancestors of a match, so the tree still reads */
		for (size_t i = n; i-- > 0;)
			if (show[i] && g[i].parent >= 0 && !g[g[i].parent].vanished)
				show[g[i].parent] = 1;
	}
	sort_ctx = (struct sort_ctx){g, o->sort, o->reverse};
	if (!o->tree) {
		for (size_t i = 0; i < n; i++)
			if (show[i])
				order[k++] = (uint32_t)i;
		qsort(order, k, sizeof(*order), cmp_idx);
		return k;
	}
	/* Tree: sort the shown groups by (parent, key) into sib, then walk
	 * depth first from the top; a node's children are found by binary
	 * search on the parent. */
	size_t m = 0, sp = 0;
	struct frame {
		size_t next;   /* index in sib of the next child to emit */
		int parent;
	} st[2048];      /* deeper than any path of 4096 bytes can go */

	if (!show[0])
		return 0;
	for (size_t i = 1; i < n; i++)
		if (show[i] && g[i].parent >= 0)
			sib[m++] = (uint32_t)i;
	qsort(sib, m, sizeof(*sib), cmp_by_parent);
	order[k++] = 0;
	st[sp++] = (struct frame){first_child(sib, m, g, 0), 0};
	while (sp) {
		struct frame *f = &st[sp - 1];
		uint32_t child;

		if (f->next >= m || g[sib[f->next]].parent != f->parent) {
			sp--;
			continue;
		}
		child = sib[f->next++];
		order[k++] = child;
		if (sp < sizeof(st) / sizeof(st[0]))
			st[sp++] = (struct frame){first_child(sib, m, g, (int)child), (int)child};
	}
	return k;
}

size_t stats_view(const struct stats_collector *c, const struct stats_view_opts *o,
		  uint32_t *order, uint32_t *scratch)
{
	size_t n = stats_count(c);

	return stats_view_groups(n ? stats_group_at(c, 0) : NULL, n, o, order, scratch);
}
