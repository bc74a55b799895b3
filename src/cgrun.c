/* cgrun: the command line. Thin: it parses options and calls the library
 * (profile_load, plan_build, policy_*, launch_*). Only this file prints the
 * errors that travel up. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "err.h"
#include "launch.h"
#include "launch_cg.h"
#include "layout.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"
#include "version.h"

enum verb { VERB_RUN, VERB_CHECK, VERB_PLAN, VERB_APPLY, VERB_REMOVE, VERB_SHOW, VERB_GC, VERB_PID, VERB_TO, VERB_FROM };

static void usage(FILE *out)
{
	fputs("Usage: cgrun [OPTIONS] -p PROFILE -- COMMAND [ARGS...]\n"
	      "       cgrun [OPTIONS] --cpu 20% -- COMMAND [ARGS...]\n"
	      "       cgrun --check|--plan|--apply|--remove|--show -p PROFILE [OPTIONS]\n"
	      "       cgrun --pid PID [--tree] -p PROFILE [OPTIONS]\n"
	      "       cgrun --gc [--parent P | -p PROFILE]\n"
	      "       cgrun --to FORMAT -p PROFILE\n"
	      "       cgrun --from FORMAT FILE... [-o OUT [--force]]\n"
	      "\n"
	      "Applies a cgroup profile (see cgprofile(5)) and runs COMMAND in its own leaf\n"
	      "<group>/run-<PID>, in the namespaces and root filesystem the profile asks for.\n"
	      "\n"
	      "Verbs:\n"
	      "  --check              validate the profile; touch nothing\n"
	      "  --plan               print the mkdir/write operations applying would do\n"
	      "  --apply              create the groups or make them converge to the profile\n"
	      "  --remove             remove the group, its children and what cgkit made in it\n"
	      "  --show               print the group's current values in profile terms\n"
	      "  --pid PID            move a running process (all threads) into the group\n"
	      "  --tree               with --pid: its descendants too\n"
	      "  --gc                 remove empty groups a killed cgrun left behind: below\n"
	      "                       --parent (default cgkit), or the profile's group with -p\n"
	      "  --to FORMAT          print the profile in another tool's terms: systemd\n"
	      "                       (a drop-in; systemd:scope, systemd:slice), systemd-run,\n"
	      "                       oci (linux.resources; oci:v1, oci:v2)\n"
	      "  --from FORMAT FILE...  read them into a profile (YAML on stdout): systemd\n"
	      "                       (a unit and its drop-ins), oci (config.json),\n"
	      "                       cgconfig (a profile a group, -o DIR), cgrules (a\n"
	      "                       cgkitd rules file)\n"
	      "  -o, --output OUT     with --from: write OUT (a file, or a directory for\n"
	      "                       formats that give several files); --force overwrites\n"
	      "\n"
	      "Options:\n"
	      "  -p, --profile FILE   the profile (YAML); a name alone (web, web.yaml) is\n"
	      "                       looked for in ./, /etc/cgkit/profiles, then the\n"
	      "                       installed profiles (cgprofile(5))\n"
	      "      --parent P       where the group lives (overrides the profile; 'self')\n"
	      "      --layout v1|v2   with --plan: plan for a standard system of that layout\n"
	      "      --cgroup-root DIR  with --layout: its cgroup mount (default /sys/fs/cgroup)\n"
	      "      --force          with --remove: move processes to the parent first, and\n"
	      "                       take sub-groups the profile does not describe\n"
	      "      --name NAME      group name (default: the profile's, or the command's)\n"
	      "      --cpu AMOUNT     cpu cap: 20%, 0.5, 500m, max\n"
	      "      --memory SIZE    memory limit: 512M, 1G, 25%, max\n"
	      "      --pids N         pids limit, or max\n"
	      "      --cpus LIST      cpuset cpus: 0-1\n"
	      "      --io-weight W    io weight 1..10000\n"
	      "                       (these five set the group's limits: refused on a group\n"
	      "                       made with --apply or in use; see cgrun(1))\n"
	      "  -g, --group CHILD    launch into this child group of the profile (a/b)\n"
	      "      --env NAME=VALUE set an environment variable (repeatable)\n"
	      "      --user USER[:GROUP]  run the command as this user (sets no_new_privs)\n"
	      "      --workdir DIR    working directory of the command\n"
	      "      --no-init        with a pid namespace: the command itself is pid 1\n"
	      "      --stop-timeout S with --no-init: seconds from a forwarded TERM or INT to\n"
	      "                       SIGKILL (default 10)\n"
	      "      --keep-upper DIR keep the overlay's upper layer in DIR (and use it again)\n"
	      "      --stats          print resource usage when the command ends\n"
	      "  -h, --help           this help\n"
	      "  -V, --version        the version\n"
	      "\n"
	      "Exit status: the command's; 128+N if signal N killed it; 125 if cgrun failed;\n"
	      "126 if the command cannot be executed; 127 if it was not found.\n"
	      "Environment: TMPDIR holds the overlay's temporary upper and work directories.\n"
	      "Not root: cgroup v2 only, in a subtree delegated to you (UNPRIVILEGED USE).\n"
	      "See cgrun(1) and cgprofile(5).\n",
	      out);
}

enum {
	OPT_CHECK = 256, OPT_PLAN, OPT_APPLY, OPT_REMOVE, OPT_SHOW, OPT_GC, OPT_PID, OPT_TREE,
	OPT_LAYOUT, OPT_ROOT, OPT_PARENT, OPT_FORCE, OPT_NAME, OPT_CPU, OPT_MEMORY, OPT_PIDS,
	OPT_CPUS, OPT_IOW, OPT_ENV, OPT_USER, OPT_WORKDIR, OPT_NOINIT, OPT_STOPT, OPT_KEEPUP,
	OPT_STATS, OPT_TO, OPT_FROM,
};

static const struct option long_opts[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "plan", no_argument, NULL, OPT_PLAN },
	{ "apply", no_argument, NULL, OPT_APPLY },
	{ "remove", no_argument, NULL, OPT_REMOVE },
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "gc", no_argument, NULL, OPT_GC },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "cgroup-root", required_argument, NULL, OPT_ROOT },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "io-weight", required_argument, NULL, OPT_IOW },
	{ "group", required_argument, NULL, 'g' },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "user", required_argument, NULL, OPT_USER },
	{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "no-init", no_argument, NULL, OPT_NOINIT },
	{ "stop-timeout", required_argument, NULL, OPT_STOPT },
	{ "keep-upper", required_argument, NULL, OPT_KEEPUP },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "to", required_argument, NULL, OPT_TO },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	enum verb verb;
	int n_verbs;
	const char *layout, *cgroup_root;
	const char *format, *output;   /* --to/--from FORMAT, -o */
	struct launch_opts lo;
};

static int set_verb(struct cli *c, enum verb v)
{
	c->verb = v;
	return ++c->n_verbs;
}

/* -p NAME without a '/': the file it names, in the lookup places. */
static int find_profile(struct cli *c)
{
	static char path[4096];
	cg_err e = { 0 };

	if (cgkit_profile_find(c->lo.profile_path, path, sizeof(path), &e) < 0) {
		fprintf(stderr, "cgrun: -p: %s\n", e.msg);
		return -1;
	}
	c->lo.profile_path = path;
	return 0;
}

/* --from takes its files and then -o/--output/--force in any order
 * ("cgrun --from cgconfig FILE -o DIR"): getopt stopped at the first file
 * (options end at the first word that is not one, for the command of a
 * launch). The files are gathered at the front of argv + optind, NULL after
 * them. */
static int from_operands(struct cli *c, int argc, char **argv)
{
	char **out = argv + optind;

	for (int i = optind; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "cgrun: %s needs an argument (OUT)\n", a);
				return -1;
			}
			c->output = argv[++i];
		} else if (strncmp(a, "--output=", 9) == 0) {
			c->output = a + 9;
		} else if (strncmp(a, "-o", 2) == 0 && a[2]) {
			c->output = a + 2;
		} else if (strcmp(a, "--force") == 0) {
			c->lo.force = true;
		} else if (strcmp(a, "--") == 0) {
			while (++i < argc)
				*out++ = argv[i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cgrun: %s: after --from FORMAT FILE only -o OUT and --force\n", a);
			return -1;
		} else {
			*out++ = argv[i];
		}
	}
	*out = NULL;
	return 0;
}

static int parse_args(int argc, char **argv, struct cli *c)
{
	int opt;

	c->lo.stop_timeout = 10.0;
	while ((opt = getopt_long(argc, argv, "+p:g:o:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p': c->lo.profile_path = optarg; break;
		case OPT_CHECK: set_verb(c, VERB_CHECK); break;
		case OPT_PLAN: set_verb(c, VERB_PLAN); break;
		case OPT_APPLY: set_verb(c, VERB_APPLY); break;
		case OPT_REMOVE: set_verb(c, VERB_REMOVE); break;
		case OPT_SHOW: set_verb(c, VERB_SHOW); break;
		case OPT_GC: set_verb(c, VERB_GC); break;
		case OPT_PID: {
			char *end;
			long v;

			set_verb(c, VERB_PID);
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > 4194304) {
				fprintf(stderr, "cgrun: --pid: '%s' is not a process id (a positive number)\n", optarg);
				return -1;
			}
			c->lo.pid = (pid_t)v;
			break;
		}
		case OPT_TREE: c->lo.tree = true; break;
		case OPT_LAYOUT: c->layout = optarg; break;
		case OPT_ROOT: c->cgroup_root = optarg; break;
		case OPT_PARENT: c->lo.ov.parent = optarg; break;
		case OPT_FORCE: c->lo.force = true; break;
		case OPT_NAME: c->lo.ov.name = optarg; break;
		case OPT_CPU: c->lo.ov.cpu = optarg; break;
		case OPT_MEMORY: c->lo.ov.memory = optarg; break;
		case OPT_PIDS: c->lo.ov.pids = optarg; break;
		case OPT_CPUS: c->lo.ov.cpus = optarg; break;
		case OPT_IOW: c->lo.ov.io_weight = optarg; break;
		case 'g': c->lo.ov.child = optarg; break;
		case OPT_ENV: {
			const char **n;

			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "cgrun: --env: '%s' is not NAME=VALUE\n", optarg);
				return -1;
			}
			n = realloc(c->lo.env, (c->lo.n_env + 1) * sizeof(*n));
			if (!n) {
				fprintf(stderr, "cgrun: out of memory\n");
				return -1;
			}
			c->lo.env = n;
			c->lo.env[c->lo.n_env++] = optarg;
			break;
		}
		case OPT_USER: c->lo.user = optarg; break;
		case OPT_WORKDIR: c->lo.workdir = optarg; break;
		case OPT_NOINIT: c->lo.no_init = true; break;
		case OPT_STOPT: {
			char *end;

			c->lo.stop_timeout = strtod(optarg, &end);
			if (*end || !(c->lo.stop_timeout >= 0 && c->lo.stop_timeout <= 86400)) {
				fprintf(stderr, "cgrun: --stop-timeout: '%s' is not a number of seconds (0 .. 86400)\n", optarg);
				return -1;
			}
			break;
		}
		case OPT_KEEPUP: c->lo.keep_upper = optarg; break;
		case OPT_STATS: c->lo.stats = true; break;
		case OPT_TO: set_verb(c, VERB_TO); c->format = optarg; break;
		case OPT_FROM: set_verb(c, VERB_FROM); c->format = optarg; break;
		case 'o': c->output = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("cgrun %s\n", cgkit_version); exit(0);
		default:
			fprintf(stderr, "cgrun: see 'cgrun --help'\n");
			return -1;
		}
	}
	if (c->n_verbs > 1) {
		fprintf(stderr, "cgrun: give one of --check, --plan, --apply, --remove, --show, --pid, --gc, "
				"--to, --from\n");
		return -1;
	}
	c->lo.argv = argv + optind;
	if (c->verb == VERB_FROM && from_operands(c, argc, argv) < 0)
		return -1;
	if (c->verb == VERB_RUN && !argv[optind]) {
		fprintf(stderr, "cgrun: no command to run; usage: cgrun -p PROFILE -- COMMAND (see --help)\n");
		return -1;
	}
	if (c->output && c->verb != VERB_FROM) {
		fprintf(stderr, "cgrun: -o goes with --from only (--to prints on stdout)\n");
		return -1;
	}
	if (c->verb != VERB_RUN && c->verb != VERB_FROM && argv[optind]) {
		fprintf(stderr, "cgrun: unexpected argument '%s' with this verb\n", argv[optind]);
		return -1;
	}
	if (c->lo.tree && c->verb != VERB_PID) {
		fprintf(stderr, "cgrun: --tree goes with --pid only\n");
		return -1;
	}
	if (c->verb != VERB_RUN && (c->lo.n_env || c->lo.user || c->lo.workdir || c->lo.no_init ||
				    c->lo.keep_upper || c->lo.stats)) {
		fprintf(stderr, "cgrun: --env, --user, --workdir, --no-init, --keep-upper and --stats "
				"go with launching a command only\n");
		return -1;
	}
	if ((c->layout || c->cgroup_root) && c->verb != VERB_PLAN) {
		fprintf(stderr, "cgrun: --layout and --cgroup-root go with --plan only\n");
		return -1;
	}
	/* the option's error, not the profile's: said here for every verb */
	if (c->lo.ov.parent && profile_parent_invalid(c->lo.ov.parent)) {
		fprintf(stderr, "cgrun: --parent '%s': %s\n", c->lo.ov.parent,
			profile_parent_invalid(c->lo.ov.parent));
		return -1;
	}
	if (c->verb >= VERB_CHECK && c->verb <= VERB_SHOW && !c->lo.profile_path) {
		fprintf(stderr, "cgrun: this verb needs a profile: -p FILE\n");
		return -1;
	}
	return c->lo.profile_path ? find_profile(c) : 0;
}

static struct profile *load_profile(const char *path)
{
	struct profile_opts po = { .host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					       (uint64_t)sysconf(_SC_PAGESIZE) };
	struct diags d;
	struct profile *p;

	diags_init(&d, path);
	p = profile_load(path, &po, &d);
	diags_print(&d, stderr);
	return p;
}

static int get_layout(const struct cli *c, struct cg_layout *l)
{
	cg_err e = { 0 };

	if (c->layout) {
		enum cg_mode m;

		if (!strcmp(c->layout, "v1"))
			m = CG_MODE_V1;
		else if (!strcmp(c->layout, "v2"))
			m = CG_MODE_V2;
		else {
			fprintf(stderr, "cgrun: --layout: '%s' is not a layout; use v1 or v2\n", c->layout);
			return -1;
		}
		if (cg_layout_standard(m, c->cgroup_root ? c->cgroup_root : "/sys/fs/cgroup", l, &e) < 0)
			goto fail;
		return 0;
	}
	if (cg_layout_detect(l, &e) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "cgrun: %s\n", e.msg);
	return -1;
}

static int run_engine_verb(struct cli *c)
{
	struct profile *p = load_profile(c->lo.profile_path);
	struct plan_opts po = { .parent = c->lo.ov.parent };
	struct cg_layout l = { 0 };
	struct diags d;
	cg_err e = { 0 };
	int rc = -1;

	if (!p)
		return CGRUN_EXIT_FAIL;
	if (c->verb == VERB_CHECK) {
		profile_free(p);
		return 0;
	}
	diags_init(&d, c->lo.profile_path);
	if (get_layout(c, &l) < 0)
		goto out;
	switch (c->verb) {
	case VERB_PLAN: {
		struct plan pl = { 0 };

		rc = plan_build(p, &l, &po, c->layout ? &cg_reader_empty : &cg_reader_fs, &pl, &d, &e);
		if (rc == 0)
			plan_print(&pl, stdout);
		plan_free(&pl);
		break;
	}
	case VERB_APPLY:
	case VERB_REMOVE: {
		/* the launches' lock: a launch's group is not made or removed
		 * under an apply or a remove of the same group */
		int lock = launch_unpriv_check(p, &l, po.parent, &e) < 0 ? -1 : launch_lock(&e);

		if (lock < 0) {
			rc = -1;
			break;
		}
		if (c->verb == VERB_REMOVE)
			rc = policy_remove(p, &l, &po, c->lo.force, &e);
		else if ((rc = launch_cg_check_parent(p, &l, po.parent, &e)) == 0 &&
			 (rc = policy_apply(p, &l, &po, &d, &e)) == 0)
			rc = policy_adopt(p, &l, &po, &e);
		launch_unlock(lock);
		break;
	}
	case VERB_SHOW:
		rc = policy_show(p, &l, &po, stdout, &e);
		break;
	default:
		break;
	}
	diags_print(&d, stderr);
	if (rc < 0 && e.msg[0])
		fprintf(stderr, "cgrun: %s\n", e.msg);
out:
	cg_layout_free(&l);
	profile_free(p);
	return rc < 0 ? CGRUN_EXIT_FAIL : 0;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	int rc;

	if (parse_args(argc, argv, &c) < 0) {
		free(c.lo.env);
		return CGRUN_EXIT_FAIL;
	}
	switch (c.verb) {
	case VERB_RUN: rc = launch_run(&c.lo); break;
	case VERB_PID: rc = launch_move_pid(&c.lo); break;
	case VERB_GC: rc = launch_gc(&c.lo); break;
	case VERB_TO:
	case VERB_FROM: {
		struct convert_opts co = { .out = c.output, .force = c.lo.force,
					   .profile_path = c.lo.profile_path };

		rc = c.verb == VERB_TO ? convert_cli_to(c.format, &co)
				       : convert_cli_from(c.format, c.lo.argv, &co);
		break;
	}
	default: rc = run_engine_verb(&c); break;
	}
	free(c.lo.env);
	return rc;
}
