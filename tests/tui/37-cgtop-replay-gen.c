/* The history 37-cgtop-replay.sh replays, written with the history store's
 * writer (src/history): usage: gen DIR START_SECONDS SAMPLES INTERVAL_SECONDS NAME
 * The root and NAME-busy, a group using 20% of one cpu under a 20% cap with
 * 100M of memory under a 256M limit; NAME-wave goes from 0 to 80% and
 * back; one action recorded at the 10th sample. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

int main(int argc, char **argv)
{
	struct hist_writer *w;
	struct hist_opts o = {0};
	char busy[256], wave[256];
	unsigned long long start, n, iv;
	uint64_t cpu_busy = 0, cpu_wave = 0, cpu_root = 0;
	cg_err e = {0};

	if (argc != 6) {
		fprintf(stderr, "usage: %s DIR START_SECONDS SAMPLES INTERVAL_SECONDS NAME\n", argv[0]);
		return 2;
	}
	start = strtoull(argv[2], NULL, 10);
	n = strtoull(argv[3], NULL, 10);
	iv = strtoull(argv[4], NULL, 10);
	snprintf(busy, sizeof(busy), "%s-busy", argv[5]);
	snprintf(wave, sizeof(wave), "%s-wave", argv[5]);
	o.dir = argv[1];
	o.interval_us = iv * 1000000u;
	if (hist_writer_open(&w, &o, &e) < 0) {
		fprintf(stderr, "gen: %s\n", e.msg);
		return 1;
	}
	for (unsigned long long i = 0; i < n; i++) {
		struct hist_group g[3];
		uint64_t t = (start + i * iv) * 1000000u;
		unsigned long long k = i % 16;
		double wave_share = (k < 8 ? (double)k : (double)(16 - k)) / 10.0;   /* 0 .. 0.8 */

		memset(g, 0, sizeof(g));
		g[0].path = "";
		g[1].path = busy;
		g[2].path = wave;
		for (int j = 0; j < 3; j++) {
			g[j].s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM) | SV_BIT(SV_MEM_INACTIVE_FILE) |
				      SV_BIT(SV_MEM_LIMIT) | SV_BIT(SV_QUOTA_US) | SV_BIT(SV_PERIOD_US);
			g[j].s.v[SV_MEM_LIMIT] = STATS_UNLIMITED;
			g[j].s.v[SV_QUOTA_US] = STATS_UNLIMITED;
			g[j].s.v[SV_PERIOD_US] = 100000;
		}
		g[1].s.v[SV_CPU_NS] = cpu_busy;
		g[1].s.v[SV_MEM] = 100ull << 20;
		g[1].s.v[SV_MEM_LIMIT] = 256ull << 20;
		g[1].s.v[SV_QUOTA_US] = 20000;
		g[2].s.v[SV_CPU_NS] = cpu_wave;
		g[2].s.v[SV_MEM] = (10ull + 5 * k) << 20;
		g[0].s.v[SV_CPU_NS] = cpu_root;
		g[0].s.v[SV_MEM] = 1ull << 30;
		if (i == 10 && hist_write_event(w, t - 1, "{\"action\":\"cap\",\"group\":\"/replayed\"}", &e) < 0)
			break;
		if (hist_write_sample(w, t, g, 3, &e) < 0)
			break;
		/* what the next interval uses */
		cpu_busy += iv * 200000000ull;   /* 20% of one cpu */
		cpu_wave += (uint64_t)((double)iv * 1e9 * wave_share);
		cpu_root += iv * 1000000000ull;
	}
	hist_writer_close(w);
	if (e.msg[0]) {
		fprintf(stderr, "gen: %s\n", e.msg);
		return 1;
	}
	return 0;
}
