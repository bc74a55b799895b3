/* io: weight and per-device limits. The host check looks up each device's
 * numbers (a disk, not a partition, named once). The weight goes to the
 * CFQ-style file or BFQ's, whichever the host has (v2 in a group not made
 * yet: io.weight, else io.bfq.weight, decided by the kernel at the write);
 * device limits to v1's four throttle files or v2's io.max. File names:
 * mapping.c. */
#include <limits.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "plan_impl.h"

/* Device k of node i, looked up, is one an earlier entry names too (by
 * another path, a link, or its numbers): an error naming both places.
 * found[j]: entry j has its numbers (not a label, not a failed look-up).
 * Two lines for one device would undo each other on every other apply. */
static bool same_device_twice(struct planner *P, size_t i, size_t k, const bool *found)
{
	const struct io_spec *io = &P->nodes[i].g->io;
	const struct map_dev *m = &P->devnums[i][k];

	for (size_t j = 0; j < k; j++) {
		const struct io_device *a = &io->devices[j], *b = &io->devices[k];
		char key[200];

		if (!found[j] ||
		    P->devnums[i][j].major != m->major || P->devnums[i][j].minor != m->minor)
			continue;
		snprintf(key, sizeof(key), "%sio.devices[%zu].path", P->nodes[i].key, k);
		diags_error(P->d, b->path.line, b->path.col, key,
			    "%s (%u:%u) is the same device as %sio.devices[%zu] (\"%s\", at "
			    "%s:%d:%d): give each device one entry",
			    b->path.s, m->major, m->minor, P->nodes[i].key, j, a->path.s,
			    P->d->path, a->path.line, a->path.col);
		return true;
	}
	return false;
}

/* Looks up device k of node i: its numbers, or a label when the reader
 * must not look; a diagnostic when it is no whole disk or named twice.
 * found[k] is set when it has its numbers. */
static int check_device(struct planner *P, size_t i, size_t k, bool *found)
{
	const struct io_device *dv = &P->nodes[i].g->io.devices[k];
	struct map_dev *m = &P->devnums[i][k];
	char key[200], sys[96];

	snprintf(key, sizeof(key), "%sio.devices[%zu].path", P->nodes[i].key, k);
	if (dv->has_majmin) {
		m->major = dv->major;
		m->minor = dv->minor;
	} else if (!P->rd->blkdev) {
		if (asprintf(&P->devlabels[i][k], "<MAJ:MIN of %s>", dv->path.s) < 0)
			return pl_oom(P);
		return 0;
	} else if (P->rd->blkdev(P->rd->ctx, dv->path.s, &m->major, &m->minor) < 0) {
		if (errno == ENOTBLK)
			diags_error(P->d, dv->path.line, dv->path.col, key,
				    "%s is not a block device; name a disk like /dev/vda, "
				    "or give \"MAJ:MIN\"", dv->path.s);
		else
			diags_error(P->d, dv->path.line, dv->path.col, key,
				    "%s: %s; name a block device like /dev/vda, or give "
				    "\"MAJ:MIN\"", dv->path.s, strerror(errno));
		return 0;
	}
	if (same_device_twice(P, i, k, found))
		return 0;
	found[k] = true;
	if (P->blind)
		return 0;
	/* the kernel limits whole disks, not partitions */
	map_blk_file(m->major, m->minor, MAP_BLK_PARTITION, sys, sizeof(sys));
	if (P->rd->exists(P->rd->ctx, sys))
		diags_error(P->d, dv->path.line, dv->path.col, key,
			    "%s (%u:%u) is a partition; io limits apply to a whole "
			    "disk: name the disk it is on", dv->path.s, m->major, m->minor);
	return 0;
}

/* Looks up every io device: numbers from "MAJ:MIN" or from the node. */
static int io_check_values(struct planner *P)
{
	P->devnums = calloc(P->n_nodes, sizeof(struct map_dev *));
	P->devlabels = calloc(P->n_nodes, sizeof(*P->devlabels));
	if (!P->devnums || !P->devlabels)
		return pl_oom(P);
	for (size_t i = 0; i < P->n_nodes; i++) {
		const struct io_spec *io = &P->nodes[i].g->io;

		if (!io->present || !io->n_devices)
			continue;
		_cleanup_free_ bool *found = calloc(io->n_devices, sizeof(*found));

		P->devnums[i] = calloc(io->n_devices, sizeof(struct map_dev));
		P->devlabels[i] = calloc(io->n_devices, sizeof(*P->devlabels[i]));
		if (!P->devnums[i] || !P->devlabels[i] || !found)
			return pl_oom(P);
		for (size_t k = 0; k < io->n_devices; k++)
			if (check_device(P, i, k, found) < 0)
				return -1;
	}
	return 0;
}

/* Which file carries io weight in hierarchy h: the CFQ-style one or BFQ's.
 * *alt is set when only the kernel can tell (v2, nothing made yet). */
static enum map_knob io_weight_probe(struct planner *P, size_t h, bool *alt, bool *none);

static enum map_knob io_weight_knob(struct planner *P, size_t h, bool *alt, bool *none)
{
	if (!P->iow[h].known) {
		P->iow[h].k = io_weight_probe(P, h, &P->iow[h].alt, &P->iow[h].none);
		P->iow[h].known = true;
	}
	*alt = P->iow[h].alt;
	*none = P->iow[h].none;
	return P->iow[h].k;
}

static enum map_knob io_weight_probe(struct planner *P, size_t h, bool *alt, bool *none)
{
	bool v2 = P->w.h[h].v2;
	const char *w = map_file(MK_IO_WEIGHT, v2), *b = map_file(MK_IO_BFQ_WEIGHT, v2);
	char dir[4096], path[4096];

	*alt = *none = false;
	if (P->blind)
		return MK_IO_WEIGHT;
	/* the group, or its nearest ancestor that is not the root (the root
	 * group has no weight file) */
	snprintf(dir, sizeof(dir), "%s/%s", P->w.h[h].base, P->nodes[0].rel);
	while (strlen(dir) > strlen(P->w.h[h].mount)) {
		if (!pl_ask_dir(P, dir)) {   /* not made yet: no files to look at */
			*strrchr(dir, '/') = '\0';
			continue;
		}
		pl_join(path, sizeof(path), dir, w);
		if (P->rd->exists(P->rd->ctx, path))
			return MK_IO_WEIGHT;
		pl_join(path, sizeof(path), dir, b);
		if (P->rd->exists(P->rd->ctx, path))
			return MK_IO_BFQ_WEIGHT;
		*strrchr(dir, '/') = '\0';
	}
	/* the root: CFQ showed blkio.weight there; BFQ only its statistics;
	 * v2's io.cost.qos says io.weight works */
	pl_join(path, sizeof(path), P->w.h[h].mount, v2 ? map_file(MK_IO_COST_QOS, true) : w);
	if (P->rd->exists(P->rd->ctx, path))
		return MK_IO_WEIGHT;
	if (v2) {
		*alt = true;
		return MK_IO_WEIGHT;
	}
	pl_join(path, sizeof(path), P->w.h[h].mount, map_file(MK_IO_BFQ_STATS, false));
	if (P->rd->exists(P->rd->ctx, path))
		return MK_IO_BFQ_WEIGHT;
	*none = true;
	return MK_IO_WEIGHT;
}

/* A weight needs a file to go to. */
static int io_check_files(struct planner *P)
{
	int ii = pl_hier(P, CTRL_IO);
	bool alt, none;

	if (ii < 0)
		return 0;
	io_weight_knob(P, (size_t)ii, &alt, &none);
	for (size_t i = 0; none && i < P->n_nodes; i++) {
		const struct pval *w = &P->nodes[i].g->io.weight;
		char key[200];

		if (!w->set)
			continue;
		snprintf(key, sizeof(key), "%sio.weight", P->nodes[i].key);
		diags_error(P->d, w->line, w->col, key,
			    "this host has neither %s nor %s (load the bfq I/O scheduler), so io "
			    "weight cannot be set; remove io.weight",
			    map_file(MK_IO_WEIGHT, false), map_file(MK_IO_BFQ_WEIGHT, false));
	}
	return 0;
}

static int io_weight(struct planner *P, size_t h, const struct node *n)
{
	const struct pval *w = &n->g->io.weight;
	bool v2 = P->w.h[h].v2, alt, none;
	enum map_knob k = io_weight_knob(P, h, &alt, &none);
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	uint64_t want, c;
	int r;

	if (none)
		return 0;
	pl_node_dir(P, h, n, dir, sizeof(dir));
	r = pl_knob_current(P, dir, k, v2, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r == 0)   /* this group has no such file: the other one, then */
		return 0;
	/* unset: the kernel's default, which is where 100 maps */
	want = map_io_weight_to(k, v2, w->set ? w->v : 100);
	if (map_parse_weight(cur, &c) == 0 && c == want)
		return 0;
	snprintf(v, sizeof(v), v2 ? "default %" PRIu64 : "%" PRIu64, want);
	if (pl_write(P, path, v, cur, n, "io.weight", w->line, w->col) < 0)
		return -1;
	if (alt) {
		struct plan_op *op = &P->pl->ops[P->pl->n - 1];
		uint64_t b = map_io_weight_to(MK_IO_BFQ_WEIGHT, true, w->set ? w->v : 100);

		pl_join(path, sizeof(path), dir, map_file(MK_IO_BFQ_WEIGHT, true));
		snprintf(v, sizeof(v), "default %" PRIu64, b);
		op->alt_path = strdup(path);
		op->alt_value = strdup(v);
		if (!op->alt_path || !op->alt_value)
			return pl_oom(P);
	}
	return 0;
}

/* The devices the profile wants, in its order (entry i is devices[i]), then
 * those the group has limits for now but the profile no longer lists. */
static int io_devs(struct planner *P, size_t idx, struct map_devs *want)
{
	const struct io_spec *io = &P->nodes[idx].g->io;

	want->d = calloc(io->n_devices + 1, sizeof(*want->d));
	if (!want->d)
		return pl_oom(P);
	for (size_t k = 0; k < io->n_devices; k++) {
		const struct io_device *dv = &io->devices[k];
		struct map_dev *d = &want->d[want->n++];

		d->major = P->devnums[idx][k].major;
		d->minor = P->devnums[idx][k].minor;
		d->v[MAP_RBPS] = pl_limit(&dv->read_bps);
		d->v[MAP_WBPS] = pl_limit(&dv->write_bps);
		d->v[MAP_RIOPS] = pl_limit(&dv->read_iops);
		d->v[MAP_WIOPS] = pl_limit(&dv->write_iops);
	}
	return 0;
}

static const struct pval *dev_pval(const struct io_device *dv, int which)
{
	switch (which) {
	case MAP_RBPS: return &dv->read_bps;
	case MAP_WBPS: return &dv->write_bps;
	case MAP_RIOPS: return &dv->read_iops;
	default: return &dv->write_iops;
	}
}

static const char *const dev_keys[MAP_NDEV] = { "read_bps", "write_bps", "read_iops", "write_iops" };

static const char *dev_label(const struct planner *P, size_t idx, size_t i)
{
	return i < P->nodes[idx].g->io.n_devices ? P->devlabels[idx][i] : NULL;
}

static const struct io_device *dev_spec(const struct planner *P, size_t idx, size_t i)
{
	const struct io_spec *io = &P->nodes[idx].g->io;

	return i < io->n_devices ? &io->devices[i] : NULL;
}

/* Appends the current devices that want lacks. */
static int merge_current(struct planner *P, struct map_devs *want, const struct map_devs *cur)
{
	for (size_t i = 0; i < cur->n; i++)
		if (!map_devs_get(want, cur->d[i].major, cur->d[i].minor))
			return pl_oom(P);
	return 0;
}

static int io_devices_v1(struct planner *P, size_t h, size_t idx, struct map_devs *want)
{
	const struct node *n = &P->nodes[idx];
	struct map_devs cur = { 0 };
	char dir[4096], path[4096], text[VAL_MAX], v[256], old[256], key[64];
	int rc = -1;

	pl_node_dir(P, h, n, dir, sizeof(dir));
	for (int w = 0; w < MAP_NDEV; w++) {
		int r;

		pl_join(path, sizeof(path), dir, map_file(map_v1_dev_knob(w), false));
		r = pl_current(P, path, "", text, sizeof(text));
		if (r < 0)
			goto out;
		if (r && map_devs_add_v1(&cur, w, text) < 0) {
			cg_err_set(P->e, 0, "%s: unexpected content '%s'", path, text);
			goto out;
		}
	}
	if (merge_current(P, want, &cur) < 0)
		goto out;
	for (int w = 0; w < MAP_NDEV; w++) {
		pl_join(path, sizeof(path), dir, map_file(map_v1_dev_knob(w), false));
		for (size_t i = 0; i < want->n; i++) {
			const struct map_dev *d = &want->d[i];
			const char *label = dev_label(P, idx, i);
			struct map_dev *c = label ? NULL : map_devs_get(&cur, d->major, d->minor);
			const struct io_device *dv = dev_spec(P, idx, i);
			const struct pval *pv = dv ? dev_pval(dv, w) : NULL;
			uint64_t was = c ? c->v[w] : MAP_UNLIMITED;

			if (!label && !c) {
				pl_oom(P);
				goto out;
			}
			if (was == d->v[w])
				continue;
			map_format_v1_dev(d, w, label, v, sizeof(v));
			if (c)
				map_format_v1_dev(c, w, NULL, old, sizeof(old));
			snprintf(key, sizeof(key), "io.devices[%zu].%s", i, dev_keys[w]);
			if (pl_write(P, path, v, c ? old : NULL, n, dv ? key : "io.devices",
				       pv && pv->set ? pv->line : 0, pv && pv->set ? pv->col : 0) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	map_devs_free(&cur);
	return rc;
}

static int io_devices_v2(struct planner *P, size_t h, size_t idx, struct map_devs *want)
{
	const struct node *n = &P->nodes[idx];
	struct map_devs cur = { 0 };
	char dir[4096], path[4096], text[VAL_MAX], v[256], old[256], key[64];
	int r, rc = -1;

	pl_node_dir(P, h, n, dir, sizeof(dir));
	pl_join(path, sizeof(path), dir, map_file(MK_IO_MAX, true));
	r = pl_current(P, path, "", text, sizeof(text));
	if (r < 0)
		return -1;
	if (r && map_devs_add_io_max(&cur, text) < 0) {
		cg_err_set(P->e, 0, "%s: unexpected content '%s'", path, text);
		goto out;
	}
	if (merge_current(P, want, &cur) < 0)
		goto out;
	for (size_t i = 0; i < want->n; i++) {
		const struct map_dev *d = &want->d[i];
		const char *label = dev_label(P, idx, i);
		struct map_dev *c = label ? NULL : map_devs_get(&cur, d->major, d->minor);
		const struct io_device *dv = dev_spec(P, idx, i);
		struct map_dev none = *d;

		if (!label && !c) {
			pl_oom(P);
			goto out;
		}
		for (int w = 0; w < MAP_NDEV; w++)
			none.v[w] = MAP_UNLIMITED;
		if (!memcmp((c ? c : &none)->v, d->v, sizeof(d->v)))
			continue;
		map_format_io_max(d, label, v, sizeof(v));
		if (c)
			map_format_io_max(c, NULL, old, sizeof(old));
		snprintf(key, sizeof(key), "io.devices[%zu]", i);
		if (pl_write(P, path, v, c ? old : NULL, n, dv ? key : "io.devices",
			       dv ? dv->line : 0, dv ? dv->col : 0) < 0)
			goto out;
	}
	rc = 0;
out:
	map_devs_free(&cur);
	return rc;
}

static int io_plan(struct planner *P, size_t h, size_t idx)
{
	struct map_devs want = { 0 };
	int rc;

	if (io_weight(P, h, &P->nodes[idx]) < 0 || io_devs(P, idx, &want) < 0) {
		map_devs_free(&want);
		return -1;
	}
	rc = P->w.h[h].v2 ? io_devices_v2(P, h, idx, &want) : io_devices_v1(P, h, idx, &want);
	map_devs_free(&want);
	return rc;
}


/* ---- show ---- */

/* "/dev/vda" for 254:0 when rd finds that device node, else "254:0". */
static void dev_name(const struct cg_reader *rd, unsigned maj, unsigned min, char *out,
		     size_t len)
{
	char path[96], uevent[VAL_MAX], node[PATH_MAX];
	unsigned a, b;

	snprintf(out, len, "\"%u:%u\"", maj, min);
	if (!rd->blkdev)
		return;
	map_blk_file(maj, min, MAP_BLK_UEVENT, path, sizeof(path));
	if (rd->read(rd->ctx, path, uevent, sizeof(uevent)) < 0 ||
	    map_blk_devnode(uevent, node, sizeof(node)) < 0)
		return;
	if (rd->blkdev(rd->ctx, node, &a, &b) == 0 && a == maj && b == min)
		snprintf(out, len, "%s", node);
}

static void show_io(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2)
{
	static const char *const keys[MAP_NDEV] = { "read_bps", "write_bps", "read_iops", "write_iops" };
	struct map_devs ds = { 0 };
	char buf[8192];
	uint64_t w;
	bool any = false;

	if (show_get(rd, dir, map_file(MK_IO_WEIGHT, v2), buf, sizeof(buf)) && map_parse_weight(buf, &w) == 0) {
		fprintf(out, "%*sio:\n%*sweight: %" PRIu64 "\n", ind, "", ind + 2, "",
			map_io_weight_from(MK_IO_WEIGHT, v2, w));
		any = true;
	} else if (show_get(rd, dir, map_file(MK_IO_BFQ_WEIGHT, v2), buf, sizeof(buf)) &&
		   map_parse_weight(buf, &w) == 0) {
		fprintf(out, "%*sio:\n%*sweight: %" PRIu64 "   # %s %" PRIu64 "\n", ind, "", ind + 2, "",
			map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, w), map_file(MK_IO_BFQ_WEIGHT, v2), w);
		any = true;
	}
	if (v2) {
		if (show_get(rd, dir, map_file(MK_IO_MAX, true), buf, sizeof(buf)))
			map_devs_add_io_max(&ds, buf);
	} else {
		for (int k = 0; k < MAP_NDEV; k++)
			if (show_get(rd, dir, map_file(map_v1_dev_knob(k), false), buf, sizeof(buf)))
				map_devs_add_v1(&ds, k, buf);
	}
	if (ds.n && !any)
		fprintf(out, "%*sio:\n", ind, "");
	if (ds.n)
		fprintf(out, "%*sdevices:\n", ind + 2, "");
	for (size_t i = 0; i < ds.n; i++) {
		char name[PATH_MAX + 16];

		dev_name(rd, ds.d[i].major, ds.d[i].minor, name, sizeof(name));
		fprintf(out, "%*s- path: %s\n", ind + 4, "", name);
		for (int k = 0; k < MAP_NDEV; k++) {
			if (ds.d[i].v[k] == MAP_UNLIMITED)
				continue;
			if (k == MAP_RBPS || k == MAP_WBPS)
				show_size(out, ind + 6, keys[k], ds.d[i].v[k]);
			else
				fprintf(out, "%*s%s: %" PRIu64 "\n", ind + 6, "", keys[k], ds.d[i].v[k]);
		}
	}
	map_devs_free(&ds);
}

const struct resource res_io = {
	.name = "io",
	.ctrl = CTRL_IO,
	.check_values = io_check_values,
	.check_files = io_check_files,
	.plan = io_plan,
	.show = show_io,
};
