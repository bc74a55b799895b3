/* The history writer (history.h): one per directory (flock on DIR/lock),
 * records appended with one write() each to the segment of the record's hour,
 * a new header (and so a fresh string table and fresh deltas) each time a
 * segment is opened, torn tails cut off before appending, old segments
 * pruned by keep and max. The format: docs/history-format.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "history.h"
#include "history_fmt.h"

/* fdatasync after this many records, or this long after the last one */
#define SYNC_RECORDS 64
#define SYNC_NS (60ull * 1000000000ull)

struct wpath {
	char *path;
	uint64_t v[SV_COUNT];
	uint32_t have;
};

struct hist_writer {
	char *dir;
	int dirfd, lockfd, fd;         /* fd: the open segment, -1 none */
	char seg[HIST_NAME_LEN + 1];
	uint64_t seg_start;            /* start of the open segment's hour */
	uint64_t seg_size;             /* its size after the last good write */
	struct hist_opts o;
	uint64_t bytes;                /* written by this writer */
	uint64_t total;                /* segments' bytes in the directory (for max) */
	unsigned unsynced;
	uint64_t last_sync_ns;
	char boot_id[64];
	char host[256];
	/* the open segment's string table and previous values, by path id */
	struct wpath *ids;
	size_t n_ids, cap_ids;
	uint32_t *slots;               /* hash of paths: id + 1, 0 empty */
	size_t n_slots;
	uint8_t *buf;
	size_t buf_cap;
	size_t *gid;                   /* a sample's groups' ids */
	size_t gid_cap;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t path_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void table_reset(struct hist_writer *w)
{
	for (size_t i = 0; i < w->n_ids; i++)
		free(w->ids[i].path);
	w->n_ids = 0;
	if (w->slots)
		memset(w->slots, 0, w->n_slots * sizeof(*w->slots));
}

static int table_grow(struct hist_writer *w, cg_err *e)
{
	size_t n = w->n_slots ? w->n_slots * 2 : 256;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return cg_err_set(e, ENOMEM, "history: out of memory");
	for (size_t i = 0; i < w->n_ids; i++) {
		size_t k = path_hash(w->ids[i].path) & (n - 1);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)i + 1;
	}
	free(w->slots);
	w->slots = s;
	w->n_slots = n;
	return 0;
}

/* The id of path, added (new = true) when absent. */
static int table_id(struct hist_writer *w, const char *path, size_t *id, bool *new, cg_err *e)
{
	if ((w->n_ids + 1) * 2 > w->n_slots && table_grow(w, e) < 0)
		return -1;
	size_t k = path_hash(path) & (w->n_slots - 1);
	while (w->slots[k]) {
		size_t i = w->slots[k] - 1;
		if (strcmp(w->ids[i].path, path) == 0) {
			*id = i;
			*new = false;
			return 0;
		}
		k = (k + 1) & (w->n_slots - 1);
	}
	if (w->n_ids == w->cap_ids) {
		size_t cap = w->cap_ids ? w->cap_ids * 2 : 64;
		struct wpath *ids = realloc(w->ids, cap * sizeof(*ids));
		if (!ids)
			return cg_err_set(e, ENOMEM, "history: out of memory");
		w->ids = ids;
		w->cap_ids = cap;
	}
	struct wpath *p = &w->ids[w->n_ids];
	memset(p, 0, sizeof(*p));
	p->path = strdup(path);
	if (!p->path)
		return cg_err_set(e, ENOMEM, "history: out of memory");
	w->slots[k] = (uint32_t)w->n_ids + 1;
	*id = w->n_ids++;
	*new = true;
	return 0;
}

static int buf_room(struct hist_writer *w, size_t need, cg_err *e)
{
	if (need <= w->buf_cap)
		return 0;
	size_t cap = w->buf_cap ? w->buf_cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *b = realloc(w->buf, cap);
	if (!b)
		return cg_err_set(e, ENOMEM, "history: out of memory");
	w->buf = b;
	w->buf_cap = cap;
	return 0;
}

/* Frames the payload at buf[at + 18, at + 18 + plen) as a record. */
static size_t frame(uint8_t *buf, size_t at, uint64_t time_us, uint16_t kind, size_t plen)
{
	uint8_t *r = buf + at;
	uint32_t len = (uint32_t)(plen + HIST_REC_MIN);

	hist_put_u32(r, len);
	hist_put_u64(r + 8, time_us);
	hist_put_u16(r + 16, kind);
	hist_put_u32(r + 4, hist_crc32c(0, r + 8, len));
	return HIST_REC_HEAD + plen;
}

static size_t put_tag(uint8_t *p, unsigned tag, const void *val, size_t len)
{
	size_t n = hist_put_varint(p, tag);
	n += hist_put_varint(p + n, len);
	memcpy(p + n, val, len);
	return n + len;
}

/* Closes the open segment: the next record opens it again with a new header
 * (and a fresh string table), so that a table that went wrong is never used. */
static void drop_segment(struct hist_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* Appends buf[0, len) with one write(); on failure the segment is cut back
 * to its last good size and closed (the next record opens it again, with a
 * new header). */
static int append(struct hist_writer *w, size_t len, cg_err *e)
{
	ssize_t n = write(w->fd, w->buf, len);

	if (n != (ssize_t)len) {
		int err = n < 0 ? errno : ENOSPC;
		if (ftruncate(w->fd, (off_t)w->seg_size) < 0) {
			/* the reader cuts what is left off */
		}
		close(w->fd);
		w->fd = -1;
		errno = err;
		return cg_err_sys(e, "history: writing %s/%s", w->dir, w->seg);
	}
	w->seg_size += len;
	w->bytes += len;
	w->total += len;
	uint64_t now = mono_ns();
	if (++w->unsynced >= SYNC_RECORDS || now - w->last_sync_ns >= SYNC_NS) {
		if (fdatasync(w->fd) < 0)
			return cg_err_sys(e, "history: fdatasync %s/%s", w->dir, w->seg);
		w->unsynced = 0;
		w->last_sync_ns = now;
	}
	return 0;
}

/* Cuts a segment after its last good record. */
static int cut_torn_tail(struct hist_writer *w, int fd, const char *name, uint64_t *size,
			 cg_err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return cg_err_sys(e, "history: %s/%s", w->dir, name);
	size_t len = (size_t)st.st_size, off = 0;
	if (len == 0) {
		*size = 0;
		return 0;
	}
	uint8_t *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return cg_err_sys(e, "history: reading %s/%s", w->dir, name);
	for (;;) {
		uint64_t t;
		uint16_t k;
		const uint8_t *p;
		size_t pl, n = hist_record_at(m, len, off, &t, &k, &p, &pl);
		if (!n)
			break;
		off += n;
	}
	munmap(m, len);
	if (off < len && ftruncate(fd, (off_t)off) < 0)
		return cg_err_sys(e, "history: cutting the torn tail of %s/%s", w->dir, name);
	*size = off;
	return 0;
}

struct seginfo {
	char name[HIST_NAME_LEN + 1];
	uint64_t start, size;
};

static int seg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seginfo *)a)->name, ((const struct seginfo *)b)->name);
}

/* The directory's segments, oldest first. */
static int list_segments(struct hist_writer *w, struct seginfo **out, size_t *n, cg_err *e)
{
	int fd = dup(w->dirfd);
	if (fd < 0)
		return cg_err_sys(e, "history: %s", w->dir);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return cg_err_sys(e, "history: %s", w->dir);
	}
	rewinddir(d);
	struct seginfo *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		uint64_t start;
		struct stat st;
		if (!hist_segment_time(de->d_name, &start))
			continue;
		if (fstatat(w->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			struct seginfo *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return cg_err_set(e, ENOMEM, "history: out of memory");
			}
			v = nv;
		}
		memcpy(v[cnt].name, de->d_name, HIST_NAME_LEN + 1);
		v[cnt].start = start;
		v[cnt].size = (uint64_t)st.st_size;
		cnt++;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), seg_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* Removes whole old segments (never the open one): those whose hour ended
 * keep before now, then the oldest while the directory is over max. */
static int prune(struct hist_writer *w, uint64_t now_us, cg_err *e)
{
	_cleanup_free_ struct seginfo *v = NULL;
	size_t n = 0, i;

	if (list_segments(w, &v, &n, e) < 0)
		return -1;
	uint64_t total = 0;
	for (i = 0; i < n; i++)
		total += v[i].size;
	for (i = 0; i < n; i++) {
		bool current = w->fd >= 0 && strcmp(v[i].name, w->seg) == 0;
		bool old = w->o.keep_us && v[i].start + HIST_HOUR_US + w->o.keep_us <= now_us;
		bool over = w->o.max_bytes && total > w->o.max_bytes;
		if (current || (!old && !over))
			continue;
		if (unlinkat(w->dirfd, v[i].name, 0) < 0 && errno != ENOENT)
			return cg_err_sys(e, "history: removing %s/%s", w->dir, v[i].name);
		total -= v[i].size;
	}
	w->total = total;
	return 0;
}

/* Opens (or creates) the segment of time_us's hour, its torn tail cut off,
 * and starts a run in it: a header, a fresh string table. */
static int open_segment(struct hist_writer *w, uint64_t time_us, cg_err *e)
{
	char name[HIST_NAME_LEN + 1];
	uint64_t start = 0;

	if (w->fd >= 0) {
		if (fdatasync(w->fd) < 0) {
			/* reported by the next write if the disk is gone */
		}
		close(w->fd);
		w->fd = -1;
	}
	hist_segment_name(time_us, name);
	if (!hist_segment_time(name, &start))
		return cg_err_set(e, EINVAL, "history: time %llu is out of range",
				  (unsigned long long)time_us);
	int fd = openat(w->dirfd, name, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return cg_err_sys(e, "history: opening %s/%s", w->dir, name);
	uint64_t size = 0;
	if (cut_torn_tail(w, fd, name, &size, e) < 0) {
		close(fd);
		return -1;
	}
	w->fd = fd;
	memcpy(w->seg, name, sizeof(name));
	w->seg_start = start;
	w->seg_size = size;
	table_reset(w);
	if (prune(w, time_us, e) < 0)
		return -1;

	size_t blen = strlen(w->boot_id), hlen = strlen(w->host);
	if (buf_room(w, HIST_REC_HEAD + HIST_MAGIC_LEN + 2 + 3 * 20 + blen + hlen, e) < 0)
		return -1;
	uint8_t *p = w->buf + HIST_REC_HEAD, ival[10];
	size_t n = 0, ilen = hist_put_varint(ival, w->o.interval_us);
	static const uint8_t magic[HIST_MAGIC_LEN] = {'C', 'G', 'K', 'I', 'T', 'H', 'S', 'T'};
	memcpy(p, magic, HIST_MAGIC_LEN);
	n += HIST_MAGIC_LEN;
	hist_put_u16(p + n, HIST_VERSION);
	n += 2;
	n += put_tag(p + n, HIST_T_BOOT_ID, w->boot_id, blen);
	n += put_tag(p + n, HIST_T_INTERVAL, ival, ilen);
	n += put_tag(p + n, HIST_T_HOST, w->host, hlen);
	return append(w, frame(w->buf, 0, time_us, HIST_K_HEADER, n), e);
}

/* The segment a record of time_us goes to: the open one, or the next hour's
 * (never back to an earlier hour: a clock stepped back stays in the open
 * segment). */
static int segment_for(struct hist_writer *w, uint64_t time_us, cg_err *e)
{
	if (w->fd >= 0 && time_us < w->seg_start + HIST_HOUR_US)
		return 0;
	return open_segment(w, time_us, e);
}

static int mkdir_p(const char *dir, cg_err *e)
{
	_cleanup_free_ char *p = strdup(dir);

	if (!p)
		return cg_err_set(e, ENOMEM, "history: out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0750) < 0 && errno != EEXIST)
			return cg_err_sys(e, "history: creating %s", p);
		*s = '/';
	}
	if (mkdir(p, 0750) < 0 && errno != EEXIST)
		return cg_err_sys(e, "history: creating %s", p);
	return 0;
}

static void read_ids(struct hist_writer *w)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!f || !fgets(w->boot_id, sizeof(w->boot_id), f))
		w->boot_id[0] = 0;
	if (f)
		fclose(f);
	w->boot_id[strcspn(w->boot_id, "\n")] = 0;
	if (gethostname(w->host, sizeof(w->host) - 1) < 0)
		w->host[0] = 0;
	w->host[sizeof(w->host) - 1] = 0;
}

int hist_writer_open(struct hist_writer **wp, const struct hist_opts *o, cg_err *e)
{
	*wp = NULL;
	if (!o->dir || !*o->dir)
		return cg_err_set(e, EINVAL, "history: no directory given");
	if (mkdir_p(o->dir, e) < 0)
		return -1;
	struct hist_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return cg_err_set(e, ENOMEM, "history: out of memory");
	w->fd = w->lockfd = -1;
	w->o = *o;
	w->dir = strdup(o->dir);
	w->dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!w->dir || w->dirfd < 0) {
		cg_err_sys(e, "history: opening %s", o->dir);
		hist_writer_close(w);
		return -1;
	}
	w->o.dir = w->dir;
	w->lockfd = openat(w->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (w->lockfd < 0) {
		cg_err_sys(e, "history: opening %s/lock", o->dir);
		hist_writer_close(w);
		return -1;
	}
	if (flock(w->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		char pid[32] = "";
		ssize_t n = pread(w->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		if (err == EWOULDBLOCK)
			cg_err_set(e, EWOULDBLOCK, "history: %s is being written by pid %s", o->dir,
				   *pid ? pid : "?");
		else
			cg_err_set(e, err, "history: locking %s/lock: %s", o->dir, strerror(err));
		hist_writer_close(w);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(w->lockfd, 0) < 0 || pwrite(w->lockfd, pid, (size_t)n, 0) != n) {
		cg_err_sys(e, "history: writing %s/lock", o->dir);
		hist_writer_close(w);
		return -1;
	}
	read_ids(w);
	w->last_sync_ns = mono_ns();

	/* the newest segment is the one a killed writer was appending to */
	_cleanup_free_ struct seginfo *v = NULL;
	size_t cnt = 0;
	if (list_segments(w, &v, &cnt, e) < 0) {
		hist_writer_close(w);
		return -1;
	}
	for (size_t i = 0; i < cnt; i++)
		w->total += v[i].size;
	if (cnt) {
		const char *name = v[cnt - 1].name;
		int fd = openat(w->dirfd, name, O_RDWR | O_CLOEXEC);
		uint64_t size;
		if (fd < 0 || cut_torn_tail(w, fd, name, &size, e) < 0) {
			if (fd < 0)
				cg_err_sys(e, "history: opening %s/%s", o->dir, name);
			else
				close(fd);
			hist_writer_close(w);
			return -1;
		}
		close(fd);
		w->total -= v[cnt - 1].size - size;
	}
	*wp = w;
	return 0;
}

int hist_write_sample(struct hist_writer *w, uint64_t time_us, const struct hist_group *g,
		      size_t n, cg_err *e)
{
	if (segment_for(w, time_us, e) < 0)
		return -1;
	/* new paths first: a PATHS record before the SAMPLE, both in one write() */
	size_t first_new = w->n_ids, paths_len = 0;
	if (n > w->gid_cap) {
		size_t *gid = realloc(w->gid, n * sizeof(*gid));
		if (!gid)
			return cg_err_set(e, ENOMEM, "history: out of memory");
		w->gid = gid;
		w->gid_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		bool new = false;
		if (table_id(w, g[i].path, &w->gid[i], &new, e) < 0) {
			drop_segment(w);  /* paths in the table, never written */
			return -1;
		}
		if (new)
			paths_len += 10 + strlen(g[i].path);
	}
	size_t n_new = w->n_ids - first_new;
	size_t at = 0;
	if (buf_room(w, 2 * HIST_REC_HEAD + 20 + paths_len + 10 + n * (20 + SV_COUNT * 10), e) < 0) {
		drop_segment(w);
		return -1;
	}
	if (n_new) {
		uint8_t *p = w->buf + HIST_REC_HEAD;
		size_t k = hist_put_varint(p, first_new);
		k += hist_put_varint(p + k, n_new);
		for (size_t i = first_new; i < w->n_ids; i++) {
			size_t l = strlen(w->ids[i].path);
			k += hist_put_varint(p + k, l);
			memcpy(p + k, w->ids[i].path, l);
			k += l;
		}
		at = frame(w->buf, 0, time_us, HIST_K_PATHS, k);
	}
	uint8_t *p = w->buf + at + HIST_REC_HEAD;
	size_t k = hist_put_varint(p, n);
	for (size_t i = 0; i < n; i++) {
		size_t id = w->gid[i];
		struct wpath *wp = &w->ids[id];
		uint32_t have = g[i].s.have & ((1u << SV_COUNT) - 1);
		bool changed = have != wp->have;
		k += hist_put_varint(p + k, (uint64_t)id << 1 | changed);
		if (changed)
			k += hist_put_varint(p + k, have);
		for (unsigned v = 0; v < SV_COUNT; v++) {
			if (!(have & SV_BIT(v)))
				continue;
			k += hist_put_varint(p + k, hist_zigzag(g[i].s.v[v] - wp->v[v]));
			wp->v[v] = g[i].s.v[v];
		}
		wp->have = have;
	}
	at += frame(w->buf, at, time_us, HIST_K_SAMPLE, k);
	if (append(w, at, e) < 0)
		return -1;
	if (w->o.max_bytes && w->total > w->o.max_bytes)
		return prune(w, time_us, e);
	return 0;
}

int hist_write_event(struct hist_writer *w, uint64_t time_us, const char *json, cg_err *e)
{
	size_t len = strlen(json);

	if (len && json[len - 1] == '\n')
		len--;
	if (len > HIST_REC_MAX - HIST_REC_MIN - 64)
		return cg_err_set(e, EINVAL, "history: an event of %zu bytes is too long", len);
	if (segment_for(w, time_us, e) < 0)
		return -1;
	if (buf_room(w, HIST_REC_HEAD + len, e) < 0)
		return -1;
	memcpy(w->buf + HIST_REC_HEAD, json, len);
	if (append(w, frame(w->buf, 0, time_us, HIST_K_EVENT, len), e) < 0)
		return -1;
	if (w->o.max_bytes && w->total > w->o.max_bytes)
		return prune(w, time_us, e);
	return 0;
}

uint64_t hist_writer_bytes(const struct hist_writer *w)
{
	return w->bytes;
}

void hist_writer_close(struct hist_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		if (w->unsynced && fdatasync(w->fd) < 0) {
			/* nothing to tell: closing */
		}
		close(w->fd);
	}
	if (w->lockfd >= 0)
		close(w->lockfd);   /* the flock goes with it */
	if (w->dirfd >= 0)
		close(w->dirfd);
	table_reset(w);
	free(w->ids);
	free(w->slots);
	free(w->buf);
	free(w->gid);
	free(w->dir);
	free(w);
}
