/* What cgrun reports when the workload ends (see launch_report.h). */
#include "launch_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "launch.h"
#include "units.h"

int launch_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return CGRUN_EXIT_FAIL;
}

void launch_oom_message(char *out, size_t len, const char *name, uint64_t limit)
{
	char sz[32];

	if (limit == 0 || limit == UNIT_MAX) {
		snprintf(out, len, "cgrun: %s: killed by the OOM killer", name);
		return;
	}
	unit_format_size(limit, sz, sizeof(sz));
	snprintf(out, len, "cgrun: %s: killed by the OOM killer: memory.max %s reached", name, sz);
}

void launch_stats_print(const struct launch_stats *s, FILE *out)
{
	fprintf(out, "cgrun: stats:\n");
	fprintf(out, "  wall time:       %.3f s\n", s->wall_s);
	if (s->has_cpu)
		fprintf(out, "  cpu time:        %.3f s (%.1f%% of one cpu)\n", s->cpu_s,
			s->wall_s > 0 ? 100.0 * s->cpu_s / s->wall_s : 0.0);
	else
		fprintf(out, "  cpu time:        unknown\n");
	if (s->has_throttle && s->periods)
		fprintf(out, "  throttled:       %.1f%% of %" PRIu64 " periods\n",
			100.0 * (double)s->throttled / (double)s->periods, s->periods);
	else if (s->has_throttle)
		fprintf(out, "  throttled:       0 periods\n");
	else
		fprintf(out, "  throttled:       unknown (no cpu limit)\n");
	if (s->has_mem_peak) {
		fprintf(out, "  memory peak:     %.1f MiB\n", (double)s->mem_peak / (1024.0 * 1024.0));
	} else {
		fprintf(out, "  memory peak:     unknown\n");
	}
	if (s->has_oom)
		fprintf(out, "  oom kills:       %" PRIu64 "\n", s->oom_kills);
	else
		fprintf(out, "  oom kills:       unknown\n");
	if (s->has_pids_peak)
		fprintf(out, "  pids peak:       %" PRIu64 "\n", s->pids_peak);
	else
		fprintf(out, "  pids peak:       unknown\n");
}
