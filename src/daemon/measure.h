/* A user's group as the daemon measures it: the group's own counters (one
 * small read each, whatever the number of processes), through mapping.h's
 * read side; and the kernel's PSI triggers on cgroup v2.
 *
 * Rates (cpu, io, pressure) come as cumulative counters: the caller keeps
 * the previous sample and averages the growth over its window. */
#ifndef CGKIT_MEASURE_H
#define CGKIT_MEASURE_H

#include <stdint.h>

#include "err.h"
#include "layout.h"

enum measure_psi { MEASURE_PSI_CPU, MEASURE_PSI_MEM, MEASURE_PSI_IO, MEASURE_PSI_COUNT };

enum {
	MEAS_CPU = 1,        /* cpu_ns */
	MEAS_MEM = 2,        /* mem_bytes */
	MEAS_TASKS = 4,      /* tasks */
	MEAS_IO = 8,         /* io_bytes */
	MEAS_PSI = 16,       /* psi_*[] (cgroup v2; each resource's own bit below) */
	MEAS_ALL = 31,
};
#define MEAS_PSI_BIT(r) (32u << (r))   /* in `have`: pressure of resource r was read */

struct measures {
	unsigned have;              /* MEAS_* (and MEAS_PSI_BIT) that were read */
	uint64_t cpu_ns;            /* cpu used, cumulative */
	uint64_t mem_bytes;         /* memory in use less inactive file cache */
	uint64_t mem_usage;         /* (with MEAS_MEM) all the memory charged, page cache too */
	uint64_t tasks;             /* processes + threads (pids.current) */
	uint64_t io_bytes;          /* bytes read + written, cumulative */
	uint64_t psi_avg10[MEASURE_PSI_COUNT];     /* "some" avg10, hundredths of a percent */
	uint64_t psi_total_us[MEASURE_PSI_COUNT];  /* "some" total stall, cumulative */
};

/* Reads what `want` asks (MEAS_*) of the group rel (relative to the
 * hierarchies' roots: "cgkit/users/alice") in each hierarchy that holds
 * the counter. A counter the host lacks (no pids controller, v1 pressure)
 * is left out of `have`, not an error. With no pids controller, tasks are
 * the group's threads counted (recursive). -1 (ENOENT) when the group is
 * in none of them. */
int measure_group(const struct cg_layout *l, const char *rel, unsigned want, struct measures *out,
		  cg_err *e);
/* The same for a group given by its directory in each hierarchy (dirs,
 * absolute): a group below the caller's own group sits at a different
 * path in each hierarchy when the caller's groups differ. */
int measure_group_dirs(const struct cg_layout *l, char *const *dirs, size_t n, unsigned want,
		       struct measures *out, cg_err *e);

/* A PSI trigger on dir's RESOURCE.pressure (cgroup v2; "cpu", "memory",
 * "io"): the kernel wakes poll() with POLLPRI when the group stalled
 * (some) for stall_us within a window of window_us (500 ms .. 10 s;
 * without CAP_SYS_RESOURCE, a multiple of 2 s), at most once per window; POLLERR when
 * the group is gone. Returns the fd (close it to remove the trigger), or
 * -1: ENOENT when the file is absent (v1, PSI off), EINVAL for a window out
 * of range. */
int psi_trigger_open(const char *dir, const char *resource, unsigned stall_us, unsigned window_us,
		     cg_err *e);

#endif
