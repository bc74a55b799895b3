/* The table of resources, crun-style: one entry per profile section (cpu,
 * memory, io, cpuset, pids), each in its own src/res_NAME.c with its host
 * checks, its planning and its show. The planner (plan.c) and show (show.c)
 * walk the table instead of calling each resource by hand. */
#ifndef CGKIT_RESOURCE_H
#define CGKIT_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layout.h"
#include "mapping.h"
#include "reader.h"

struct planner;   /* plan_impl.h */

struct resource {
	const char *name;        /* the profile section */
	enum cg_ctrl ctrl;       /* the controller it needs */
	/* Host checks, into the planner's diagnostics with the profile's
	 * line:column: first the values a profile names (cpus and mems
	 * online, disks real; io keeps the device numbers for planning), then
	 * the files its knobs need (swap accounting, a weight file). NULL:
	 * none. Returns -1 only on a failure that is not the profile's. */
	int (*check_values)(struct planner *P);
	int (*check_files)(struct planner *P);
	/* Phase 2, before any group's knobs: top-down relaxing writes in
	 * hierarchy h (v1 cpu quotas, v1 cpusets). NULL: none. */
	int (*prepare)(struct planner *P, size_t h);
	/* Phase 3: the knobs of node idx, which has a section for it. */
	int (*plan)(struct planner *P, size_t h, size_t idx);
	/* Phase 4, after every group's knobs: bottom-up (v1 cpusets shrink). */
	int (*finish)(struct planner *P, size_t h);
	/* Prints the section of the group in dir as rd reads it, in profile
	 * terms, indented by ind; nothing when it cannot be read. */
	void (*show)(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2);
};

extern const struct resource res_cpu, res_memory, res_io, res_cpuset, res_pids;
/* Every resource, NULL-terminated, in the order the planner writes each
 * group's knobs and show prints them (plan.c). */
extern const struct resource *const resources[];

/* For the show hooks (show.c): dir/file as rd reads it, newline cut, or
 * NULL when it cannot be read; a knob's limit ("max", "-1", a number);
 * a size in profile terms ("max", "256M"). */
char *show_get(const struct cg_reader *rd, const char *dir, const char *file, char *buf,
	       size_t len);
bool show_limit(const struct cg_reader *rd, const char *dir, enum map_knob k, bool v2,
		uint64_t *v);
void show_size(FILE *out, int ind, const char *key, uint64_t v);

#endif
