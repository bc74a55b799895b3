/* pids: max. pids.max says "max" on v1 too. File names: mapping.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_impl.h"

static int pids_plan(struct planner *P, size_t h, size_t idx)
{
	const struct node *n = &P->nodes[idx];
	const struct pval *m = &n->g->pids.max;
	bool v2 = P->w.h[h].v2;
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	uint64_t want = pl_limit(m), c;
	int r;

	pl_node_dir(P, h, n, dir, sizeof(dir));
	r = pl_knob_current(P, dir, MK_PIDS_MAX, v2, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r && map_parse_limit(cur, &c) == 0 && c == want)
		return 0;
	map_format_limit(want, true, v, sizeof(v));   /* pids.max says "max" on v1 too */
	return pl_write(P, path, v, r ? cur : NULL, n, "pids.max", m->line, m->col);
}


/* ---- show ---- */

static void show_pids(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2)
{
	uint64_t v;

	if (!show_limit(rd, dir, MK_PIDS_MAX, v2, &v))
		return;
	fprintf(out, "%*spids:\n", ind, "");
	if (v == MAP_UNLIMITED)
		fprintf(out, "%*smax: max\n", ind + 2, "");
	else
		fprintf(out, "%*smax: %" PRIu64 "\n", ind + 2, "", v);
}

const struct resource res_pids = {
	.name = "pids",
	.ctrl = CTRL_PIDS,
	.plan = pids_plan,
	.show = show_pids,
};
