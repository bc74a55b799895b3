/* Show: a live group read back in profile terms (`cgrun --show`), through a
 * struct cg_reader so that it runs against a fake tree in a unit test. */
#ifndef CGKIT_SHOW_H
#define CGKIT_SHOW_H

#include <stdio.h>

#include "err.h"
#include "layout.h"
#include "mapping.h"
#include "profile.h"
#include "reader.h"

/* Prints the values of p's group and its children, found where w says, as
 * rd reads them: YAML, one key a line, each section by its resource
 * (resource.h). -1 with ENOENT when the group is in no hierarchy. */
int show_groups(const struct profile *p, const struct cg_layout *l, const struct map_where *w,
		const struct cg_reader *rd, FILE *out, cg_err *e);

#endif
