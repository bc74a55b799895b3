/* The history store (src/history): what is written is read back equal
 * (values and have bits, across restarts, hour rotation, groups coming and
 * going, counter resets), torn and damaged segments never give a wrong
 * frame, keep/max prune whole old segments, one writer at a time, and the
 * size per group per sample on a realistic idle host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "history.h"
#include "history_fmt.h"
#include "history_int.h"

#define T0 1764547200000000ull   /* 2025-12-01 00:00:00 UTC */
#define SEC 1000000ull

static char *mkdtemp_dir(void)
{
	char *d = strdup("/tmp/cgkit-hist.XXXXXX");
	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_dir(char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	char p[512];

	if (dd) {
		while ((de = readdir(dd))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
			unlink(p);
		}
		closedir(dd);
	}
	rmdir(d);
	free(d);
}

static void test_round_trip_basic(void **state)
{
	(void)state;
	char *dir = mkdtemp_dir();
	struct hist_opts o = {.dir = dir, .interval_us = 5 * SEC};
	struct hist_writer *w;
	cg_err e = {0};
	struct hist_group g[2] = {{.path = ""}, {.path = "a/b"}};

	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	for (int i = 0; i < 3; i++) {
		g[0].s.v[SV_CPU_NS] = 1000000ull * i;
		g[0].s.v[SV_MEM_LIMIT] = STATS_UNLIMITED;
		g[0].s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM_LIMIT);
		g[1].s.v[SV_MEM] = 4096ull * (10 - i);
		g[1].s.have = SV_BIT(SV_MEM);
		if (i == 1)
			assert_int_equal(hist_write_event(w, T0 + i * 5 * SEC + 1, "{\"a\":1}\n", &e), 0);
		assert_int_equal(hist_write_sample(w, T0 + i * 5 * SEC, g, 2, &e), 0);
	}
	assert_true(hist_writer_bytes(w) > 0);
	hist_writer_close(w);

	struct hist_reader *r;
	struct hist_frame f;
	uint64_t a, b;
	assert_int_equal(hist_reader_open(&r, dir, &e), 0);
	hist_range(r, &a, &b);
	assert_true(a == T0 && b == T0 + 10 * SEC);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(hist_next(r, &f, &e), 1);
		assert_true(f.time_us == T0 + i * 5 * SEC);
		assert_int_equal(f.n, 2);
		assert_int_equal(f.interval_us, 5 * SEC);
		assert_string_equal(f.g[0].path, "");
		assert_string_equal(f.g[1].path, "a/b");
		assert_true(f.g[0].s.v[SV_CPU_NS] == 1000000ull * i);
		assert_true(f.g[0].s.v[SV_MEM_LIMIT] == STATS_UNLIMITED);
		assert_int_equal(f.g[0].s.have, SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM_LIMIT));
		assert_true(f.g[1].s.v[SV_MEM] == 4096ull * (10 - i));
		assert_int_equal(f.n_events, i == 1 ? 1 : 0);
		if (i == 1)
			assert_string_equal(f.events[0], "{\"a\":1}");
	}
	assert_int_equal(hist_next(r, &f, &e), 0);
	assert_int_equal(hist_prev(r, &f, &e), 1);
	assert_true(f.time_us == T0 + 10 * SEC);
	assert_int_equal(hist_prev(r, &f, &e), 1);
	assert_true(f.time_us == T0 + 5 * SEC);
	assert_true(f.g[1].s.v[SV_MEM] == 4096ull * 9);
	hist_reader_close(r);
	rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_basic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
