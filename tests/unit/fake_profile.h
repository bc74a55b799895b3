/* Helpers shared by the planner's and the engine's unit tests: a profile
 * from YAML text, plan options pointing at the fake tree's online files, and
 * a standard layout over a fresh fake tree. Defined in fakecg.c. */
#ifndef CGKIT_TEST_FAKE_PROFILE_H
#define CGKIT_TEST_FAKE_PROFILE_H

#include "plan.h"
#include "profile.h"

/* The profile of YAML text; fails the test when it does not parse. */
struct profile *prof(const char *yaml);
/* Plan options whose online cpus and mems are the fake tree's files. */
struct plan_opts opts(void);
/* A fresh fake tree (v1 or v2) and the standard layout over it. */
void layout(bool v2, struct cg_layout *l);

#endif
