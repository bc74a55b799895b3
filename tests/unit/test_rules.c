/* cgkitd's rules file (docs/cgrules.5): a full file parses to the values it
 * says, the defaults are the spec's, and every error class comes at its
 * LINE:COLUMN with its dotted KEY and a message that says what is right;
 * limits in a penalty are refused with the profile's own message. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile.h"
#include "rules.h"

static struct diags D;
static const struct rules_opts OPTS = {.host_ram = 8ULL << 30};

static struct rules *parse_o(const char *yaml, const struct rules_opts *o)
{
	diags_init(&D, "r.yaml");
	return rules_parse(yaml, strlen(yaml), "r.yaml", o, &D);
}

static struct rules *parse_s(const char *yaml)
{
	return parse_o(yaml, &OPTS);
}

static void dump_diags(void)
{
	for (int i = 0; i < D.n; i++)
		print_error("  got %d:%d %s%s: %s\n", D.items[i].line, D.items[i].col,
			    D.items[i].warning ? "(warning) " : "", D.items[i].key, D.items[i].msg);
}

static bool has_all(const char *msg, const char *const *needles)
{
	for (; *needles; needles++)
		if (!strstr(msg, *needles))
			return false;
	return true;
}

#define expect_error(yaml, line, col, key, ...)                                                    \
	expect_diag_(yaml, false, line, col, key, (const char *const[]){__VA_ARGS__, NULL},        \
		     __FILE__, __LINE__)
#define expect_warning(yaml, line, col, key, ...)                                                  \
	expect_diag_(yaml, true, line, col, key, (const char *const[]){__VA_ARGS__, NULL},         \
		     __FILE__, __LINE__)

static void expect_diag_(const char *yaml, bool warning, int line, int col, const char *key,
			 const char *const *needles, const char *file, int at)
{
	struct rules *r = parse_s(yaml);

	if (!warning && r) {
		rules_free(r);
		print_error("%s:%d: the rules were accepted\n", file, at);
		dump_diags();
		_fail(file, at);
	}
	if (warning && !r) {
		print_error("%s:%d: the rules were refused\n", file, at);
		dump_diags();
		_fail(file, at);
	}
	rules_free(r);
	for (int i = 0; i < D.n; i++) {
		const struct diag *it = &D.items[i];

		if (it->warning == warning && it->line == line && it->col == col &&
		    !strcmp(it->key, key) && has_all(it->msg, needles))
			return;
	}
	print_error("%s:%d: no %s at %d:%d for \"%s\" saying %s...\n", file, at,
		    warning ? "warning" : "error", line, col, key, needles[0]);
	dump_diags();
	_fail(file, at);
}

static const char FULL[] = "interval: 200ms\n"
			   "parent: self\n"
			   "state: /tmp/st\n"
			   "log: /tmp/actions.jsonl\n"
			   "notify: /usr/local/sbin/cgkit-notify\n"
			   "exempt:\n"
			   "  users: [root, \"0-999\", 4242]\n"
			   "  commands: [sshd, \"/usr/lib/openssh/*\"]\n"
			   "  cgroups: [/system.slice]\n"
			   "users:\n"
			   "  uids: \"1000-60000\"\n"
			   "  group: users/%u\n"
			   "  limits:\n"
			   "    cpu: {max: 400%}\n"
			   "    memory: {max: 8G, high: 7G}\n"
			   "    pids: {max: 4096}\n"
			   "rules:\n"
			   "  - name: cpu-hog\n"
			   "    scope: user\n"
			   "    match:\n"
			   "      users: [\"1000-\"]\n"
			   "    when:\n"
			   "      cpu: 150%\n"
			   "      memory: 2G\n"
			   "      tasks: 500\n"
			   "      io: 50M\n"
			   "      pressure: {memory: 20%, io: 0.5}\n"
			   "      for: 5m\n"
			   "    penalties:\n"
			   "      - {cpu: {max: 80%}, for: 30m}\n"
			   "      - {cpu: {max: 50%}, memory: {high: 1G}, for: 1h}\n"
			   "      - {freeze: true, for: 10m}\n"
			   "      - {kill: TERM}\n"
			   "    forgive: 2h\n"
			   "    notify: /bin/true\n"
			   "  - name: no-miners\n"
			   "    match: {commands: [xmrig, \"*/miner*\"], cgroups: [/user.slice]}\n"
			   "    penalties: [{kill: SIGKILL}]\n";

static void test_full_example(void **state)
{
	struct rules *r;
	const struct rule *hog, *ban;
	const struct rule_penalty *p;

	(void)state;
	r = parse_s(FULL);
	if (!r)
		dump_diags();
	assert_non_null(r);
	assert_int_equal(D.errors, 0);
	assert_int_equal(r->interval.v, 200000);
	assert_int_equal(r->interval.line, 1);
	assert_int_equal(r->interval.col, 11);
	assert_true(r->parent_self);
	assert_string_equal(r->state.s, "/tmp/st");
	assert_string_equal(r->log.s, "/tmp/actions.jsonl");
	assert_string_equal(r->notify.s, "/usr/local/sbin/cgkit-notify");
	assert_int_equal(r->exempt.users.n, 3);
	assert_string_equal(r->exempt.users.v[0].name, "root");
	assert_null(r->exempt.users.v[1].name);
	assert_int_equal(r->exempt.users.v[1].hi, 999);
	assert_int_equal(r->exempt.users.v[2].lo, 4242);
	assert_int_equal(r->exempt.users.v[2].line, 7);
	assert_int_equal(r->exempt.users.v[2].col, 26);
	assert_int_equal(r->exempt.commands.n, 2);
	assert_string_equal(r->exempt.cgroups.v[0].s, "/system.slice");
	assert_true(r->users.present);
	assert_false(r->users.adopt);
	assert_int_equal(r->users.uids.v[0].lo, 1000);
	assert_int_equal(r->users.uids.v[0].hi, 60000);
	assert_string_equal(r->users.group.s, "users/%u");
	assert_int_equal(r->users.limits.cpu.max.v, 4000000);
	assert_int_equal(r->users.limits.memory.high.v, 7ULL << 30);
	assert_int_equal(r->users.limits.pids.max.v, 4096);
	assert_int_equal(r->users.limits.pids.max.line, 16);
	assert_int_equal(r->n_rules, 2);

	hog = rules_find(r, "cpu-hog");
	assert_non_null(hog);
	assert_int_equal(hog->scope, RULE_SCOPE_USER);
	assert_false(hog->at_exec);
	assert_int_equal(hog->match.users.v[0].hi, MATCH_UID_MAX);
	assert_int_equal(hog->when.cpu.v, 1500000); /* 1.5 cpus */
	assert_int_equal(hog->when.memory.v, 2ULL << 30);
	assert_int_equal(hog->when.tasks.v, 500);
	assert_int_equal(hog->when.io.v, 50ULL << 20);
	assert_int_equal(hog->when.pressure_memory.v, 200000);
	assert_int_equal(hog->when.pressure_io.v, 500000);
	assert_false(hog->when.pressure_cpu.set);
	assert_int_equal(hog->when.for_us.v, 300000000ULL);
	assert_int_equal(hog->when.n_measures, 6);
	assert_int_equal(hog->n_penalties, 4);
	p = &hog->penalties[0];
	assert_int_equal(p->limits.cpu.max.v, 800000);
	assert_int_equal(p->limits.cpu.max.line, 30);
	assert_int_equal(p->limits.cpu.max.col, 21);
	assert_int_equal(p->for_us.v, 1800000000ULL);
	assert_int_equal(p->n_limits, 1);
	assert_int_equal(hog->penalties[1].limits.memory.high.v, 1ULL << 30);
	assert_int_equal(hog->penalties[2].freeze.v, 1);
	assert_int_equal(hog->penalties[2].n_limits, 0);
	assert_int_equal(hog->penalties[3].kill_signal, SIGTERM);
	assert_false(hog->penalties[3].for_us.set);
	assert_int_equal(hog->forgive.v, 7200000000ULL);
	assert_string_equal(hog->notify.s, "/bin/true");
	/* the 1st offence gets the 1st entry; past the last, the last again */
	assert_ptr_equal(rule_penalty_for(hog, 1), &hog->penalties[0]);
	assert_ptr_equal(rule_penalty_for(hog, 4), &hog->penalties[3]);
	assert_ptr_equal(rule_penalty_for(hog, 9), &hog->penalties[3]);

	ban = rules_find(r, "no-miners");
	assert_non_null(ban);
	assert_int_equal(ban->scope, RULE_SCOPE_PROCESS);
	assert_true(ban->at_exec);
	assert_int_equal(ban->penalties[0].kill_signal, SIGKILL);
	assert_string_equal(ban->match.commands.v[1].s, "*/miner*");
	assert_string_equal(ban->match.cgroups.v[0].s, "/user.slice");
	assert_int_equal(ban->forgive.v, RULES_DEFAULT_FORGIVE_US);
	assert_null(rules_find(r, "nope"));
	rules_free(r);
}

static void test_defaults(void **state)
{
	struct rules *r;

	(void)state;
	r = parse_s("users: {}\nrules:\n  - name: a\n    when: {tasks: 10}\n    penalties: "
		    "[{pids: {max: 10}}]\n");
	if (!r)
		dump_diags();
	assert_non_null(r);
	assert_int_equal(r->interval.v, 1000000);
	assert_string_equal(r->parent.s, "cgkit");
	assert_false(r->parent_self);
	assert_string_equal(r->state.s, "/var/lib/cgkit");
	assert_string_equal(r->log.s, "/var/log/cgkit/actions.jsonl");
	assert_null(r->notify.s);
	assert_false(r->exempt.users.set);
	assert_int_equal(r->exempt.users.n, 1);
	assert_int_equal(r->exempt.users.v[0].lo, 0);
	assert_int_equal(r->exempt.users.v[0].hi, 999);
	assert_false(r->exempt.commands.set);
	assert_string_equal(r->users.group.s, "users/%u");
	assert_false(r->users.uids.set);
	assert_int_equal(r->rules[0].scope, RULE_SCOPE_PROCESS);
	assert_int_equal(r->rules[0].when.for_us.v, 0);
	assert_int_equal(r->rules[0].forgive.v, 3ULL * 3600 * 1000000);
	assert_false(r->rules[0].penalties[0].for_us.set); /* while the offender runs */
	assert_false(r->metrics.present);
	assert_false(r->history.present);
	assert_int_equal(D.warnings, 0);
	rules_free(r);

	/* rules: [] only classifies users */
	r = parse_s("users: {uids: \"1000-\", group: /user.slice/user-%U.slice}\nrules: []\n");
	assert_non_null(r);
	assert_true(r->users.adopt);
	assert_int_equal(r->n_rules, 0);
	rules_free(r);
}

static void test_file_errors(void **state)
{
	(void)state;
	expect_error("", 1, 1, "", "the file is empty", "a rules file needs");
	expect_error("interval: 1s\n", 1, 1, "rules", "the file has no rules", "rules: []");
	expect_error("- a\n", 1, 1, "", "expected a rules file", "found a list");
	expect_error("rules: []\n---\nrules: []\n", 2, 1, "", "more than one document",
		     "a rules file is one YAML document");
	expect_error("rules: []\nrules: []\n", 2, 1, "rules", "duplicate");
	expect_error("rules: []\nintervall: 1s\n", 2, 1, "intervall", "unknown key",
		     "did you mean \"interval\"?");
	expect_error("rules: []\nzzzz: 1\n", 2, 1, "zzzz", "the keys here are: interval, parent");
	expect_error("rules:\n\t- name: x\n", 2, 1, "", "tab");
}

static void test_top_errors(void **state)
{
	(void)state;
	expect_error("interval: 50ms\nrules: []\n", 1, 11, "interval", "out of range",
		     "100ms .. 1m");
	expect_error("interval: 2m\nrules: []\n", 1, 11, "interval", "out of range");
	expect_error("interval: 5\nrules: []\n", 1, 11, "interval", "not a duration",
		     "without a unit", "30s, 5m");
	expect_error("parent: /x\nrules: []\n", 1, 9, "parent", "absolute path", "or self");
	expect_error("state: var/lib\nrules: []\n", 1, 8, "state", "not an absolute path");
	expect_error("log: [a]\nrules: []\n", 1, 6, "log", "expected a file", "found a list");
	expect_error("notify: cgkit-notify\nrules: []\n", 1, 9, "notify", "not an absolute path",
		     "/usr/local/sbin/cgkit-notify");
	expect_error("rules: {a: 1}\n", 1, 8, "rules", "expected a list of rules");
}

static void test_exempt_errors(void **state)
{
	(void)state;
	expect_error("exempt: {users: [\"900-100\"]}\nrules: []\n", 1, 18, "exempt.users[0]",
		     "empty range", "A <= B");
	expect_error("exempt: {users: [\"1-2-3\"]}\nrules: []\n", 1, 18, "exempt.users[0]",
		     "not a uid range");
	expect_error("exempt: {users: [4294967295]}\nrules: []\n", 1, 18, "exempt.users[0]",
		     "not a uid", "4294967294");
	expect_error("exempt: {users: [\"a b\"]}\nrules: []\n", 1, 18, "exempt.users[0]",
		     "not a user", "1000-60000");
	expect_error("exempt: {commands: [\"bin/x\"]}\nrules: []\n", 1, 21, "exempt.commands[0]",
		     "relative path", "*/foo");
	expect_error("exempt: {commands: [\"/x/[ab\"]}\nrules: []\n", 1, 21, "exempt.commands[0]",
		     "never closed");
	expect_error("exempt: {commands: [\"\"]}\nrules: []\n", 1, 21, "exempt.commands[0]",
		     "is empty");
	expect_error("exempt: {cgroups: [system.slice]}\nrules: []\n", 1, 20, "exempt.cgroups[0]",
		     "not an absolute cgroup path", "/system.slice");
	expect_error("exempt: {cgroups: [/a/]}\nrules: []\n", 1, 20, "exempt.cgroups[0]",
		     "empty component");
	expect_error("exempt: {cgroups: [/a/../b]}\nrules: []\n", 1, 20, "exempt.cgroups[0]",
		     "'..'");
	expect_error("exempt: {userz: [root]}\nrules: []\n", 1, 10, "exempt.userz",
		     "did you mean \"users\"?");
	expect_warning("exempt: {cgroups: [/]}\nrules: []\n", 1, 20, "exempt.cgroups",
		       "exempts every process");
}

static void test_users_errors(void **state)
{
	(void)state;
	expect_error("users: {group: users/all}\nrules: []\n", 1, 16, "users.group",
		     "one group for every user", "%u", "%U");
	expect_error("users: {group: /user.slice}\nrules: []\n", 1, 16, "users.group",
		     "one group for every user");
	expect_error("users: {group: users/%n}\nrules: []\n", 1, 16, "users.group", "neither %u");
	expect_error("users: {group: ../%u}\nrules: []\n", 1, 16, "users.group",
		     "not a path below parent");
	expect_error("users: {group: /a//%u}\nrules: []\n", 1, 16, "users.group",
		     "empty component");
	/* limits: the profile's own walk and messages */
	expect_error("users:\n  limits:\n    cpu: {max: 0}\nrules: []\n", 3, 16,
		     "users.limits.cpu.max", "0 is not allowed here");
	expect_error("users:\n  limits:\n    memroy: {max: 1G}\nrules: []\n", 3, 5,
		     "users.limits.memroy", "did you mean \"memory\"?");
	expect_error("users:\n  limits:\n    name: x\nrules: []\n", 3, 5, "users.limits.name",
		     "the keys here are: cpu, memory, io, cpuset, pids");
	expect_error("users: {uidz: \"1000-\"}\nrules: []\n", 1, 9, "users.uidz",
		     "did you mean \"uids\"?");
}

/* A penalty's limits mean and are refused exactly as in a profile: the same
 * message as profile_parse gives for the same section. */
static void test_penalty_limits_as_profile(void **state)
{
	const char *sections[] = {"cpu: {max: abc}",	"cpu: {max: 0.5%}",
				  "memory: {max: 100}", "memory: {high: 2G, max: 1G}",
				  "memory: {swap: 1G}", "pids: {max: 0}",
				  "io: {weight: 0}"};

	(void)state;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		char prof[256], rules[512], want_key[200];
		struct diags pd;
		struct profile *p;
		struct rules *r;
		bool found = false;

		snprintf(prof, sizeof(prof), "name: x\n%s\n", sections[i]);
		diags_init(&pd, "p.yaml");
		p = profile_parse(prof, strlen(prof), "p.yaml",
				  &(struct profile_opts){.host_ram = 8ULL << 30}, &pd);
		assert_null(p);
		assert_true(pd.n >= 1);
		snprintf(rules, sizeof(rules),
			 "rules:\n  - name: r\n    when: {cpu: 1}\n    penalties:\n      - {%s, "
			 "for: 1h}\n",
			 sections[i]);
		r = parse_s(rules);
		assert_null(r);
		snprintf(want_key, sizeof(want_key), "rules[0].penalties[0].%s", pd.items[0].key);
		for (int j = 0; j < D.n; j++)
			if (!strcmp(D.items[j].key, want_key) &&
			    !strcmp(D.items[j].msg, pd.items[0].msg) && D.items[j].line == 5)
				found = true;
		if (!found) {
			print_error("section %s: profile said %s: %s\n", sections[i],
				    pd.items[0].key, pd.items[0].msg);
			dump_diags();
		}
		assert_true(found);
	}
	/* and the place is the value's in the rules file */
	expect_error("rules:\n  - name: r\n    when: {cpu: 1}\n    penalties:\n      - {cpu: {max: "
		     "abc}}\n",
		     5, 21, "rules[0].penalties[0].cpu.max", "is not a cpu amount");
}

static const char RULE_HEAD[] = "users: {}\nrules:\n  - name: r\n";

static char *with_head(const char *body)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s%s", RULE_HEAD, body);
	return buf;
}

static void test_rule_errors(void **state)
{
	(void)state;
	/* lines 4.. are the body's */
	expect_error(with_head("    name: r2\n    when: {cpu: 1}\n    penalties: [{kill: TERM}]\n"),
		     4, 5, "rules[0].name", "duplicate");
	expect_error(
		"rules:\n  - name: \"a b\"\n    when: {cpu: 1}\n    penalties: [{kill: KILL}]\n", 2,
		11, "rules[0].name", "A-Z a-z 0-9 _ . -");
	expect_error("rules:\n  - when: {cpu: 1}\n    penalties: [{kill: KILL}]\n", 2, 5,
		     "rules[0].name", "the rule has no name");
	expect_error("rules:\n  - name: a\n    when: {cpu: 1}\n    penalties: [{kill: KILL}]\n  - "
		     "name: a\n    when: {cpu: 1}\n    penalties: [{kill: KILL}]\n",
		     5, 11, "rules[1].name", "already the name of the rule at line 2");
	expect_error(with_head("    when: {cpu: 1}\n"), 3, 5, "rules[0].penalties", "no penalties");
	expect_error(with_head("    when: {cpu: 1}\n    penalties: []\n"), 5, 5,
		     "rules[0].penalties", "no penalty");
	expect_error(with_head("    when: {cpu: 1}\n    penalties: {kill: TERM}\n"), 5, 16,
		     "rules[0].penalties", "expected a list of penalties");
	expect_error(with_head("    scope: users\n    when: {cpu: 1}\n    penalties: [{kill: "
			       "TERM}]\n"),
		     4, 12, "rules[0].scope", "did you mean \"user\"?");
	expect_error("rules:\n  - name: r\n    scope: user\n    when: {cpu: 1}\n    penalties: "
		     "[{kill: TERM}]\n",
		     3, 12, "rules[0].scope", "add a top-level users section");
	expect_error(with_head("    penalties: [{kill: TERM}]\n"), 3, 5, "rules[0].when",
		     "the rule has no when", "match.commands");
	expect_error(with_head("    when: {for: 1m}\n    penalties: [{kill: TERM}]\n"), 4, 5,
		     "rules[0].when", "no threshold", "for alone");
	expect_error(with_head("    scope: user\n    match: {commands: [x]}\n    penalties: "
			       "[{kill: TERM}]\n"),
		     4, 12, "rules[0].scope", "acts at exec", "scope: process");
	expect_error(with_head("    scope: user\n    match: {commands: [x]}\n    when: {cpu: "
			       "1}\n    penalties: [{kill: TERM}]\n"),
		     5, 23, "rules[0].match.commands", "cannot match commands");
	expect_error(with_head("    scope: user\n    match: {cgroups: [/x]}\n    when: {cpu: "
			       "1}\n    penalties: [{kill: TERM}]\n"),
		     5, 22, "rules[0].match.cgroups", "cannot match cgroups");
	expect_error(with_head("    match: {comands: [x]}\n    penalties: [{kill: TERM}]\n"), 4, 13,
		     "rules[0].match.comands", "did you mean \"commands\"?");
	expect_error(with_head("    forgive: 0\n    when: {cpu: 1}\n    penalties: [{kill: "
			       "TERM}]\n"),
		     4, 14, "rules[0].forgive", "0 is not allowed", "3h");
	expect_error(with_head("    notify: x\n    when: {cpu: 1}\n    penalties: [{kill: "
			       "TERM}]\n"),
		     4, 13, "rules[0].notify", "not an absolute path");
	expect_error(with_head("    penaltys: []\n    when: {cpu: 1}\n"), 4, 5, "rules[0].penaltys",
		     "did you mean \"penalties\"?");
}

static void test_when_errors(void **state)
{
	(void)state;
#define WHEN(x) with_head("    when: {" x "}\n    penalties: [{kill: TERM}]\n")
	expect_error(WHEN("cpu: 0%"), 4, 17, "rules[0].when.cpu", "0 is not a threshold");
	expect_error(WHEN("cpu: max"), 4, 17, "rules[0].when.cpu", "not a cpu threshold", "150%");
	expect_error(WHEN("cpu: lots"), 4, 17, "rules[0].when.cpu", "not a cpu threshold");
	expect_error(WHEN("memory: 2Q"), 4, 20, "rules[0].when.memory", "not a size");
	expect_error(WHEN("memory: 0"), 4, 20, "rules[0].when.memory", "0 is not a threshold");
	expect_error(WHEN("tasks: 0"), 4, 19, "rules[0].when.tasks", "out of range");
	expect_error(WHEN("tasks: 1.5"), 4, 19, "rules[0].when.tasks", "not a whole number");
	expect_error(WHEN("io: fast"), 4, 16, "rules[0].when.io", "not a size");
	expect_error(WHEN("for: 10"), 4, 17, "rules[0].when.for", "without a unit");
	expect_error(WHEN("cpus: 1"), 4, 12, "rules[0].when.cpus", "did you mean \"cpu\"?");
	expect_error(WHEN("pressure: {memory: 20%}"), 4, 23, "rules[0].when.pressure",
		     "measured per group", "scope: user");
	expect_error(with_head("    scope: user\n    when: {pressure: {memory: 0%}}\n    "
			       "penalties: [{kill: TERM}]\n"),
		     5, 31, "rules[0].when.pressure.memory", "out of range");
	expect_error(with_head("    scope: user\n    when: {pressure: {memory: 101%}}\n    "
			       "penalties: [{kill: TERM}]\n"),
		     5, 31, "rules[0].when.pressure.memory", "at most 100%");
	expect_error(with_head("    scope: user\n    when: {pressure: {memory: high}}\n    "
			       "penalties: [{kill: TERM}]\n"),
		     5, 31, "rules[0].when.pressure.memory", "not a share");
	expect_error(with_head("    scope: user\n    when: {pressure: {mem: 5%}}\n    penalties: "
			       "[{kill: TERM}]\n"),
		     5, 23, "rules[0].when.pressure.mem", "did you mean \"memory\"?");
	expect_warning(WHEN("cpu: 1, for: 500ms"), 4, 25, "rules[0].when.for",
		       "shorter than interval");
#undef WHEN
}

static void test_pressure_warning_on_v1(void **state)
{
	const struct rules_opts v1 = {.host_ram = 8ULL << 30, .no_pressure = true};
	const char *y = "users: {}\nrules:\n  - name: p\n    scope: user\n    when: {pressure: "
			"{memory: 20%}}\n    penalties: [{kill: TERM}]\n";
	struct rules *r;

	(void)state;
	r = parse_o(y, &v1);
	assert_non_null(r);
	assert_int_equal(D.warnings, 1);
	assert_int_equal(D.items[0].line, 5);
	assert_int_equal(D.items[0].col, 23);
	assert_non_null(strstr(D.items[0].msg, "cgroup v2 only"));
	rules_free(r);
	r = parse_s(y);
	assert_non_null(r);
	assert_int_equal(D.warnings, 0);
	rules_free(r);
}

static void test_penalty_errors(void **state)
{
	(void)state;
#define PEN(x) with_head("    when: {cpu: 1}\n    penalties:\n      - " x "\n")
	expect_error(PEN("{}"), 6, 9, "rules[0].penalties[0]", "does nothing");
	expect_error(PEN("{freeze: false, for: 1h}"), 6, 9, "rules[0].penalties[0]",
		     "does nothing");
	expect_error(PEN("{freeze: yes}"), 6, 18, "rules[0].penalties[0].freeze",
		     "not true or false");
	expect_error(PEN("{kill: HUP}"), 6, 16, "rules[0].penalties[0].kill", "TERM", "KILL");
	expect_error(PEN("{kill: term}"), 6, 16, "rules[0].penalties[0].kill",
		     "did you mean \"TERM\"?");
	expect_error(PEN("{kill: TERM, for: 1h}"), 6, 22, "rules[0].penalties[0].for",
		     "a kill does not last");
	expect_error(PEN("{kill: KILL, cpu: {max: 10%}}"), 6, 10, "rules[0].penalties[0].kill",
		     "kill stands alone");
	expect_error(PEN("{kill: KILL, freeze: true}"), 6, 10, "rules[0].penalties[0].kill",
		     "kill stands alone");
	expect_error(PEN("{cpu: {max: 10%}, for: 0}"), 6, 32, "rules[0].penalties[0].for",
		     "leave for out");
	expect_error(PEN("{cpu: {max: 10%}, frezze: true}"), 6, 27, "rules[0].penalties[0].frezze",
		     "did you mean \"freeze\"?");
	expect_error(PEN("{cpu: {max: 10%}, zzzz: 1}"), 6, 27, "rules[0].penalties[0].zzzz",
		     "the keys here are: cpu, memory, io, cpuset, pids, freeze, kill, for");
	expect_error(PEN("kill"), 6, 9, "rules[0].penalties[0]", "expected a penalty");
#undef PEN
}

static void test_later_features(void **state)
{
	struct rules *r;

	(void)state;
	r = parse_s("rules: []\nmetrics:\n  listen: \"127.0.0.1:9100\"\n  groups: [/cgkit]\n  "
		    "depth: 4\nhistory:\n  dir: /var/lib/cgkit/history\n  interval: 5s\n  keep: "
		    "7d\n  max: 1G\n");
	if (!r)
		dump_diags();
	assert_non_null(r);
	/* both are served: neither warns that it is not implemented */
	assert_int_equal(D.warnings, 0);
	assert_true(r->history.present);
	assert_int_equal(r->history.interval.v, 5ULL * 1000000);
	assert_true(r->metrics.present);
	assert_string_equal(r->metrics.listen.s, "127.0.0.1:9100");
	assert_int_equal(r->metrics.depth.v, 4);
	assert_string_equal(r->history.dir.s, "/var/lib/cgkit/history");
	assert_int_equal(r->history.keep.v, 7ULL * 86400 * 1000000);
	assert_int_equal(r->history.max.v, 1ULL << 30);
	rules_free(r);
	expect_error("rules: []\nmetrics: {listen: \"x:0\"}\n", 2, 19, "metrics.listen",
		     "not an address and port");
	expect_error("rules: []\nhistory: {kep: 1d}\n", 2, 11, "history.kep",
		     "did you mean \"keep\"?");
}

/* Every error at once, sorted by place; at most 20 shown, the rest counted. */
static void test_all_errors_at_once(void **state)
{
	char y[8192];
	size_t pos = 0;
	struct rules *r;

	(void)state;
	pos += (size_t)snprintf(y + pos, sizeof(y) - pos, "rules:\n");
	for (int i = 0; i < 30; i++)
		pos += (size_t)snprintf(
			y + pos, sizeof(y) - pos,
			"  - {name: r%d, when: {cpu: 0}, penalties: [{kill: KILL}]}\n", i);
	r = parse_s(y);
	assert_null(r);
	assert_int_equal(D.errors, 30);
	assert_int_equal(D.n, DIAG_MAX);
	assert_int_equal(D.items[0].line, 2);
	assert_int_equal(D.items[19].line, 21);
}

static void test_contrib_example(void **state)
{
	char path[4096];
	const char *me = __FILE__, *tail = strstr(me, "tests/unit/");
	struct rules *r;

	(void)state;
	snprintf(path, sizeof(path), "%.*scontrib/rules.yaml", tail ? (int)(tail - me) : 0, me);
	diags_init(&D, path);
	r = rules_load(path, &OPTS, &D);
	if (!r || D.n)
		dump_diags();
	assert_non_null(r);
	assert_int_equal(D.errors, 0);
	assert_int_equal(D.warnings, 0);
	assert_true(r->users.present);
	assert_non_null(rules_find(r, "cpu-hog"));
	assert_true(rules_find(r, "no-miners")->at_exec);
	rules_free(r);

	diags_init(&D, "/nonexistent/rules.yaml");
	assert_null(rules_load("/nonexistent/rules.yaml", NULL, &D));
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "cannot read the rules file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_top_errors),
		cmocka_unit_test(test_exempt_errors),
		cmocka_unit_test(test_users_errors),
		cmocka_unit_test(test_penalty_limits_as_profile),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_when_errors),
		cmocka_unit_test(test_pressure_warning_on_v1),
		cmocka_unit_test(test_penalty_errors),
		cmocka_unit_test(test_later_features),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_contrib_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
