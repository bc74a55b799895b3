/* memory: max, high and swap. v1's memsw limits memory and swap together
 * and must stay at or above the limit, so the order of the two writes
 * depends on whether the limit rises; v2 has three files apart. File names:
 * mapping.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_impl.h"

/* v1 swap needs swap accounting (memory.memsw.*): a warning when it is off. */
static int memory_check_files(struct planner *P)
{
	int im = pl_hier(P, CTRL_MEMORY);
	const char *memsw = map_file(MK_MEM_SWAP, false);
	bool want_swap = false;
	char path[4096];

	/* ask only when a group sets swap */
	for (size_t i = 0; i < P->n_nodes && im >= 0; i++)
		want_swap = want_swap || P->nodes[i].g->memory.swap.set;
	if (!want_swap || P->w.h[im].v2 || P->blind)
		return 0;
	pl_join(path, sizeof(path), P->w.h[im].mount, memsw);
	if (P->rd->exists(P->rd->ctx, path))
		return 0;
	for (size_t i = 0; i < P->n_nodes; i++) {
		const struct pval *s = &P->nodes[i].g->memory.swap;
		char key[200];

		if (!s->set)
			continue;
		snprintf(key, sizeof(key), "%smemory.swap", P->nodes[i].key);
		diags_warn(P->d, s->line, s->col, key,
			   "this host has no %s (swap accounting is off; boot with swapaccount=1): "
			   "swap is not limited", memsw);
	}
	return 0;
}

/* Plans one byte limit if the file's value differs; *cur_out gets the value
 * it had. present: false when the file does not exist. */
static int mem_knob(struct planner *P, const char *dir, enum map_knob k, bool v2, uint64_t want,
		    const struct node *n, const char *key, const struct pval *pv, bool *present,
		    uint64_t *cur_out, bool dry)
{
	char path[4096], cur[VAL_MAX], v[64];
	uint64_t c;
	int r;

	r = pl_knob_current(P, dir, k, v2, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	*present = r == 1;
	if (r == 0)
		return 0;
	if (map_parse_limit(cur, &c) < 0)
		return cg_err_set(P->e, 0, "%s: unexpected value '%s'", path, cur);
	if (cur_out)
		*cur_out = c;
	want = map_round_bytes(want);
	if (dry || c == want)
		return 0;
	map_format_limit(want, v2, v, sizeof(v));
	return pl_write(P, path, v, cur, n, key, pv->line, pv->col);
}

static int memory_plan(struct planner *P, size_t h, size_t idx)
{
	const struct node *n = &P->nodes[idx];
	const struct memory_spec *m = &n->g->memory;
	bool v2 = P->w.h[h].v2, present;
	uint64_t max = pl_limit(&m->max), high = pl_limit(&m->high), swap, cur_memsw = 0;
	char dir[4096];

	pl_node_dir(P, h, n, dir, sizeof(dir));
	if (v2) {
		swap = pl_limit(&m->swap);
		if (mem_knob(P, dir, MK_MEM_MAX, true, max, n, "memory.max", &m->max, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_HIGH, true, high, n, "memory.high", &m->high, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_SWAP, true, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0)
			return -1;
		return 0;
	}
	/* v1 memsw limits memory + swap together, and must stay >= the limit */
	swap = max == MAP_UNLIMITED || pl_limit(&m->swap) == MAP_UNLIMITED ? MAP_UNLIMITED
									   : max + m->swap.v;
	if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present,
		     &cur_memsw, true) < 0)
		return -1;
	if (present && cur_memsw != MAP_UNLIMITED && map_round_bytes(max) > cur_memsw) {
		/* the limit rises above the current memsw (no limit included:
		 * MAP_UNLIMITED is above every number): memsw first */
		if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_MAX, false, max, n, "memory.max", &m->max, &present, NULL, false) < 0)
			return -1;
	} else {
		if (mem_knob(P, dir, MK_MEM_MAX, false, max, n, "memory.max", &m->max, &present, NULL, false) < 0)
			return -1;
		if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0)
			return -1;
	}
	return mem_knob(P, dir, MK_MEM_HIGH, false, high, n, "memory.high", &m->high, &present, NULL, false);
}


/* ---- show ---- */

static void show_memory(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2)
{
	uint64_t max, high, swap;

	if (!show_limit(rd, dir, MK_MEM_MAX, v2, &max))
		return;
	fprintf(out, "%*smemory:\n", ind, "");
	show_size(out, ind + 2, "max", max);
	if (show_limit(rd, dir, MK_MEM_HIGH, v2, &high))
		show_size(out, ind + 2, "high", high);
	if (show_limit(rd, dir, MK_MEM_SWAP, v2, &swap)) {
		/* v1 memsw is memory + swap */
		if (!v2 && swap != MAP_UNLIMITED)
			swap = max == MAP_UNLIMITED || swap < max ? 0 : swap - max;
		show_size(out, ind + 2, "swap", swap);
	}
}

const struct resource res_memory = {
	.name = "memory",
	.ctrl = CTRL_MEMORY,
	.check_files = memory_check_files,
	.plan = memory_plan,
	.show = show_memory,
};
