/* Conversions (cgrun --to/--from): each direction's mapping, the round
 * trips over every shipped and sample profile (profile -> format -> profile
 * gives the same profile, but for what the format cannot carry, which the
 * expected profile drops here, named, and the converter warns about), the
 * strict JSON reader and the bad-input errors with their places. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "convert.h"
#include "jread.h"
#include "mapping.h"
#include "profile_emit.h"

#define GiB (1024ULL * 1024 * 1024)

static const struct profile_opts OPTS = {.host_ram = 8 * GiB};
static char tmpdir[] = "/tmp/cgkit-convert.XXXXXX";

static void top_path(char *out, size_t len, const char *rel)
{
	const char *me = __FILE__;
	const char *tail = strstr(me, "tests/unit/");
	int n = tail ? (int)(tail - me) : 0;

	snprintf(out, len, "%.*s%s", n, me, rel);
}

static void put_file(const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* to(): the text, the warnings in d */
static char *to_text(const struct profile *p, const char *format, struct diags *d)
{
	const struct convert_format *f = convert_find(format);
	struct convert_opts o = {.variant = strchr(format, ':') ? strchr(format, ':') + 1 : NULL};
	cg_err e = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(f);
	diags_init(d, p->path);
	assert_int_equal(f->to(p, &o, m, d, &e), 0);
	fclose(m);
	assert_int_equal(d->errors, 0);
	return buf;
}

/* from(): the one document, its comment line cut; NULL with errors in d */
static char *from_files(const char *format, const char *const *files, size_t n, struct diags *d)
{
	const struct convert_format *f = convert_find(format);
	struct convert_opts o = {0};
	struct convert_sink s = {0};
	cg_err e = {0};
	char *text = NULL;
	int errors = 0;

	for (size_t i = 0; i < n; i++)
		diags_init(&d[i], files[i]);
	assert_int_equal(f->from(files, n, &o, &s, d, &e), 0);
	for (size_t i = 0; i < n; i++)
		errors += d[i].errors;
	if (!errors) {
		assert_int_equal(s.n_docs, 1);
		assert_null(s.docs[0].name);
		assert_memory_equal(s.docs[0].text, "# from ", 7);
		text = strdup(strchr(s.docs[0].text, '\n') + 1);
	} else {
		for (size_t i = 0; i < n; i++)
			diags_print(&d[i], stderr);
		assert_int_equal(s.n_docs, 0);
	}
	convert_sink_free(&s);
	return text;
}

static char *from_text(const char *format, const char *name, const char *text, struct diags *d)
{
	char path[4096];
	const char *files[1] = {path};

	put_file(name, text, path, sizeof(path));
	return from_files(format, files, 1, d);
}

/* What a format cannot carry, dropped from the expected profile (each is a
 * warning of the converter or a form that means the same):
 * - all: children, launch settings, parent, description (a unit's or a
 *   container's own business), the name (the file's), empty sections;
 * - cpu.quota comes back as cpu.max where that is exact (the same cap);
 * - oci: device paths become MAJ:MIN, an iops of max is left out, a period
 *   of 100ms is the default; oci:v1: io.weight goes through blockIO.weight's
 *   10..1000, and swap on top of no memory limit is no swap limit. */
struct expect {
	struct profile q;
	struct io_device *devs;
};

static bool cpu_any(const struct cpu_spec *c)
{
	return c->max.set || c->quota.set || c->period.set || c->weight.set;
}

static void expect_of(const struct profile *p, const char *format, const char *name,
		      struct expect *x)
{
	struct group_spec *g = &x->q.group;
	bool oci = !strncmp(format, "oci", 3), v1 = !strcmp(format, "oci:v1");

	memset(x, 0, sizeof(*x));
	x->q.group = p->group;
	x->q.parent.s = "cgkit";
	g->name.s = (char *)name;
	g->description.s = NULL;
	g->n_children = 0;
	if (g->cpu.quota.set && g->cpu.quota.v * 1000000 % profile_cpu_period_us(&g->cpu) == 0) {
		g->cpu.max = (struct pval){.set = true,
					   .v = g->cpu.quota.v * 1000000 / profile_cpu_period_us(&g->cpu)};
		g->cpu.quota.set = false;
	}
	if (oci && g->cpu.period.set && g->cpu.period.v == PROFILE_DEFAULT_PERIOD_US)
		g->cpu.period.set = false;
	if (v1 && g->io.weight.set)
		g->io.weight.v = map_io_weight_from(MK_IO_WEIGHT, false,
						   map_io_weight_to(MK_IO_WEIGHT, false, g->io.weight.v));
	if (v1 && g->memory.max.is_max && g->memory.swap.set)
		g->memory.swap.is_max = true;
	x->devs = calloc(g->io.n_devices + 1, sizeof(*x->devs));
	g->io.devices = g->io.n_devices ? x->devs : NULL;
	g->io.n_devices = 0;
	for (size_t i = 0; i < p->group.io.n_devices; i++) {
		struct io_device d = p->group.io.devices[i];
		struct stat st;

		if (oci) {
			if (!d.has_majmin) {
				assert_int_equal(stat(d.path.s, &st), 0);
				d.major = major(st.st_rdev);
				d.minor = minor(st.st_rdev);
			}
			d.path.s = NULL;
			if (d.read_iops.is_max)
				d.read_iops.set = false;
			if (d.write_iops.is_max)
				d.write_iops.set = false;
			if (!d.read_bps.set && !d.write_bps.set && !d.read_iops.set && !d.write_iops.set)
				continue;
		}
		x->devs[g->io.n_devices++] = d;
	}
	g->cpu.present = cpu_any(&g->cpu) || (oci && (g->cpuset.cpus.s || g->cpuset.mems.s));
	g->memory.present = g->memory.max.set || g->memory.high.set || g->memory.swap.set;
	g->io.present = g->io.weight.set || g->io.n_devices;
	g->cpuset.present = g->cpuset.cpus.s || g->cpuset.mems.s;
	g->pids.present = g->pids.max.set;
	if (oci)
		g->cpu.present = cpu_any(&g->cpu);
}

/* MAJ:MIN paths, written for the expected profile */
static char *expect_text(struct expect *x)
{
	char bufs[16][32];
	char *t;

	for (size_t i = 0; i < x->q.group.io.n_devices && i < 16; i++)
		if (!x->devs[i].path.s) {
			snprintf(bufs[i], sizeof(bufs[i]), "%u:%u", x->devs[i].major, x->devs[i].minor);
			x->devs[i].path.s = bufs[i];
		}
	t = profile_emit_str(&x->q, NULL);
	free(x->devs);
	return t;
}

static int trip_dir(const char *rel, const char *format)
{
	char dir[4096], path[8192];
	struct dirent *e;
	DIR *dp;
	int n = 0;

	top_path(dir, sizeof(dir), rel);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((e = readdir(dp))) {
		struct diags d, dt, df;
		struct profile *p;
		struct expect x;
		char *mid, *back, *want;
		const char *file = !strncmp(format, "oci", 3) ? "trip.json" : "trip.service";
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") || !strncmp(e->d_name, "bad-", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		diags_init(&d, path);
		p = profile_load(path, &OPTS, &d);
		assert_non_null(p);
		mid = to_text(p, format, &dt);
		back = from_text(format, file, mid, &df);
		if (!back)
			diags_print(&df, stderr);
		assert_non_null(back);
		expect_of(p, format, "trip", &x);
		want = expect_text(&x);
		if (strcmp(want, back))
			fprintf(stderr, "%s via %s:\n%s\nwanted:\n%s\ngot:\n%s\n", path, format, mid,
				want, back);
		assert_string_equal(want, back);
		/* what was dropped was said */
		if (p->group.n_children)
			assert_true(dt.warnings > 0);
		free(mid);
		free(back);
		free(want);
		profile_free(p);
		n++;
	}
	closedir(dp);
	return n;
}

static void test_round_trips(void **state)
{
	static const char *const formats[] = {"systemd", "oci:v1", "oci:v2"};

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		assert_true(trip_dir("profiles", formats[i]) >= 4);
		assert_true(trip_dir("tests/profiles", formats[i]) >= 4);
	}
}

static struct profile *parse(const char *text)
{
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(text, strlen(text), "t.yaml", &OPTS, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

static void test_to_systemd(void **state)
{
	struct profile *p = parse("name: w\ncpu: {max: 12.345%, period: 20ms, weight: 7}\n"
				  "memory: {max: 1536M, high: 4097K, swap: 0}\n"
				  "io: {weight: 9, devices: [{path: \"8:0\", read_bps: 10M}]}\n"
				  "pids: {max: max}\nchildren: [{name: c}]\n");
	struct diags d;
	char *t;

	(void)state;
	t = to_text(p, "systemd", &d);
	/* a share of ONE cpu, up to systemd's 1/100 %, said */
	assert_non_null(strstr(t, "[Service]\nCPUQuota=12.35%\nCPUQuotaPeriodSec=20ms\nCPUWeight=7\n"));
	assert_non_null(strstr(t, "MemoryMax=1536M\nMemoryHigh=4097K\nMemorySwapMax=0\nIOWeight=9\n"));
	/* bandwidth as plain bytes: systemd's K is 1000 there */
	assert_non_null(strstr(t, "IOReadBandwidthMax=/dev/block/8:0 10485760\nTasksMax=infinity\n"));
	assert_int_equal(d.warnings, 2); /* the rounding, the child */
	assert_int_equal(d.items[0].line, 2);
	free(t);
	t = to_text(p, "systemd:slice", &d);
	assert_non_null(strstr(t, "\n[Slice]\n"));
	free(t);
	t = to_text(p, "systemd-run", &d);
	assert_non_null(strstr(t, "-p CPUQuota=12.35% -p CPUQuotaPeriodSec=20ms"));
	assert_non_null(strstr(t, " -p 'IOReadBandwidthMax=/dev/block/8:0 10485760' -p TasksMax=infinity\n"));
	free(t);
	profile_free(p);
}

static void test_from_systemd(void **state)
{
	char p1[4096], p2[4096];
	const char *files[2] = {p1, p2};
	struct diags d[2];
	char *t;

	(void)state;
	mkdir(strcat(strcpy(p2, tmpdir), "/web.service.d"), 0755);
	put_file("web.service",
		 "[Unit]\nDescription=The web\n[Service]\nExecStart=/bin/true\n"
		 "CPUQuota=150%\nCPUQuotaPeriodSec=0.05\nMemoryMax=1G\nMemoryLow=1G\n"
		 "IOReadBandwidthMax=/dev/vda 10M\nIOWriteIOPSMax=/dev/block/8:0 1K\n"
		 "IOReadIOPSMax=/dev/block/8:0 2\n"
		 "AllowedCPUs=0 1  3\nTasksMax=infinity\n",
		 p1, sizeof(p1));
	put_file("web.service.d/more.conf", "[Service]\nMemoryMax=2G\nMemorySwapMax=1G\n", p2, sizeof(p2));
	t = from_files("systemd", files, 2, d);
	assert_non_null(t);
	/* base 1000 for io rates: 10M is 10000000 bytes */
	assert_string_equal(t, "name: \"web\"\ndescription: \"The web\"\nparent: \"cgkit\"\ncpu:\n"
			       "  max: 150%\n  period: 50000\nmemory:\n  max: 2G\n  swap: 1G\nio:\n"
			       "  devices:\n    - path: \"/dev/vda\"\n      read_bps: 10000000\n"
			       "    - path: \"8:0\"\n      read_iops: 2\n      write_iops: 1000\ncpuset:\n  cpus: \"0-1,3\"\n"
			       "pids:\n  max: max\n");
	assert_int_equal(d[0].warnings, 1); /* MemoryLow, at its value */
	assert_int_equal(d[0].items[0].line, 8);
	assert_int_equal(d[0].items[0].col, 11);
	free(t);

	/* a bad value: its line and column, the profile's reason; nothing made */
	assert_null(from_text("systemd", "a.service", "[Service]\n\nCPUWeight=0\n", d));
	assert_int_equal(d[0].errors, 1);
	assert_int_equal(d[0].items[0].line, 3);
	assert_int_equal(d[0].items[0].col, 11);
	assert_non_null(strstr(d[0].items[0].msg, "1 to 10000"));
	assert_null(from_text("systemd", "a.service", "[Service]\nCPUQuota=1.5\n", d));
	assert_non_null(strstr(d[0].items[0].msg, "share of one cpu"));
	assert_null(from_text("systemd", "a.service", "CPUQuota=10%\n  junk\n", d));
	assert_int_equal(d[0].items[0].line, 2);
	assert_int_equal(d[0].items[0].col, 3);
	assert_null(from_text("systemd", "a.service", "MemoryMax=1G\nMemoryHigh=2G\n", d));
	assert_int_equal(d[0].errors, 1);
	assert_null(from_text("systemd", "a.service", "IOReadBandwidthMax=/dev/vda\n", d));
	assert_int_equal(d[0].errors, 1);
}

static void test_to_oci(void **state)
{
	struct profile *p = parse("name: w\ncpu: {max: 50%, weight: 100}\n"
				  "memory: {max: 1G, high: 512M, swap: 256M}\npids: {max: 64}\n");
	struct diags d;
	char *t;

	(void)state;
	t = to_text(p, "oci:v1", &d);
	/* swap is memory + swap; reservation is v1's soft limit */
	assert_non_null(strstr(t, "\"shares\": 1024,\n    \"quota\": 50000,\n    \"period\": 100000"));
	assert_non_null(strstr(t, "\"limit\": 1073741824,\n    \"reservation\": 536870912,\n"
				  "    \"swap\": 1342177280"));
	assert_non_null(strstr(t, "\"pids\": {\n    \"limit\": 64\n  }"));
	assert_null(strstr(t, "unified"));
	free(t);
	t = to_text(p, "oci:v2", &d);
	assert_null(strstr(t, "reservation"));
	assert_non_null(strstr(t, "\"unified\": {\n    \"cpu.max\": \"50000 100000\",\n"
				  "    \"cpu.weight\": \"100\",\n    \"memory.max\": \"1073741824\",\n"
				  "    \"memory.high\": \"536870912\",\n    \"memory.swap.max\": \"268435456\",\n"
				  "    \"pids.max\": \"64\"\n  }"));
	free(t);
	profile_free(p);
}

static void test_from_oci(void **state)
{
	struct diags d[1];
	char *t;

	(void)state;
	/* a whole config.json, tabs and all, as runc spec writes it */
	t = from_text("oci", "config.json",
		      "{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"linux\": {\n\t\t\"resources\": {\n"
		      "\t\t\t\"devices\": [{\"allow\": false, \"access\": \"rwm\"}],\n"
		      "\t\t\t\"memory\": {\"limit\": 1073741824, \"swap\": 1342177280},\n"
		      "\t\t\t\"cpu\": {\"quota\": 33333, \"period\": 70000, \"shares\": 512}\n\t\t}\n\t}\n}\n",
		      d);
	assert_non_null(t);
	assert_non_null(strstr(t, "cpu:\n  quota: 33333\n  period: 70000\n  weight: 50\nmemory:\n  max: 1G\n  swap: 256M\n"));
	assert_int_equal(d[0].warnings, 1); /* devices: not carried */
	assert_int_equal(d[0].items[0].line, 5);
	free(t);
	/* swap below the limit: OCI's swap is memory + swap */
	assert_null(from_text("oci", "r.json", "{\"memory\": {\"limit\": 100000, \"swap\": 4096}}", d));
	assert_int_equal(d[0].items[0].line, 1);
	assert_int_equal(d[0].items[0].col, 38);
	assert_non_null(strstr(d[0].items[0].msg, "memory + swap"));
	/* unified wins: exact */
	t = from_text("oci", "r.json", "{\"blockIO\": {\"weight\": 510}, \"unified\": "
			 "{\"io.weight\": \"default 300\", \"memory.high\": \"max\", \"x.y\": \"1\"}}", d);
	assert_non_null(t);
	assert_non_null(strstr(t, "io:\n  weight: 300\n"));
	assert_int_equal(d[0].warnings, 1);
	free(t);
	assert_null(from_text("oci", "r.json", "{\"pids\": {\"limit\": \"12\"}}", d));
	assert_int_equal(d[0].items[0].col, 20);
	assert_null(from_text("oci", "r.json", "{\"cpu\": {\"shares\": 1024,}}", d));
	assert_int_equal(d[0].items[0].col, 25);
	assert_non_null(strstr(d[0].items[0].msg, "trailing comma"));
}

static void jbad(const char *text, int line, int col, const char *why_part)
{
	struct jnode *n;
	int l = 0, c = 0;
	char why[200];

	assert_int_equal(jread(text, strlen(text), &n, &l, &c, why, sizeof(why)), -1);
	assert_null(n);
	if (l != line || c != col || !strstr(why, why_part))
		fprintf(stderr, "%s: %d:%d %s\n", text, l, c, why);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
	assert_non_null(strstr(why, why_part));
}

static void test_jread(void **state)
{
	struct jnode *n;
	int l, c;
	char why[200], deep[200];
	int64_t i;

	(void)state;
	static const char ok[] = "{\"a\": [1, -2, 0.5e3, true, null, \"\\u00e9\\ud83d\\ude00\\n\"]}";

	if (jread(ok, strlen(ok), &n, &l, &c, why, sizeof(why)) < 0)
		fprintf(stderr, "%d:%d %s\n", l, c, why);
	assert_non_null(n);
	assert_int_equal(jget(n, "a")->n, 6);
	assert_int_equal(jint(jget(n, "a")->items[1], &i), 0);
	assert_int_equal(i, -2);
	assert_int_equal(jint(jget(n, "a")->items[2], &i), -1);
	assert_string_equal(jget(n, "a")->items[5]->s, "é😀\n");
	assert_int_equal(jget(n, "a")->items[5]->col, 34);
	jfree(n);
	jbad("{\"a\": 1, \"a\": 2}", 1, 10, "already at line 1, column 2");
	jbad("[01]", 1, 2, "not a number");
	jbad("{\"a\": 1} x", 1, 10, "more text");
	jbad("\"\\u0000\"", 1, 8, "NUL");
	jbad("\"\xff\"", 1, 2, "not UTF-8");
	jbad("\"a\nb\"", 1, 3, "control character");
	jbad("[1,\n  ]", 2, 3, "trailing comma");
	jbad("// c\n{}", 1, 1, "not a number");
	jbad("\"\\ud800x\"", 1, 8, "lone surrogate");
	jbad("", 1, 1, "ends where a value");
	memset(deep, '[', 100);
	deep[100] = 0;
	jbad(deep, 1, 65, "deeper than 64");
}

static void test_sink(void **state)
{
	struct convert_sink s = {0};
	char dir[4096], f[8192];
	cg_err e = {0};
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/out", tmpdir);
	assert_int_equal(convert_sink_put(&s, "a.yaml", "A\n", &e), 0);
	assert_int_equal(convert_sink_put(&s, "b.yaml", "B\n", &e), 0);
	assert_int_equal(convert_sink_commit(&s, NULL, false, &e), -1);
	assert_int_equal(convert_sink_commit(&s, dir, false, &e), 0);
	snprintf(f, sizeof(f), "%s/b.yaml", dir);
	assert_int_equal(stat(f, &st), 0);
	unlink(f);
	/* a.yaml is there: refused, and b.yaml not written either */
	assert_int_equal(convert_sink_commit(&s, dir, false, &e), -1);
	assert_non_null(strstr(e.msg, "--force"));
	assert_int_equal(stat(f, &st), -1);
	assert_int_equal(convert_sink_commit(&s, dir, true, &e), 0);
	assert_int_equal(stat(f, &st), 0);
	unlink(f);
	snprintf(f, sizeof(f), "%s/a.yaml", dir);
	unlink(f);
	rmdir(dir);
	convert_sink_free(&s);
	assert_null(convert_find("nope"));
	assert_non_null(convert_find("systemd:slice"));
}

/* every input the JSON fuzzer crashed on, and its seeds, run again */
static void test_fuzz_inputs(void **state)
{
	static const char *const dirs[] = {"tests/fuzz/json-regressions", "tests/fuzz/json-corpus"};
	const struct profile_opts po = {.host_ram = 8 * GiB};
	int n = 0;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		char dir[4096], path[8192];
		struct dirent *e;
		DIR *dp;

		top_path(dir, sizeof(dir), dirs[k]);
		dp = opendir(dir);
		assert_non_null(dp);
		while ((e = readdir(dp))) {
			struct convert_sink s = {0};
			struct diags d;
			cg_err err = {0};
			char *buf;
			long len;
			FILE *f;

			if (e->d_name[0] == '.' || !strcmp(e->d_name, "README"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			f = fopen(path, "r");
			assert_non_null(f);
			fseek(f, 0, SEEK_END);
			len = ftell(f);
			rewind(f);
			buf = malloc((size_t)len + 1);
			assert_non_null(buf);
			assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
			fclose(f);
			diags_init(&d, path);
			(void)convert_oci_from_text(buf, (size_t)len, path, &po, &s, &d, &err);
			convert_sink_free(&s);
			free(buf);
			n++;
		}
		closedir(dp);
	}
	assert_true(n >= 3);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips), cmocka_unit_test(test_to_systemd),
		cmocka_unit_test(test_from_systemd), cmocka_unit_test(test_to_oci),
		cmocka_unit_test(test_from_oci), cmocka_unit_test(test_jread),
		cmocka_unit_test(test_sink), cmocka_unit_test(test_fuzz_inputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
