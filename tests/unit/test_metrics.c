/* cgkitd's /metrics, its pure parts: the loop's counts (src/daemon/
 * metrics_tally.c: per rule, by the log's action names, kept across a
 * reload, copied whole) and the listen address (metrics_conf.c: numeric
 * IPv4 or bracketed IPv6 and a port; the file's errors at their place). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "metrics.h"

static void test_tally(void **state)
{
	struct metrics_tally t = {0}, c = {0};

	(void)state;
	assert_int_equal(metrics_action_index("cap"), MA_CAP);
	assert_int_equal(metrics_action_index("forgive"), MA_FORGIVE);
	assert_int_equal(metrics_action_index("would-cap"), -1);
	assert_int_equal(metrics_action_index(NULL), -1);
	/* a rule is there before its first offence (action NULL) */
	assert_int_equal(metrics_tally_action(&t, "hog", NULL, false), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].offences, 0);
	assert_int_equal(metrics_tally_action(&t, "hog", "cap", true), 0);
	assert_int_equal(metrics_tally_action(&t, "hog", "release", false), 0);
	assert_int_equal(metrics_tally_action(&t, "hog", "cap", true), 0);
	assert_int_equal(metrics_tally_action(&t, NULL, "classify", false), 0);
	assert_int_equal(metrics_tally_action(&t, "ban", "kill", true), 0);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0].rule, "hog");
	assert_int_equal(t.v[0].offences, 2);
	assert_int_equal(t.v[0].actions[MA_CAP], 2);
	assert_int_equal(t.v[0].actions[MA_RELEASE], 1);
	assert_string_equal(t.v[1].rule, "");
	assert_int_equal(t.v[1].actions[MA_CLASSIFY], 1);
	assert_int_equal(t.v[1].offences, 0);
	assert_int_equal(t.v[2].actions[MA_KILL], 1);
	/* penalties are counted again at every publish */
	assert_int_equal(metrics_tally_penalty(&t, "hog"), 0);
	assert_int_equal(metrics_tally_penalty(&t, "hog"), 0);
	assert_int_equal(t.v[0].penalties, 2);
	metrics_tally_clear_penalties(&t);
	assert_int_equal(t.v[0].penalties, 0);
	assert_int_equal(metrics_tally_penalty(&t, "hog"), 0);
	t.events_lost = 3;
	t.rescans = 7;
	/* a copy is deep and replaces what the copy held */
	assert_int_equal(metrics_tally_action(&c, "old", "cap", true), 0);
	assert_int_equal(metrics_tally_copy(&c, &t), 0);
	assert_int_equal(c.n, 3);
	assert_ptr_not_equal(c.v[0].rule, t.v[0].rule);
	assert_string_equal(c.v[0].rule, "hog");
	assert_int_equal(c.v[0].actions[MA_CAP], 2);
	assert_int_equal(c.v[0].penalties, 1);
	assert_int_equal(c.events_lost, 3);
	assert_int_equal(c.rescans, 7);
	/* more rules than the first allocation: counts kept */
	for (int i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "r%d", i);
		assert_int_equal(metrics_tally_action(&t, name, "freeze", true), 0);
	}
	assert_int_equal(t.n, 43);
	assert_int_equal(t.v[0].offences, 2);
	assert_int_equal(t.v[42].actions[MA_FREEZE], 1);
	metrics_tally_free(&t);
	metrics_tally_free(&c);
	assert_int_equal(t.n, 0);
}

static void test_listen(void **state)
{
	static const char *const bad[] = {
		"localhost:9269", "127.0.0.1",	    "127.0.0.1:",
		":9269",	  "127.0.0.1:0",    "127.0.0.1:65536",
		"127.0.0.1:-1",	  "127.0.0.1:+80",  "127.0.0.1:80x",
		"300.1.1.1:9269", "::1:9269",	    "[::1:9269",
		"[]:9269",	  "[1.2.3.4]:9269", "127.0.0.1:99999999999999999999",
	};
	struct sockaddr_storage ss;
	socklen_t len = 0;
	cg_err e = {0};
	char buf[64];

	(void)state;
	assert_int_equal(metrics_parse_listen("127.0.0.1:9269", &ss, &len, &e), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9269);
	assert_string_equal(
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, sizeof(buf)),
		"127.0.0.1");
	assert_int_equal(metrics_parse_listen("0.0.0.0:1", &ss, &len, &e), 0);
	assert_int_equal(metrics_parse_listen("[::1]:65535", &ss, &len, &e), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
	assert_int_equal(metrics_parse_listen("[::]:9269", &ss, &len, &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cg_err_clear(&e);
		if (metrics_parse_listen(bad[i], &ss, &len, &e) != -1)
			fail_msg("\"%s\" was taken as a listen address", bad[i]);
		assert_non_null(strstr(e.msg, "give") ? e.msg : strstr(e.msg, "must be"));
	}
	cg_err_clear(&e);
	assert_int_equal(metrics_parse_listen("localhost:80", &ss, &len, &e), -1);
	assert_non_null(strstr(e.msg, "names are not looked up"));
}

static void test_check_and_differs(void **state)
{
	struct rules r;
	struct rules_metrics a = {0}, b = {0};
	struct pstr ga[1] = {{.s = (char *)"/cgkit"}}, gb[1] = {{.s = (char *)"/other"}};
	char *out = NULL;
	size_t olen = 0;
	FILE *f;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.path = (char *)"rules.yaml";
	assert_int_equal(metrics_check(&r, stderr), 0); /* absent: nothing to check */
	r.metrics.present = true;
	assert_int_equal(metrics_check(&r, stderr), 0); /* the default */
	assert_string_equal(metrics_listen_of(&r.metrics), METRICS_DEFAULT_LISTEN);
	r.metrics.listen.s = (char *)"example.org:9269";
	r.metrics.listen.line = 7;
	r.metrics.listen.col = 11;
	f = open_memstream(&out, &olen);
	assert_non_null(f);
	assert_int_equal(metrics_check(&r, f), -1);
	fclose(f);
	assert_non_null(strstr(out, "rules.yaml:7:11: error: metrics.listen: "));
	free(out);

	assert_false(metrics_config_differs(&a, &b));
	a.present = true;
	assert_true(metrics_config_differs(&a, &b));
	b.present = true;
	assert_false(metrics_config_differs(&a, &b));
	b.listen.s = (char *)METRICS_DEFAULT_LISTEN; /* the default written out */
	assert_false(metrics_config_differs(&a, &b));
	b.listen.s = (char *)"127.0.0.1:9270";
	assert_true(metrics_config_differs(&a, &b));
	b.listen.s = NULL;
	b.depth.set = true;
	b.depth.v = 2;
	assert_true(metrics_config_differs(&a, &b));
	a.depth = b.depth;
	a.groups = (struct pat_list){true, ga, 1, 0, 0};
	b.groups = (struct pat_list){true, gb, 1, 0, 0};
	assert_true(metrics_config_differs(&a, &b));
	b.groups.v = ga;
	assert_false(metrics_config_differs(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tally),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_check_and_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
