/* cgkitd: finds runaway processes on a shared host and caps them, by
 * behaviour (docs/cgkitd.8, docs/cgrules.5). The command line only; the
 * daemon is src/daemon/. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: cgkitd -c FILE              run in the foreground\n"
		"       cgkitd --check -c FILE      validate the rules file; touch nothing\n"
		"       cgkitd --dry-run -c FILE    judge and log (\"would-cap\", ...), change nothing\n"
		"       cgkitd status [--json] [-c FILE]\n"
		"       cgkitd forgive USER|--pid PID [--rule R] [-c FILE]\n"
		"       cgkitd explain --pid PID [-c FILE]\n"
		"\n"
		"Finds runaway processes on a shared host and caps them by their behaviour,\n"
		"as the rules file (docs/cgrules.5) says. FILE defaults to %s.\n"
		"SIGHUP reloads the file (a bad one is reported and the old rules stay);\n"
		"SIGTERM ends cgkitd, penalties stay in force and in the state.\n"
		"With a metrics: section, cgkitd serves Prometheus metrics at\n"
		"http://ADDRESS:PORT/metrics (default 127.0.0.1:9269; cgkitd(8), METRICS).\n"
		"\n"
		"  -h, --help       this text\n"
		"  -V, --version    the version\n"
		"\n"
		"Exit status: 0 ok; 1 runtime error; 2 usage; 125 bad rules file.\n",
		CGKITD_DEFAULT_CONF);
}

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > 4194304) {
		fprintf(stderr, "cgkitd: --pid: '%s' is not a process id\n", s);
		return -1;
	}
	*out = (pid_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "check", no_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },	    { "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },    { "rule", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },	    { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = CGKITD_DEFAULT_CONF, *verb = NULL, *rule = NULL, *user = NULL;
	bool check = false, dry = false, json = false;
	pid_t pid = 0;
	int c;

	if (argc > 1 && argv[1][0] != '-') {
		verb = argv[1];
		argv++;
		argc--;
		if (strcmp(verb, "status") != 0 && strcmp(verb, "forgive") != 0 && strcmp(verb, "explain") != 0) {
			fprintf(stderr, "cgkitd: '%s' is not a command: status, forgive or explain\n",
				verb);
			usage(stderr);
			return CGKITD_EXIT_USAGE;
		}
	}
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'n':
			dry = true;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			if (parse_pid(optarg, &pid) < 0)
				return CGKITD_EXIT_USAGE;
			break;
		case 'r':
			rule = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("cgkitd %s\n", cgkit_version);
			return 0;
		default:
			usage(stderr);
			return CGKITD_EXIT_USAGE;
		}
	}
	if (verb && !strcmp(verb, "forgive") && optind < argc)
		user = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "cgkitd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return CGKITD_EXIT_USAGE;
	}
	if (!verb) {
		if (check && dry) {
			fprintf(stderr, "cgkitd: --check and --dry-run: give one\n");
			return CGKITD_EXIT_USAGE;
		}
		if (json || pid || rule) {
			fprintf(stderr, "cgkitd: --json, --pid and --rule belong to status, forgive "
					"and explain\n");
			return CGKITD_EXIT_USAGE;
		}
		return check ? daemon_check(conf) : daemon_run(conf, dry);
	}
	if (check || dry) {
		fprintf(stderr, "cgkitd %s: --check and --dry-run go without a command\n", verb);
		return CGKITD_EXIT_USAGE;
	}
	if (!strcmp(verb, "status")) {
		if (pid || rule) {
			fprintf(stderr, "cgkitd status: takes only --json and -c\n");
			return CGKITD_EXIT_USAGE;
		}
		return daemon_status(conf, json);
	}
	if (!strcmp(verb, "forgive")) {
		if (json || (!user && !pid) || (user && pid)) {
			fprintf(stderr, "cgkitd forgive: give a USER or --pid PID\n");
			return CGKITD_EXIT_USAGE;
		}
		return daemon_forgive(conf, user, pid, rule);
	}
	if (!pid || json || rule) {
		fprintf(stderr, "cgkitd explain: give --pid PID\n");
		return CGKITD_EXIT_USAGE;
	}
	return daemon_explain(conf, pid);
}
