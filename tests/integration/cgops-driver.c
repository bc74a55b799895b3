/* A tiny command over the cgroup-operations layer (src/cgroup/cgops.h), for
 * 13-cgops.sh to drive it on real cgroups:
 *   cgops-driver OP [ARG...] -- HIER...
 * HIER is v1:MOUNT:CTRL:DIR or v2:MOUNT:-:DIR (one per hierarchy).
 * OP: list [threads] [recursive] | move PID [tree] [rollback] [start=N] |
 *     freeze | thaw | frozen | signal SIG | kill | remove | children
 * Prints the result on stdout; an error on stderr and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgops.h"

#define TIMEOUT_MS 3000

static int parse_hier(char *spec, struct cg_hdir *h)
{
	char *ver = strtok(spec, ":"), *mount = strtok(NULL, ":"), *ctrl = strtok(NULL, ":"),
	     *dir = strtok(NULL, "");

	if (!ver || !mount || !ctrl || !dir)
		return -1;
	h->v2 = !strcmp(ver, "v2");
	h->mount = mount;
	h->ctrl = strcmp(ctrl, "-") ? ctrl : NULL;
	h->dir = dir;
	return 0;
}

static bool has(char **args, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(args[i], word))
			return true;
	return false;
}

static int run(const char *op, char **args, int nargs, const struct cg_dirs *g, cg_err *e)
{
	if (!strcmp(op, "list")) {
		struct cg_ids ids = { 0 };
		unsigned f = (has(args, nargs, "threads") ? CG_LIST_THREADS : 0) |
			     (has(args, nargs, "recursive") ? CG_LIST_RECURSIVE : 0);

		if (cg_procs_list(g, f, &ids, e) < 0)
			return -1;
		for (size_t i = 0; i < ids.n; i++)
			printf("%d\n", (int)ids.v[i]);
		cg_ids_free(&ids);
		return 0;
	}
	if (!strcmp(op, "move") && nargs >= 1) {
		struct cg_proc p = { .pid = atoi(args[0]) };
		unsigned f = (has(args, nargs, "tree") ? CG_MOVE_DESCENDANTS : 0) |
			     (has(args, nargs, "rollback") ? CG_MOVE_ROLLBACK : 0);
		int n;

		for (int i = 1; i < nargs; i++)
			if (!strncmp(args[i], "start=", 6))
				p.start = strtoull(args[i] + 6, NULL, 10);
		n = cg_move_process(g, &p, f, e);
		if (n < 0)
			return -1;
		printf("moved %d\n", n);
		return 0;
	}
	if (!strcmp(op, "freeze"))
		return cg_freeze(g, TIMEOUT_MS, e);
	if (!strcmp(op, "thaw"))
		return cg_thaw(g, TIMEOUT_MS, e);
	if (!strcmp(op, "frozen")) {
		int st = cg_frozen(g, e);

		if (st < 0)
			return -1;
		printf("%d\n", st);
		return 0;
	}
	if (!strcmp(op, "signal") && nargs >= 1) {
		struct cg_signal_count c;

		if (cg_signal_all(g, atoi(args[0]), CG_LIST_RECURSIVE, &c, e) < 0)
			return -1;
		printf("sent %zu gone %zu denied %zu\n", c.sent, c.gone, c.denied);
		return 0;
	}
	if (!strcmp(op, "kill"))
		return cg_kill_all(g, TIMEOUT_MS, e);
	if (!strcmp(op, "remove"))
		return cg_remove_group(g, TIMEOUT_MS, e);
	if (!strcmp(op, "children")) {
		char **names;
		size_t n;

		if (cg_children(g->h[0].dir, &names, &n, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
		cg_names_free(names);
		return 0;
	}
	return cg_err_set(e, EINVAL, "unknown operation or missing argument: %s", op);
}

int main(int argc, char **argv)
{
	struct cg_dirs g = { 0 };
	cg_err e = { 0 };
	int sep = 2;

	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (argc < 2 || sep >= argc - 1) {
		fprintf(stderr, "usage: %s OP [ARG...] -- v1:MOUNT:CTRL:DIR|v2:MOUNT:-:DIR...\n", argv[0]);
		return 2;
	}
	for (int i = sep + 1; i < argc && g.n < CG_MAX_HIER; i++)
		if (parse_hier(argv[i], &g.h[g.n++]) < 0) {
			fprintf(stderr, "%s: bad hierarchy %s\n", argv[0], argv[i]);
			return 2;
		}
	if (run(argv[1], argv + 2, sep - 2, &g, &e) < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], e.msg);
		return 1;
	}
	return 0;
}
