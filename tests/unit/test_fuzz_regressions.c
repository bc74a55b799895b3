/* Every input the fuzzers ever crashed on (tests/fuzz/regressions/ for the
 * profile parser, tests/fuzz/rules-regressions/ for cgkitd's rules parser)
 * goes through both parsers again under the normal build (and ASan in
 * `make asan`): it must come back, refused or parsed, and free cleanly.
 * The seed corpora go through too, and must also finish fast. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "profile.h"
#include "rules.h"

/* Timings are printed, never asserted: the machines are shared and noisy;
 * make bench shows the parser's speed on these inputs. */
static void top_path(char *out, size_t len, const char *rel)
{
	const char *me = __FILE__;
	const char *tail = strstr(me, "tests/unit/");
	int n = tail ? (int)(tail - me) : 0;

	snprintf(out, len, "%.*s%s", n, me, rel);
}

/* Feeds every file of the directory; returns how many. */
static int replay_dir(const char *rel)
{
	const struct profile_opts opts = {.host_ram = 8ULL << 30};
	const struct rules_opts ropts = {.host_ram = 8ULL << 30};
	char dir[4096];
	struct dirent *de;
	int count = 0;
	DIR *d;

	top_path(dir, sizeof(dir), rel);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[8192];
		struct diags diags;
		struct profile *p;
		struct rules *r;
		char *buf;
		long len;
		FILE *f;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "README", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		len = ftell(f);
		rewind(f);
		buf = malloc((size_t)len + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
		fclose(f);

		diags_init(&diags, path);
		p = profile_parse(buf, (size_t)len, path, &opts, &diags);
		/* either a profile or at least one error, never neither */
		assert_true(p != NULL || diags.errors > 0);
		profile_free(p);
		diags_init(&diags, path);
		r = rules_parse(buf, (size_t)len, path, &ropts, &diags);
		assert_true(r != NULL || diags.errors > 0);
		rules_free(r);
		free(buf);
		count++;
	}
	closedir(d);
	return count;
}

static void test_fuzz_regressions(void **state)
{
	int n;

	(void)state;
	n = replay_dir("tests/fuzz/regressions");
	print_message("%d regression input(s)\n", n);
	/* the rules parser's: none yet is fine, the directory must be there */
	print_message("%d rules regression input(s)\n",
		      replay_dir("tests/fuzz/rules-regressions"));
	/* the directory keeps every crash the fuzzer found (at least the one of
	 * the first wave): none replayed means the replay lost its inputs */
	assert_true(n >= 1);
}

static void test_fuzz_seed_corpus(void **state)
{
	(void)state;
	assert_true(replay_dir("tests/fuzz/corpus") >= 20);
	assert_true(replay_dir("tests/fuzz/rules-corpus") >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_fuzz_seed_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
