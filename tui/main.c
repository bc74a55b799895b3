/* cgtop: a top-style view of every control group. Options, and the two
 * loops: batch/JSON frames, and the screen (data.c refreshes, screen.c
 * draws, keys.c maps a key to what it does and what must be redone). */
#include "cgtop.h"
#include "keys.h"
#include "screen.h"
#include "stats_prom.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: cgtop [options] [GROUP]\n"
	      "Shows every control group's cpu, memory, io, pids and pressure, live.\n"
	      "\n"
	      "  -d, --delay SECONDS    refresh interval (default 1; 0.01 .. 3600)\n"
	      "  -n, --iterations N     stop after N refreshes\n"
	      "      --depth N          show groups at most N levels below the top\n"
	      "  -s, --sort FIELD       cpu, mem, io, pids, throttled, name, or any field\n"
	      "  -r, --reverse          reverse the sort order\n"
	      "  -p, --parent GROUP     show only GROUP and the groups below it\n"
	      "      --flat             a flat list instead of the tree\n"
	      "  -f, --fields LIST      columns, comma-separated (see --list-fields)\n"
	      "      --list-fields      print the columns and what they show\n"
	      "  -b, --batch            plain text frames, no screen\n"
	      "      --json             one JSON object per refresh, one line each\n"
	      "      --format FMT       text, json, prometheus (text format 0.0.4) or\n"
	      "                         openmetrics: the metrics once, raw counters\n"
	      "      --max-series N     metrics: at most N group series (default 100000)\n"
	      "      --machine          CPU%% as a share of the whole machine\n"
	      "      --raw-mem          memory with page cache (as the kernel counts it)\n"
	      "      --no-skip          read every file at every refresh (for measuring)\n"
	      "      --profiles DIR     the profiles the C key offers\n"
	      "                         (default %s)\n"
	      "      --cgkitd-state FILE  cgkitd's state file, for the penalty column\n"
	      "                         (default $CGKIT_STATE, else " PENALTY_STATE_DEFAULT ")\n"
	      "      --replay DIR       show the history cgkitd recorded in DIR instead of\n"
	      "                         the groups now ([ ] step, @ go to a time, space play)\n"
	      "      --since TIME       replay from TIME: 03:10, \"2026-12-01 03:10\",\n"
	      "                         \"10m ago\", today, yesterday, @SECONDS\n"
	      "      --until TIME       replay up to TIME\n"
	      "  -h, --help             this text\n"
	      "  -V, --version          the version\n"
	      "GROUP is a path relative to the cgroup mounts (\"/\" is the root);\n"
	      "see cgtop(1) for the keys.\n",
	      cgkit_profiles_dir);
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(struct cgtop *t, int argc, char **argv)
{
	enum { OPT_DEPTH = 256, OPT_JSON, OPT_FLAT, OPT_LIST, OPT_MACHINE, OPT_RAWMEM, OPT_NOSKIP,
	       OPT_PROFILES, OPT_STATE, OPT_FORMAT, OPT_MAXSERIES, OPT_REPLAY, OPT_SINCE, OPT_UNTIL };
	static const struct option longopts[] = {
		{"delay", required_argument, NULL, 'd'},
		{"iterations", required_argument, NULL, 'n'},
		{"depth", required_argument, NULL, OPT_DEPTH},
		{"sort", required_argument, NULL, 's'},
		{"reverse", no_argument, NULL, 'r'},
		{"parent", required_argument, NULL, 'p'},
		{"flat", no_argument, NULL, OPT_FLAT},
		{"fields", required_argument, NULL, 'f'},
		{"list-fields", no_argument, NULL, OPT_LIST},
		{"batch", no_argument, NULL, 'b'},
		{"json", no_argument, NULL, OPT_JSON},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"max-series", required_argument, NULL, OPT_MAXSERIES},
		{"machine", no_argument, NULL, OPT_MACHINE},
		{"raw-mem", no_argument, NULL, OPT_RAWMEM},
		{"no-skip", no_argument, NULL, OPT_NOSKIP},
		{"profiles", required_argument, NULL, OPT_PROFILES},
		{"cgkitd-state", required_argument, NULL, OPT_STATE},
		{"replay", required_argument, NULL, OPT_REPLAY},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	cg_err e = {0};
	bool fields_given = false;
	long l;
	int o;

	while ((o = getopt_long(argc, argv, "d:n:s:rp:f:bhV", longopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (parse_double(optarg, 0.01, 3600, &t->interval) < 0) {
				fprintf(stderr, "cgtop: -d: '%s' is not a number of seconds from 0.01 to 3600\n", optarg);
				return -1;
			}
			break;
		case 'n':
			if (parse_long(optarg, 1, 1000000000L, &t->iterations) < 0) {
				fprintf(stderr, "cgtop: -n: '%s' is not a positive number of refreshes\n", optarg);
				return -1;
			}
			break;
		case OPT_DEPTH:
			if (parse_long(optarg, 0, 4096, &l) < 0) {
				fprintf(stderr, "cgtop: --depth: '%s' is not a number from 0 to 4096\n", optarg);
				return -1;
			}
			t->depth = (int)l;
			break;
		case 's': {
			int c = stats_col_by_name(optarg);

			if (c < 0 || c == COL_PENALTY) {
				fprintf(stderr, "cgtop: --sort: %s field '%s'; use cpu, mem, io, pids, "
						"throttled, name or a number field of --list-fields\n",
					c < 0 ? "unknown" : "not a sort key:", optarg);
				return -1;
			}
			t->view.sort = c;
			break;
		}
		case 'r':
			t->view.reverse = true;
			break;
		case 'p':
			t->start = optarg;
			break;
		case OPT_FLAT:
			t->view.tree = false;
			break;
		case 'f':
			if (stats_cols_parse(optarg, &t->cols, &e) < 0) {
				fprintf(stderr, "cgtop: --fields: %s\n", e.msg);
				return -1;
			}
			fields_given = true;
			break;
		case OPT_LIST:
			for (size_t c = 0; c < COL_COUNT; c++)
				printf("%-11s %-7s %-24s %s\n", stats_cols[c].name, stats_cols[c].title,
				       stats_cols[c].json, stats_cols[c].help);
			exit(0);
		case 'b':
			t->batch = true;
			break;
		case OPT_JSON:
			t->json = true;
			t->batch = true;
			break;
		case OPT_FORMAT:
			t->json = t->metrics = t->openmetrics = false;
			if (strcmp(optarg, "json") == 0) {
				t->json = true;
			} else if (strcmp(optarg, "prometheus") == 0) {
				t->metrics = true;
			} else if (strcmp(optarg, "openmetrics") == 0) {
				t->metrics = t->openmetrics = true;
			} else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "cgtop: --format: unknown format '%s'; use text, json, "
						"prometheus or openmetrics\n", optarg);
				return -1;
			}
			t->batch = true;
			break;
		case OPT_MAXSERIES:
			if (parse_long(optarg, 1, 100000000L, &l) < 0) {
				fprintf(stderr, "cgtop: --max-series: '%s' is not a number from 1 to 100000000\n",
					optarg);
				return -1;
			}
			t->max_series = (size_t)l;
			break;
		case OPT_MACHINE:
			t->machine_pct = true;
			break;
		case OPT_RAWMEM:
			t->mem_raw = true;
			break;
		case OPT_NOSKIP:
			t->no_skip = true;
			break;
		case OPT_PROFILES:
			t->profiles = optarg;
			break;
		case OPT_STATE:
			if (!*optarg) {
				fprintf(stderr, "cgtop: --cgkitd-state: give a file name\n");
				return -1;
			}
			t->state_path = optarg;
			break;
		case OPT_REPLAY:
			if (!*optarg) {
				fprintf(stderr, "cgtop: --replay: give the history directory\n");
				return -1;
			}
			t->replay_dir = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (stats_time_parse(optarg, time(NULL), o == OPT_SINCE ? &t->since_us : &t->until_us,
					     &e) < 0) {
				fprintf(stderr, "cgtop: --%s: %s\n", o == OPT_SINCE ? "since" : "until", e.msg);
				return -2;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("cgtop %s\n", cgkit_version);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		if (t->start || optind + 1 < argc) {
			fprintf(stderr, "cgtop: give one group to start from (got '%s')\n", argv[optind]);
			return -1;
		}
		t->start = argv[optind];
	}
	if ((t->since_us || t->until_us) && !t->replay_dir) {
		fprintf(stderr, "cgtop: --since and --until choose the frames of a replay: give --replay DIR\n");
		return -2;
	}
	if (t->replay_dir && t->metrics) {
		fprintf(stderr, "cgtop: --replay prints frames as text or JSON, not --format %s\n",
			t->openmetrics ? "openmetrics" : "prometheus");
		return -2;
	}
	if (t->metrics && t->iterations > 1) {
		fprintf(stderr, "cgtop: --format %s prints the metrics once: give -n 1 or no -n\n",
			t->openmetrics ? "openmetrics" : "prometheus");
		return -1;
	}
	if (!t->state_path) {
		const char *env = getenv("CGKIT_STATE");

		t->state_path = env && *env ? env : PENALTY_STATE_DEFAULT;
	}
	/* the penalty column is a default one only where cgkitd keeps a state */
	if (!fields_given && access(t->state_path, F_OK) == 0)
		t->cols |= COL_BIT(COL_PENALTY);
	return 0;
}

/* A group path with a "." or ".." component would walk out of the cgroup
 * mounts. */
static bool path_leaves_mounts(const char *path)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int run_batch(struct cgtop *t)
{
	/* A first sample, so that the first frame has rates. */
	if (cgtop_refresh(t) < 0) {
		fprintf(stderr, "cgtop: %s\n", t->msg);
		return 1;
	}
	for (long i = 0; !t->iterations || i < t->iterations; i++) {
		struct stats_frame f;

		sleep_s(t->interval);
		if (cgtop_refresh(t) < 0) {
			fprintf(stderr, "cgtop: %s\n", t->msg);
			return 1;
		}
		f = cgtop_frame(t);
		if (t->json)
			stats_print_json(&f, stdout);
		else
			stats_print_text(&f, stdout);
		if (ferror(stdout))
			return 1;
	}
	return 0;
}

static int print_frame(struct cgtop *t)
{
	struct stats_frame f = cgtop_frame(t);

	if (t->json)
		stats_print_json(&f, stdout);
	else
		stats_print_text(&f, stdout);
	return ferror(stdout) ? -1 : 0;
}

/* The frames of the history, as fast as they print. */
static int run_batch_replay(struct cgtop *t)
{
	cg_err e = {0};

	if (cgtop_replay_frames(t, print_frame, &e) < 0) {
		fprintf(stderr, "cgtop: --replay %s: %s\n", t->replay_dir, e.msg);
		return 1;
	}
	return 0;
}

/* The metrics once (the textfile route): the raw counters of one refresh,
 * the groups GROUP/--depth select, and the collector's own figures. */
static int run_metrics(struct cgtop *t)
{
	char top[4096];
	const char *groups[1] = {top};
	struct stats_prom_opts o = {
		.openmetrics = t->openmetrics,
		.groups = groups,
		.ngroups = 1,
		.depth = t->depth,
		.max_series = t->max_series,
	};
	size_t left_out = 0;
	cg_err e = {0};

	if (stats_refresh(t->c, &e) < 0) {
		fprintf(stderr, "cgtop: %s\n", e.msg);
		return 1;
	}
	snprintf(top, sizeof(top), "/%s", t->start ? t->start + strspn(t->start, "/") : "");
	for (size_t n = strlen(top); n > 1 && top[n - 1] == '/'; n--)
		top[n - 1] = '\0';
	stats_prom_groups(stdout, t->c, &o, &left_out);
	stats_prom_family(stdout, &o, "cgkit_groups", "gauge",
			  "Groups the collector saw below the top it was given.");
	stats_prom_sample(stdout, "cgkit_groups", NULL, (double)stats_live_count(t->c));
	stats_prom_family(stdout, &o, "cgkit_series_left_out", "gauge",
			  "Group series left out of this output by the cap on series.");
	stats_prom_sample(stdout, "cgkit_series_left_out", NULL, (double)left_out);
	stats_prom_end(stdout, &o);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cgtop: writing the metrics: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int run_screen(struct cgtop *t)
{
	const char *help[64][2];
	size_t nhelp = keys_help(help, sizeof(help) / sizeof(help[0]));
	uint64_t next;
	long done = 0;

	if (screen_start() < 0) {
		fprintf(stderr, "cgtop: cannot start the screen (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	if (t->replay_dir) {
		cg_err e = {0};

		if (cgtop_replay_goto(t, t->replay_first, &e) < 0)
			cgtop_say(t, "replay: %s", e.msg);
		cgtop_build_view(t);
		next = mono_ms() + (uint64_t)(t->interval * 1000);
	} else {
		cgtop_refresh(t);
		next = mono_ms() + 200;   /* a quick second sample gives rates at once */
	}
	while (!t->quit) {
		int64_t wait;
		unsigned redo;
		int ch;

		/* only what is on screen (and the sort key) is read */
		cgtop_read_cols(t, screen_columns(t));
		if (t->mode == MODE_PROCS)
			cgtop_sort_procs(t);
		screen_draw(t, help, nhelp);
		wait = (int64_t)next - (int64_t)mono_ms();
		ch = screen_key(wait > 0 ? (int)wait : 0);
		if (ch == SCREEN_NO_KEY) {
			if (t->replay_dir) {
				if (t->playing)
					cgtop_replay_play(t);
			} else if (!t->paused) {
				cgtop_refresh(t);
				if (t->mode == MODE_PROCS)
					cgtop_read_procs(t);
				if (t->iterations && ++done >= t->iterations)
					break;
			}
			next = mono_ms() + (uint64_t)(t->interval * 1000);
			continue;
		}
		if (ch == SCREEN_RESIZE)
			continue;
		t->msg[0] = '\0';
		if (t->mode == MODE_HELP) {
			t->mode = MODE_GROUPS;
			continue;
		}
		redo = keys_dispatch(t, ch);
		if (redo & CGTOP_VIEW)
			cgtop_build_view(t);
		if (redo & CGTOP_PROCS) {
			stats_procs_free(&t->procs);
			t->procs.t_prev_ns = 0;
			cgtop_read_procs(t);
		}
	}
	screen_stop();
	return 0;
}

static void cleanup(struct cgtop *t)
{
	stats_procs_free(&t->procs);
	penalty_view_free(&t->pen);
	free(t->proc_order);
	free(t->order);
	free(t->scratch);
	stats_close(t->c);
	cgtop_replay_close(t);
}

/* --replay: no cgroup is read; the frames come from the history. */
static int main_replay(struct cgtop *t)
{
	struct stats_opts so = {.start = t->start, .cols = t->cols};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cg_err e = {0};
	int rc;

	if (!t->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		t->batch = true;
	if (!t->batch) {
		char why[160];

		if (!screen_usable(why, sizeof(why))) {
			fprintf(stderr, "cgtop: %s: printing frames as -b does\n", why);
			t->batch = true;
		}
	}
	t->cols &= ~COL_BIT(COL_PENALTY);   /* cgkitd's state is now's, not the history's */
	t->host = (struct stats_host){.cpu_pct = NAN, .ncpu = ncpu > 0 ? (unsigned)ncpu : 1,
				      .load = {NAN, NAN, NAN}};
	t->c = stats_open_replay(&so, t->host.ncpu, &e);
	if (!t->c || cgtop_replay_open(t, &e) < 0) {
		fprintf(stderr, "cgtop: %s\n", e.msg);
		rc = e.errnum == ERANGE || e.errnum == ENOENT || e.errnum == EINVAL ? 125 : 1;
		cleanup(t);
		return rc;
	}
	rc = t->batch ? run_batch_replay(t) : run_screen(t);
	cleanup(t);
	return rc;
}

int main(int argc, char **argv)
{
	struct cgtop t = {
		.interval = 1.0,
		.depth = -1,
		.cols = STATS_COLS_DEFAULT,
		.view = {.sort = COL_CPU, .tree = true, .max_depth = -1},
		.proc_sort = 'c',
		.proc_group_idx = -1,
	};
	struct stats_opts so = {0};
	cg_err e = {0};
	int rc;

	setlocale(LC_ALL, "");
	tzset();
	/* The group arrays are rebuilt at each scan: big blocks from mmap go
	 * back to the system when freed, and the heap does not grow with
	 * every scan (glibc would raise the threshold after the first free). */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	rc = parse_args(&t, argc, argv);
	if (rc < 0)
		return rc == -2 ? 125 : 2;
	if (t.start && path_leaves_mounts(t.start)) {
		fprintf(stderr, "cgtop: group '%s': a group path may not hold '.' or '..'; give a path "
				"from the top of the cgroup mounts, such as /system.slice\n",
			t.start);
		return 125;
	}
	t.view.max_depth = t.depth;
	if (t.replay_dir)
		return main_replay(&t);
	if (cg_layout_detect(&t.layout, &e) < 0) {
		fprintf(stderr, "cgtop: finding the cgroup mounts: %s\n", e.msg);
		return 1;
	}
	if (!t.batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		/* no terminal: frames, as -b would print them */
		t.batch = true;
	}
	if (!t.batch) {
		char why[160];

		if (!screen_usable(why, sizeof(why))) {
			fprintf(stderr, "cgtop: %s: printing frames as -b does\n", why);
			t.batch = true;
		}
	}
	so.start = t.start;
	so.cols = t.cols;
	so.no_skip = t.no_skip;
	/* batch: a first sample, then one per frame */
	so.refreshes = t.batch && t.iterations ? (unsigned long)t.iterations + 1 : 0;
	so.first_unseen = t.batch;   /* the first sample only starts the rates */
	if (t.metrics) {
		/* one refresh of every file: counters need no second sample */
		so.metrics = true;
		so.refreshes = 1;
		so.first_unseen = false;
	}
	t.c = stats_open(&t.layout, &so, &e);
	if (!t.c) {
		fprintf(stderr, "cgtop: %s\n", e.msg);
		cg_layout_free(&t.layout);
		return 1;
	}
	rc = t.metrics ? run_metrics(&t) : t.batch ? run_batch(&t) : run_screen(&t);
	stats_procs_free(&t.procs);
	penalty_view_free(&t.pen);
	free(t.proc_order);
	free(t.order);
	free(t.scratch);
	stats_close(t.c);
	cg_layout_free(&t.layout);
	return rc;
}
