/* The history store (src/history): what is written is read back equal
 * (values and have bits, across restarts, hour rotation, groups coming and
 * going, counter resets), torn and damaged segments never give a wrong
 * frame, keep/max prune whole old segments, one writer at a time, and the
 * size per group per sample on a realistic idle host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
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


/* ---- a model of what was written, to compare the frames with ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same series on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

struct mframe {
	uint64_t time_us;
	size_t n;
	struct hist_group g[64];
	char *events[8];
	size_t n_events;
};

struct model {
	struct mframe *f;
	size_t n, cap;
	char *pending[8];      /* events written since the last sample */
	size_t n_pending;
};

static void model_add(struct model *m, uint64_t t, const struct hist_group *g, size_t n)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->f = realloc(m->f, m->cap * sizeof(*m->f));
		assert_non_null(m->f);
	}
	struct mframe *f = &m->f[m->n++];
	memset(f, 0, sizeof(*f));
	f->time_us = t;
	f->n = n;
	memcpy(f->g, g, n * sizeof(*g));
	memcpy(f->events, m->pending, m->n_pending * sizeof(char *));
	f->n_events = m->n_pending;
	m->n_pending = 0;
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < m->f[i].n_events; k++)
			free(m->f[i].events[k]);
	for (size_t k = 0; k < m->n_pending; k++)
		free(m->pending[k]);
	free(m->f);
	memset(m, 0, sizeof(*m));
}

/* The frame equals what was written: time, groups in order, have bits and
 * the values they cover, the events before it. */
static void assert_frame(const struct hist_frame *f, const struct mframe *m)
{
	assert_true(f->time_us == m->time_us);
	assert_int_equal(f->n, m->n);
	for (size_t i = 0; i < m->n; i++) {
		assert_string_equal(f->g[i].path, m->g[i].path);
		assert_int_equal(f->g[i].s.have, m->g[i].s.have);
		for (unsigned v = 0; v < SV_COUNT; v++)
			if (m->g[i].s.have & SV_BIT(v))
				assert_true(f->g[i].s.v[v] == m->g[i].s.v[v]);
	}
	assert_int_equal(f->n_events, m->n_events);
	for (size_t k = 0; k < m->n_events; k++)
		assert_string_equal(f->events[k], m->events[k]);
}

static const char *const paths[] = {
	"", "system.slice", "system.slice/sshd.service", "user.slice", "user.slice/user-1000.slice",
	"cgkit/users/alice", "cgkit/users/bob", "cgkit/penalty/cpu-hog/4242", "a", "a/b", "a/b/c",
	"docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"x", "y", "z", "machine.slice", "init.scope", "with space", "ünïcode", "last",
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

/* One group's next values: mostly small deltas, sometimes big ones, counter
 * resets (a group made again), values coming and going, "no limit". */
static void evolve(struct stats_sample *s)
{
	if (rnd_below(20) == 0)
		s->have ^= SV_BIT(rnd_below(SV_COUNT));
	if (rnd_below(50) == 0)
		s->have = (uint32_t)rnd() & ((1u << SV_COUNT) - 1);
	for (unsigned v = 0; v < SV_COUNT; v++) {
		switch (rnd_below(10)) {
		case 0:
			s->v[v] = rnd();                    /* anything */
			break;
		case 1:
			s->v[v] = rnd_below(100);           /* reset */
			break;
		case 2:
			s->v[v] = STATS_UNLIMITED;
			break;
		case 3:
			s->v[v] -= rnd_below(1000);
			break;
		default:
			s->v[v] += rnd_below(v == SV_CPU_NS ? 50000000 : 64);
		}
	}
}

/* Writes a random history into dir (restarts, hours, groups coming and
 * going, events) and records it in m. */
static void write_random(const char *dir, struct model *m, int samples, uint64_t seed)
{
	struct hist_opts o = {.dir = dir, .interval_us = 5 * SEC};
	struct stats_sample cur[N_PATHS];
	bool present[N_PATHS];
	struct hist_writer *w;
	cg_err e = {0};
	uint64_t t = T0 + rnd_below(3600) * SEC;

	rng_state = seed;
	memset(cur, 0, sizeof(cur));
	for (size_t p = 0; p < N_PATHS; p++) {
		present[p] = rnd_below(2);
		cur[p].have = (uint32_t)rnd() & ((1u << SV_COUNT) - 1);
	}
	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	for (int i = 0; i < samples; i++) {
		struct hist_group g[N_PATHS];
		size_t n = 0;
		if (rnd_below(25) == 0) {             /* cgkitd restarted */
			hist_writer_close(w);
			assert_int_equal(hist_writer_open(&w, &o, &e), 0);
		}
		if (rnd_below(6) == 0 && m->n_pending < 8) {
			char ev[64];
			snprintf(ev, sizeof(ev), "{\"n\":%d,\"r\":%llu}", i,
				 (unsigned long long)rnd_below(1000));
			assert_int_equal(hist_write_event(w, t, ev, &e), 0);
			m->pending[m->n_pending++] = strdup(ev);
		}
		for (size_t p = 0; p < N_PATHS; p++) {
			if (rnd_below(15) == 0)
				present[p] = !present[p];
			if (!present[p])
				continue;
			evolve(&cur[p]);
			g[n].path = paths[p];
			g[n].s = cur[p];
			n++;
		}
		/* shuffle: the order is the writer's to keep */
		for (size_t k = n; k > 1; k--) {
			size_t j = rnd_below(k);
			struct hist_group tmp = g[k - 1];
			g[k - 1] = g[j];
			g[j] = tmp;
		}
		assert_int_equal(hist_write_sample(w, t, g, n, &e), 0);
		model_add(m, t, g, n);
		t += rnd_below(12) == 0 ? rnd_below(3) * 3600 * SEC + 1 : 5 * SEC;
	}
	hist_writer_close(w);
}

static void test_random_series_read_back_equal(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		char *dir = mkdtemp_dir();
		struct model m = {0};
		struct hist_reader *r;
		struct hist_frame f;
		cg_err e = {0};
		uint64_t a, b;

		write_random(dir, &m, 300, seed * 7919);
		assert_int_equal(hist_reader_open(&r, dir, &e), 0);
		hist_range(r, &a, &b);
		assert_true(a == m.f[0].time_us && b == m.f[m.n - 1].time_us);
		for (size_t i = 0; i < m.n; i++) {
			assert_int_equal(hist_next(r, &f, &e), 1);
			assert_frame(&f, &m.f[i]);
		}
		assert_int_equal(hist_next(r, &f, &e), 0);
		/* backwards, all the way */
		for (size_t i = m.n; i-- > 0;) {
			assert_int_equal(hist_prev(r, &f, &e), 1);
			assert_frame(&f, &m.f[i]);
		}
		assert_int_equal(hist_prev(r, &f, &e), 0);
		/* seeks: the first sample at or after the time, then steps */
		for (int k = 0; k < 40; k++) {
			size_t i = rnd_below(m.n);
			uint64_t t = m.f[i].time_us - (rnd_below(2) ? 1 : 0);
			size_t want = 0;
			while (want < m.n && m.f[want].time_us < t)
				want++;
			assert_int_equal(hist_seek(r, t, &e), 0);
			assert_int_equal(hist_next(r, &f, &e), 1);
			assert_frame(&f, &m.f[want]);
			if (want + 1 < m.n) {
				assert_int_equal(hist_next(r, &f, &e), 1);
				assert_frame(&f, &m.f[want + 1]);
				assert_int_equal(hist_prev(r, &f, &e), 1);
				assert_frame(&f, &m.f[want + 1]);
			}
			assert_int_equal(hist_prev(r, &f, &e), 1);
			assert_frame(&f, &m.f[want]);
		}
		assert_int_equal(hist_seek(r, m.f[m.n - 1].time_us + 1, &e), 0);
		assert_int_equal(hist_next(r, &f, &e), 0);
		assert_int_equal(hist_seek(r, 0, &e), 0);
		assert_int_equal(hist_next(r, &f, &e), 1);
		assert_frame(&f, &m.f[0]);
		hist_reader_close(r);
		model_free(&m);
		rm_dir(dir);
	}
}

/* ---- damage ---- */

static uint8_t *read_whole(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

/* A small one-segment history: its bytes, its model, where each sample's
 * record ends. */
struct small {
	char *dir;
	char seg[512];
	uint8_t *buf;
	size_t len;
	struct model m;
	size_t ends[64];       /* end offset of sample k's record */
	size_t rec_start[256], n_rec;
};

static void small_make(struct small *s)
{
	struct hist_opts o = {.dir = NULL, .interval_us = 5 * SEC};
	struct hist_writer *w;
	cg_err e = {0};
	struct hist_group g[3] = {{.path = ""}, {.path = "a"}, {.path = "a/b"}};
	char name[HIST_NAME_LEN + 1];

	memset(s, 0, sizeof(*s));
	s->dir = mkdtemp_dir();
	o.dir = s->dir;
	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	for (int i = 0; i < 6; i++) {
		size_t n = i == 3 ? 2 : 3;
		for (size_t k = 0; k < 3; k++) {
			g[k].s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM) | SV_BIT(SV_PIDS_MAX);
			g[k].s.v[SV_CPU_NS] = 123456789ull * (uint64_t)(i + 1) * (k + 1);
			g[k].s.v[SV_MEM] = 1000000 - 4096ull * (uint64_t)i;
			g[k].s.v[SV_PIDS_MAX] = STATS_UNLIMITED;
		}
		if (i == 4) {
			g[2].path = "a/new";
			assert_int_equal(hist_write_event(w, T0 + i * 5 * SEC, "{\"act\":\"cap\"}", &e), 0);
			s->m.pending[s->m.n_pending++] = strdup("{\"act\":\"cap\"}");
		}
		assert_int_equal(hist_write_sample(w, T0 + i * 5 * SEC, g, n, &e), 0);
		model_add(&s->m, T0 + i * 5 * SEC, g, n);
	}
	hist_writer_close(w);
	hist_segment_name(T0, name);
	snprintf(s->seg, sizeof(s->seg), "%s/%s", s->dir, name);
	s->buf = read_whole(s->seg, &s->len);
	size_t off = 0, k = 0;
	for (;;) {
		uint64_t t;
		uint16_t kind;
		const uint8_t *p;
		size_t pl, n = hist_record_at(s->buf, s->len, off, &t, &kind, &p, &pl);
		if (!n)
			break;
		s->rec_start[s->n_rec++] = off;
		off += n;
		if (kind == HIST_K_SAMPLE)
			s->ends[k++] = off;
	}
	assert_int_equal(off, s->len);
	assert_int_equal(k, 6);
}

static void small_free(struct small *s)
{
	model_free(&s->m);
	free(s->buf);
	rm_dir(s->dir);
}

/* Every frame the reader gives is the model's, in order; returns how many. */
static size_t read_all_checked(struct hist_reader *r, const struct model *m)
{
	struct hist_frame f;
	cg_err e = {0};
	size_t n = 0;
	int rc;

	while ((rc = hist_next(r, &f, &e)) == 1) {
		assert_true(n < m->n);
		assert_frame(&f, &m->f[n]);
		n++;
	}
	assert_int_equal(rc, 0);
	return n;
}

static void test_truncated_at_every_byte(void **state)
{
	(void)state;
	struct small s;
	small_make(&s);
	for (size_t cut = 0; cut <= s.len; cut++) {
		const uint8_t *bufs[1] = {s.buf};
		size_t lens[1] = {cut}, whole = 0;
		struct hist_reader *r;
		cg_err e = {0};
		while (whole < 6 && s.ends[whole] <= cut)
			whole++;
		assert_int_equal(hist_reader_open_mem(&r, bufs, lens, 1, &e), 0);
		assert_int_equal(read_all_checked(r, &s.m), whole);
		hist_reader_close(r);
	}
	small_free(&s);
}

/* The writer cuts a torn tail off before appending: what was whole stays,
 * the new sample follows it. */
static void test_writer_cuts_torn_tail(void **state)
{
	(void)state;
	struct small s;
	small_make(&s);
	for (size_t cut = 0; cut <= s.len; cut++) {
		struct hist_opts o = {.dir = s.dir, .interval_us = 5 * SEC};
		struct hist_group g = {.path = "after", .s = {.have = SV_BIT(SV_TASKS), .v = {[SV_TASKS] = 7}}};
		struct hist_writer *w;
		struct hist_reader *r;
		struct hist_frame f;
		cg_err e = {0};
		size_t whole = 0;
		int fd = open(s.seg, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, s.buf, cut), (ssize_t)cut);
		close(fd);
		while (whole < 6 && s.ends[whole] <= cut)
			whole++;
		assert_int_equal(hist_writer_open(&w, &o, &e), 0);
		assert_int_equal(hist_write_sample(w, T0 + 100 * SEC, &g, 1, &e), 0);
		hist_writer_close(w);
		assert_int_equal(hist_reader_open(&r, s.dir, &e), 0);
		for (size_t i = 0; i < whole; i++) {
			assert_int_equal(hist_next(r, &f, &e), 1);
			assert_frame(&f, &s.m.f[i]);
		}
		assert_int_equal(hist_next(r, &f, &e), 1);
		assert_true(f.time_us == T0 + 100 * SEC);
		assert_int_equal(f.n, 1);
		assert_string_equal(f.g[0].path, "after");
		assert_true(f.g[0].s.v[SV_TASKS] == 7);
		assert_int_equal(hist_next(r, &f, &e), 0);
		hist_reader_close(r);
	}
	small_free(&s);
}

static void test_flipped_byte_ends_segment(void **state)
{
	(void)state;
	struct small s;
	small_make(&s);
	for (size_t at = 0; at < s.len; at++) {
		uint8_t *copy = malloc(s.len);
		assert_non_null(copy);
		memcpy(copy, s.buf, s.len);
		copy[at] ^= (uint8_t)(1u << (at % 8));
		const uint8_t *bufs[1] = {copy};
		size_t lens[1] = {s.len}, whole = 0, rec = 0;
		struct hist_reader *r;
		cg_err e = {0};
		while (rec + 1 < s.n_rec && s.rec_start[rec + 1] <= at)
			rec++;
		/* the samples wholly before the damaged record */
		while (whole < 6 && s.ends[whole] <= s.rec_start[rec])
			whole++;
		assert_int_equal(hist_reader_open_mem(&r, bufs, lens, 1, &e), 0);
		assert_int_equal(read_all_checked(r, &s.m), whole);
		hist_reader_close(r);
		free(copy);
	}
	small_free(&s);
}

/* ---- bounds and the lock ---- */

static uint64_t dir_segments_bytes(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0, start;
	char p[512];
	struct stat st;

	assert_non_null(d);
	*count = 0;
	while ((de = readdir(d))) {
		if (!hist_segment_time(de->d_name, &start))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		assert_int_equal(stat(p, &st), 0);
		total += (uint64_t)st.st_size;
		(*count)++;
	}
	closedir(d);
	return total;
}

static void write_hours(const char *dir, uint64_t keep_us, uint64_t max, int hours,
			uint64_t *max_seen)
{
	struct hist_opts o = {.dir = dir, .interval_us = 600 * SEC, .keep_us = keep_us,
			      .max_bytes = max};
	struct hist_writer *w;
	cg_err e = {0};
	struct hist_group g[4] = {{.path = "a"}, {.path = "b"}, {.path = "c"}, {.path = "d"}};

	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	*max_seen = 0;
	for (int i = 0; i < hours * 6; i++) {
		for (int k = 0; k < 4; k++) {
			g[k].s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM);
			g[k].s.v[SV_CPU_NS] = (uint64_t)i * 987654321u;
			g[k].s.v[SV_MEM] = (uint64_t)i * 4096 * (k + 1);
		}
		assert_int_equal(hist_write_sample(w, T0 + (uint64_t)i * 600 * SEC, g, 4, &e), 0);
		size_t n;
		uint64_t total = dir_segments_bytes(dir, &n);
		if (total > *max_seen)
			*max_seen = total;
	}
	hist_writer_close(w);
}

static void test_keep_and_max_prune_old_segments(void **state)
{
	(void)state;
	char *dir = mkdtemp_dir();
	uint64_t max_seen, seg_size;
	size_t n;

	/* no limits: one segment an hour, all kept */
	write_hours(dir, 0, 0, 10, &max_seen);
	uint64_t all = dir_segments_bytes(dir, &n);
	assert_int_equal(n, 10);
	seg_size = all / 10;
	rm_dir(dir);

	/* keep 2 h: at the end, the segments of the last three hours at most */
	dir = mkdtemp_dir();
	write_hours(dir, 2 * 3600 * SEC, 0, 10, &max_seen);
	dir_segments_bytes(dir, &n);
	assert_true(n >= 2 && n <= 3);
	char name[HIST_NAME_LEN + 1], p[512];
	hist_segment_name(T0 + 9 * 3600 * SEC, name);
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(access(p, F_OK), 0);
	hist_segment_name(T0 + 6 * 3600 * SEC, name);
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(access(p, F_OK), -1);
	rm_dir(dir);

	/* max of three segments and a half: never over it, after every write */
	dir = mkdtemp_dir();
	uint64_t max = seg_size * 7 / 2;
	write_hours(dir, 0, max, 10, &max_seen);
	printf("history: max %llu bytes, the directory at most %llu\n", (unsigned long long)max,
	       (unsigned long long)max_seen);
	assert_true(max_seen <= max);
	dir_segments_bytes(dir, &n);
	assert_true(n >= 3 && n <= 4);
	rm_dir(dir);
}

static void test_second_writer_gets_lock_error(void **state)
{
	(void)state;
	char *dir = mkdtemp_dir();
	struct hist_opts o = {.dir = dir, .interval_us = 5 * SEC};
	struct hist_writer *w, *w2;
	cg_err e = {0};
	char want[128];

	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	assert_int_equal(hist_writer_open(&w2, &o, &e), -1);
	assert_null(w2);
	assert_int_equal(e.errnum, EWOULDBLOCK);
	snprintf(want, sizeof(want), "%s is being written by pid %ld", dir, (long)getpid());
	assert_non_null(strstr(e.msg, want));
	hist_writer_close(w);
	assert_int_equal(hist_writer_open(&w2, &o, &e), 0);
	hist_writer_close(w2);
	rm_dir(dir);
}

/* ---- size ---- */

/* A realistic idle host: 200 groups, one hour every 5 s; most groups idle
 * (a few ms of cpu, a few pages of memory moving), some busy, limits fixed. */
static void test_bytes_per_group_per_sample(void **state)
{
	(void)state;
	enum { GROUPS = 200, SAMPLES = 720 };
	char *dir = mkdtemp_dir();
	struct hist_opts o = {.dir = dir, .interval_us = 5 * SEC};
	struct hist_writer *w;
	static struct hist_group g[GROUPS];
	static char names[GROUPS][64];
	cg_err e = {0};

	rng_state = 42;
	for (int k = 0; k < GROUPS; k++) {
		snprintf(names[k], sizeof(names[k]), "system.slice/service-%03d.service", k);
		g[k].path = names[k];
		struct stats_sample *s = &g[k].s;
		s->have = (1u << SV_COUNT) - 1;
		s->v[SV_CPU_NS] = rnd_below(1ull << 40);
		s->v[SV_PERIODS] = rnd_below(100000);
		s->v[SV_QUOTA_US] = k % 4 ? STATS_UNLIMITED : 50000;
		s->v[SV_PERIOD_US] = 100000;
		s->v[SV_MEM] = rnd_below(1ull << 30);
		s->v[SV_MEM_INACTIVE_FILE] = s->v[SV_MEM] / 3;
		s->v[SV_MEM_LIMIT] = k % 3 ? STATS_UNLIMITED : 1ull << 31;
		s->v[SV_IO_RBYTES] = rnd_below(1ull << 32);
		s->v[SV_IO_WBYTES] = rnd_below(1ull << 32);
		s->v[SV_PIDS] = 1 + rnd_below(20);
		s->v[SV_PIDS_MAX] = STATS_UNLIMITED;
		s->v[SV_TASKS] = s->v[SV_PIDS];
	}
	assert_int_equal(hist_writer_open(&w, &o, &e), 0);
	for (int i = 0; i < SAMPLES; i++) {
		for (int k = 0; k < GROUPS; k++) {
			struct stats_sample *s = &g[k].s;
			bool busy = k % 20 == 0;
			s->v[SV_CPU_NS] += busy ? 1000000000ull + rnd_below(500000000) : rnd_below(5000000);
			if (s->v[SV_QUOTA_US] != STATS_UNLIMITED && busy) {
				s->v[SV_PERIODS] += 50;
				s->v[SV_THROTTLED] += rnd_below(10);
			}
			if (rnd_below(3) == 0)
				s->v[SV_MEM] += (rnd_below(64) - 32) * 4096;
			if (rnd_below(10) == 0)
				s->v[SV_MEM_INACTIVE_FILE] += (rnd_below(16) - 8) * 4096;
			if (rnd_below(8) == 0)
				s->v[SV_IO_WBYTES] += rnd_below(64) * 4096;
			if (busy)
				s->v[SV_IO_RBYTES] += rnd_below(1 << 20);
			if (rnd_below(50) == 0)
				s->v[SV_PIDS] = s->v[SV_TASKS] = 1 + rnd_below(20);
			s->v[SV_PSI_CPU] = busy ? rnd_below(2000) : 0;
			s->v[SV_PSI_MEM] = 0;
			s->v[SV_PSI_IO] = rnd_below(20) == 0 ? rnd_below(100) : 0;
		}
		assert_int_equal(hist_write_sample(w, T0 + (uint64_t)i * 5 * SEC, g, GROUPS, &e), 0);
	}
	double per = (double)hist_writer_bytes(w) / (GROUPS * SAMPLES);
	printf("history: %.1f bytes per group per sample (%d groups, %d samples, all %d values; "
	       "1,000 groups every 5 s for 7 days: %.2f GiB)\n",
	       per, GROUPS, SAMPLES, SV_COUNT, per * 1000 * 17280 * 7 / (1 << 30));
	assert_true(per <= 40.0);
	hist_writer_close(w);
	rm_dir(dir);
}

/* ---- the fuzzer's finds ---- */

/* Every input the fuzzer crashed on (tests/fuzz/history-regressions/), read
 * as fuzz_history does: as one segment, as two cut where the first byte
 * says, then with its CRCs made right. */
static void test_fuzz_regressions_replayed(void **state)
{
	(void)state;
	const char *dir = "tests/fuzz/history-regressions";
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char p[512];
		size_t len;
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		uint8_t *b = read_whole(p, &len);
		for (int pass = 0; pass < 3; pass++) {
			size_t cut = len > 1 ? (size_t)b[0] * len / 256 : len;
			const uint8_t *bufs[2] = {b, b + cut};
			size_t lens[2] = {pass == 1 ? cut : len, len - cut};
			struct hist_reader *r;
			struct hist_frame f;
			cg_err e;
			if (pass == 2) {
				size_t off = 0;
				while (len - off >= HIST_REC_HEAD) {
					uint32_t l = hist_get_u32(b + off);
					if (l < HIST_REC_MIN || l > len - off - 8)
						break;
					hist_put_u32(b + off + 4, hist_crc32c(0, b + off + 8, l));
					off += 8 + (size_t)l;
				}
			}
			if (hist_reader_open_mem(&r, bufs, lens, pass == 1 ? 2 : 1, &e) < 0)
				continue;
			uint64_t a, z;
			while (hist_next(r, &f, &e) == 1)
				;
			while (hist_prev(r, &f, &e) == 1)
				;
			hist_range(r, &a, &z);
			if (hist_seek(r, a + (z - a) / 2, &e) == 0)
				hist_next(r, &f, &e);
			hist_prev(r, &f, &e);
			hist_reader_close(r);
		}
		free(b);
		n++;
	}
	closedir(d);
	printf("history: %d fuzzer finds replayed\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_basic),
		cmocka_unit_test(test_random_series_read_back_equal),
		cmocka_unit_test(test_truncated_at_every_byte),
		cmocka_unit_test(test_writer_cuts_torn_tail),
		cmocka_unit_test(test_flipped_byte_ends_segment),
		cmocka_unit_test(test_keep_and_max_prune_old_segments),
		cmocka_unit_test(test_second_writer_gets_lock_error),
		cmocka_unit_test(test_bytes_per_group_per_sample),
		cmocka_unit_test(test_fuzz_regressions_replayed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
