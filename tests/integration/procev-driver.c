/* A tiny command over the daemon's process events (src/daemon/procev.h),
 * for 30-daemon-procev.sh:
 *   procev-driver listen   subscribe, print "ready", then one line per exec
 *                          "exec PID LATENCY_NS" (the time from the kernel's
 *                          event to its reading here) until SIGTERM/SIGINT;
 *                          "lost N" when messages were dropped; at the end
 *                          "events N"
 *   procev-driver probe    "events" (exit 0), or "fallback: REASON" (exit 3):
 *                          what the daemon says once when it scans /proc
 *   procev-driver scan     the /proc scan: "PID PPID RUID COMM EXE" a line
 *   procev-driver psi DIR  opens a memory PSI trigger on DIR/memory.pressure
 *                          (some 100ms in 2s, the smallest window without
 *                          CAP_SYS_RESOURCE): "trigger" (exit 0)
 *   procev-driver measure REL   the group's measures (daemon/measure.h)
 * An error goes to stderr, exit 1. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "layout.h"
#include "measure.h"
#include "procev.h"
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int listen_events(void)
{
	struct procev_src *s;
	struct procev ev[256];
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long total = 0;
	cg_err e;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (procev_open(&s, 0, &e) < 0) {
		fprintf(stderr, "procev-driver: %s\n", e.msg);
		return 1;
	}
	printf("ready rcvbuf=%d\n", procev_rcvbuf(s));
	fflush(stdout);
	while (!stop) {
		struct pollfd p = { .fd = procev_fd(s), .events = POLLIN };
		bool lost;
		ssize_t n;

		if (poll(&p, 1, 200) < 0 && errno != EINTR)
			break;
		n = procev_read(s, ev, sizeof(ev) / sizeof(ev[0]), &lost, &e);
		if (n < 0) {
			fprintf(stderr, "procev-driver: %s\n", e.msg);
			procev_close(s);
			return 1;
		}
		if (lost)
			printf("lost %lu\n", procev_lost(s));
		for (ssize_t i = 0; i < n; i++) {
			total++;
			if (ev[i].type == PROCEV_EXEC && !ev[i].thread)
				printf("exec %d %llu\n", (int)ev[i].tgid,
				       (unsigned long long)(now_ns() - ev[i].ts_ns));
		}
		fflush(stdout);
	}
	printf("events %lu\n", total);
	procev_close(s);
	return 0;
}

static int probe(void)
{
	struct procev_src *s;
	cg_err e;

	if (procev_open(&s, 0, &e) < 0) {
		printf("fallback: scanning /proc instead: %s\n", e.msg);
		return 3;
	}
	printf("events\n");
	procev_close(s);
	return 0;
}

static int scan(void)
{
	struct procscan ps;
	cg_err e;

	if (procev_scan(&ps, PROCSCAN_UID | PROCSCAN_EXE, &e) < 0) {
		fprintf(stderr, "procev-driver: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < ps.n; i++)
		printf("%d %d %d %s %s\n", (int)ps.v[i].pid, (int)ps.v[i].ppid, (int)ps.v[i].ruid,
		       ps.v[i].comm, ps.v[i].exe ? ps.v[i].exe : "-");
	procscan_free(&ps);
	return 0;
}

static int psi(const char *dir)
{
	cg_err e;
	int fd = psi_trigger_open(dir, "memory", 100000, 2000000, &e);

	if (fd < 0) {
		fprintf(stderr, "procev-driver: %s\n", e.msg);
		return 1;
	}
	printf("trigger\n");
	close(fd);
	return 0;
}

static int measure(const char *rel)
{
	struct cg_layout l;
	struct measures m;
	cg_err e;

	if (cg_layout_detect(&l, &e) < 0 || measure_group(&l, rel, MEAS_ALL, &m, &e) < 0) {
		fprintf(stderr, "procev-driver: %s\n", e.msg);
		return 1;
	}
	printf("have=%u cpu_ns=%llu mem=%llu tasks=%llu io=%llu psi_mem=%llu\n", m.have,
	       (unsigned long long)m.cpu_ns, (unsigned long long)m.mem_bytes,
	       (unsigned long long)m.tasks, (unsigned long long)m.io_bytes,
	       (unsigned long long)m.psi_total_us[MEASURE_PSI_MEM]);
	cg_layout_free(&l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "psi"))
		return psi(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "measure"))
		return measure(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "listen"))
		return listen_events();
	if (argc == 2 && !strcmp(argv[1], "probe"))
		return probe();
	if (argc == 2 && !strcmp(argv[1], "scan"))
		return scan();
	fprintf(stderr, "usage: procev-driver listen|probe|scan|psi DIR|measure REL\n");
	return 1;
}
