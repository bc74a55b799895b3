/* The profile's limits (cpu, memory, io, cpuset, pids): the sections of a
 * group that cgkitd's penalties and users' limits hold too. Private to
 * src/profile/: profile.c's table of a group's keys names these walks. */
#ifndef CGKIT_PROFILE_LIMITS_H
#define CGKIT_PROFILE_LIMITS_H

#include "profile.h"
#include "walk.h"

/* The sections, as rows of a group's table of keys (walk.h): each reads
 * mapping m into the section's spec at f, and, but for a partial walk,
 * makes the checks between its keys. */
void limits_walk_cpu(struct walker *w, const struct node *k, const struct node *m, void *f);
void limits_walk_memory(struct walker *w, const struct node *k, const struct node *m, void *f);
void limits_walk_io(struct walker *w, const struct node *k, const struct node *m, void *f);
void limits_walk_cpuset(struct walker *w, const struct node *k, const struct node *m, void *f);
void limits_walk_pids(struct walker *w, const struct node *k, const struct node *m, void *f);

/* The checks between keys, for a group made in code (profile_walk_checks). */
void limits_check_cpu(struct walker *w, const struct cpu_spec *c);
void limits_check_memory(struct walker *w, const struct memory_spec *mem,
			 const struct node *swap_key);

#endif
