/* The host's own figures for cgtop's header: cpu busy share (from the
 * first line of /proc/stat), memory in use, load averages. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

static void read_cpu(struct stats_host *h)
{
	char buf[512];
	unsigned long long v[10] = {0};
	uint64_t busy, total = 0;

	if (sys_read_file("/proc/stat", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 4) {
		h->cpu_pct = NAN;
		return;
	}
	/* guest time is already counted in user time */
	for (int i = 0; i < 8; i++)
		total += v[i];
	busy = total - v[3] - v[4];   /* minus idle and iowait */
	if (h->prev_total && total > h->prev_total && busy >= h->prev_busy)
		h->cpu_pct = 100.0 * (double)(busy - h->prev_busy) / (double)(total - h->prev_total);
	else
		h->cpu_pct = NAN;
	h->prev_busy = busy;
	h->prev_total = total;
}

static void read_mem(struct stats_host *h)
{
	char buf[4096];
	unsigned long long total = 0, avail = 0;
	const char *p;

	h->mem_total = h->mem_used = 0;
	if (sys_read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return;
	p = strstr(buf, "MemTotal:");
	if (p)
		sscanf(p, "MemTotal: %llu", &total);
	p = strstr(buf, "MemAvailable:");
	if (p)
		sscanf(p, "MemAvailable: %llu", &avail);
	h->mem_total = total * 1024;
	h->mem_used = total > avail ? (total - avail) * 1024 : 0;
}

void stats_host_read(struct stats_host *h)
{
	char buf[256];
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	h->ncpu = n > 0 ? (unsigned)n : 1;
	read_cpu(h);
	read_mem(h);
	h->load[0] = h->load[1] = h->load[2] = NAN;
	if (sys_read_file("/proc/loadavg", buf, sizeof(buf)) >= 0)
		sscanf(buf, "%lf %lf %lf", &h->load[0], &h->load[1], &h->load[2]);
}
