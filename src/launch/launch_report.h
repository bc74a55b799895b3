/* What cgrun reports when the workload ends: its exit status, the OOM
 * message, the --stats table. Pure: the counters come in as file texts. */
#ifndef CGKIT_LAUNCH_REPORT_H
#define CGKIT_LAUNCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* cgrun's exit status for a wait(2) status: the code, or 128+N for signal N. */
int launch_exit_code(int wstatus);

/* "cgrun: NAME: killed by the OOM killer: memory.max 64M reached" (the
 * limit omitted when unknown: limit == 0). */
void launch_oom_message(char *out, size_t len, const char *name, uint64_t limit);

struct launch_stats {
	double wall_s;
	bool has_cpu;
	double cpu_s;
	bool has_throttle;
	uint64_t periods, throttled;      /* of the group, during the launch */
	bool has_mem_peak;
	uint64_t mem_peak;
	bool has_oom;
	uint64_t oom_kills;
	bool has_pids_peak;
	uint64_t pids_peak;
};

/* The --stats table, one "name: value" a line. */
void launch_stats_print(const struct launch_stats *s, FILE *out);

#endif
