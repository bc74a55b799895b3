/* The collector: finds the groups and reads their files.
 *
 * Cost is what matters here (cgtop refreshes thousands of groups a second):
 * each file is opened once and re-read with pread; a directory's link count
 * (2 + subdirectories on cgroupfs) says when the tree changed, so it is
 * walked again only then; files that rarely change (limits, memory.stat)
 * are read every few refreshes, staggered over the groups; hierarchical
 * counters that did not move in a parent are not read in its children, whose
 * counters cannot have moved either. Nothing is allocated between scans.
 *
 * The first frame reads every group once, so there the number of system
 * calls is the cost: the scan stats a subdirectory and opens it only when
 * its link count says it has subdirectories of its own (most are leaves);
 * the quota is read before the files only a quota makes worth reading; the
 * refresh right after a scan does not check what the scan just listed; a
 * run that says how long it is (cgtop -b -n N) keeps open only files a
 * refresh to come will read (a kept file holds a kernel buffer), none when
 * only the last refresh is left; and a first refresh that is not shown
 * (cgtop -b) reads only what the rates start from, so that every other file
 * is read once, for the frame. */
#include "stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "mapping.h"
#include "stats_seen.h"
#include "sys.h"

#define HIER_MAX 8
#define FD_CLOSED (-1)
#define FD_ABSENT (-2)   /* file not there (controller off, root group) */
#define FD_DENIED (-3)   /* not readable by this user */
#define FD_RESERVE 64    /* left for everything else the process opens */

enum stats_file {
	F_CPU_USAGE,   /* v1 cpuacct.usage, v2 cpu.stat (usage and throttling) */
	F_CPU_STAT,    /* v1 cpu.stat (throttling) */
	F_CPU_QUOTA,   /* v1 cpu.cfs_quota_us, v2 cpu.max */
	F_CPU_PERIOD,  /* v1 cpu.cfs_period_us */
	F_MEM,
	F_MEM_STAT,
	F_MEM_LIMIT,
	F_SWAP,        /* v2 only; v1 has it in memory.stat */
	F_OOM,
	F_IO,
	F_PIDS,
	F_PIDS_MAX,
	F_PROCS,
	F_PSI_CPU,
	F_PSI_MEM,
	F_PSI_IO,
	F_CPU_ACCT_STAT, /* metrics only: v1 cpuacct.stat (v2 has it in cpu.stat) */
	F_MEM_HIGH,      /* metrics only */
	F_MEM_FAILCNT,   /* metrics only: v1 memory.failcnt */
	F_COUNT
};
/* Files that give only what metrics show (struct stats_more). */
#define F_METRICS_ONLY ((1u << F_CPU_ACCT_STAT) | (1u << F_MEM_HIGH) | (1u << F_MEM_FAILCNT))


#define V(x) SV_BIT(SV_##x)

/* What each file gives, and how often it changes; its name and controller
 * are mapping.c's. */
static const struct file_def {
	enum map_stat src;
	uint32_t vals1, vals2;  /* values it gives on v1, on v2 */
	bool slow;              /* changes rarely: read every slow_every refreshes */
} files[F_COUNT] = {
	[F_CPU_USAGE] = {MS_CPU_USAGE, V(CPU_NS), V(CPU_NS) | V(PERIODS) | V(THROTTLED), false},
	[F_CPU_STAT] = {MS_CPU_STAT, V(PERIODS) | V(THROTTLED), 0, false},
	[F_CPU_QUOTA] = {MS_CPU_QUOTA, V(QUOTA_US), V(QUOTA_US) | V(PERIOD_US), true},
	[F_CPU_PERIOD] = {MS_CPU_PERIOD, V(PERIOD_US), 0, true},
	[F_MEM] = {MS_MEM_USAGE, V(MEM), V(MEM), false},
	[F_MEM_STAT] = {MS_MEM_STAT, V(MEM_INACTIVE_FILE) | V(SWAP), V(MEM_INACTIVE_FILE), false},
	[F_MEM_LIMIT] = {MS_MEM_LIMIT, V(MEM_LIMIT), V(MEM_LIMIT), true},
	[F_SWAP] = {MS_SWAP_USAGE, 0, V(SWAP), false},
	[F_OOM] = {MS_OOM, V(OOM_KILLS), V(OOM_KILLS), false},
	[F_IO] = {MS_IO_BYTES, V(IO_RBYTES) | V(IO_WBYTES), V(IO_RBYTES) | V(IO_WBYTES), false},
	[F_PIDS] = {MS_PIDS_CURRENT, V(PIDS), V(PIDS), false},
	[F_PIDS_MAX] = {MS_PIDS_MAX, V(PIDS_MAX), V(PIDS_MAX), true},
	[F_PROCS] = {MS_PROCS, V(TASKS), V(TASKS), false},
	[F_PSI_CPU] = {MS_PSI_CPU, 0, V(PSI_CPU), false},
	[F_PSI_MEM] = {MS_PSI_MEM, 0, V(PSI_MEM), false},
	[F_PSI_IO] = {MS_PSI_IO, 0, V(PSI_IO), false},
	[F_CPU_ACCT_STAT] = {MS_CPU_ACCT_STAT, 0, 0, false},
	[F_MEM_HIGH] = {MS_MEM_HIGH, 0, 0, true},
	[F_MEM_FAILCNT] = {MS_MEM_FAILCNT, 0, 0, false},
};
_Static_assert(STATS_UNLIMITED == MAP_UNLIMITED, "one value for no limit");

/* A group's open files and last two samples: apart from the group so that
 * a scan moves a pointer, not the state (and memory does not double). */
struct stats_state {
	int fd[F_COUNT];
	int dirfd[HIER_MAX];
	struct stats_sample cur, prev;
	struct stats_more more;  /* opts.metrics: what only metrics show */
	uint64_t mem_stat_at;    /* refresh (+ 1) that last settled memory.stat's values */
	uint32_t got;            /* bit per file: its last read gave its values */
	struct stats_ring ring;  /* the last figures, for the pictures */
};

struct hier {
	char *mount;
	bool v2;
};

struct stats_collector {
	const struct cg_layout *layout;
	char *start;                  /* "" or "a/b" */
	struct hier hier[HIER_MAX];
	size_t n_hier;
	int file_hier[F_COUNT];       /* hierarchy a file is read in, -1: nowhere */
	const char *file_name[F_COUNT];
	int procs_order[HIER_MAX];    /* where to count tasks, by preference */
	size_t n_procs_order;
	uint32_t want_files;          /* bit per enum stats_file */
	struct stats_opts opts;
	unsigned ncpu;

	struct stats_group *g;
	size_t n;
	uint32_t *hash;               /* index + 1, 0 for empty */
	size_t hash_cap;
	bool need_scan;
	bool just_scanned;            /* no refresh since the last scan */
	bool replay;                  /* samples fed (stats_feed), no files read */

	uint64_t refreshes;
	uint64_t t_prev_ns;
	size_t fds_kept, fd_budget, fallback_reads;
	size_t live;                  /* groups not vanished at the last refresh */
	/* Short of fds, the files read most often are kept open: file_rank
	 * orders the wanted files, keep_per_group is how many of them fit. */
	struct stats_seen_hier seen_hier[HIER_MAX];
	struct stats_seen seen;       /* groups holding a thread, this refresh */
	bool seen_ok;                 /* seen holds them all */
	bool tasks_todo;              /* groups may lack their tasks (a scan, new columns) */
	unsigned file_rank[F_COUNT];
	unsigned keep_ranks;          /* ranks below this are all kept open */
	char path[4096];
	char buf[16384];
};

/* ---- small helpers ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The tables hold indexes into an array of structures whose first member
 * is the path (groups, or scan entries). */
static long hash_find_in(const uint32_t *tab, size_t cap, const void *base, size_t stride,
			 const char *path)
{
	size_t mask = cap - 1;

	if (!tab)
		return -1;
	for (size_t i = path_hash(path) & mask;; i = (i + 1) & mask) {
		if (!tab[i])
			return -1;
		if (strcmp(*(char *const *)((const char *)base + (tab[i] - 1) * stride), path) == 0)
			return (long)tab[i] - 1;
	}
}

static long hash_find(const uint32_t *tab, size_t cap, const struct stats_group *g,
		      const char *path)
{
	return hash_find_in(tab, cap, g, sizeof(*g), path);
}

static void hash_insert(uint32_t *tab, size_t cap, const char *path, size_t idx)
{
	size_t mask = cap - 1;
	size_t i = path_hash(path) & mask;

	while (tab[i])
		i = (i + 1) & mask;
	tab[i] = (uint32_t)idx + 1;
}

/* Path order in which a parent comes right before its subtree: '/' sorts
 * before every other character. */
static int path_cmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	unsigned ca = *a == '/' ? 1 : (unsigned char)*a;
	unsigned cb = *b == '/' ? 1 : (unsigned char)*b;

	return (int)ca - (int)cb;
}


static void group_close(struct stats_collector *c, struct stats_group *g)
{
	if (!g->st)
		return;
	for (size_t f = 0; f < F_COUNT; f++)
		if (g->st->fd[f] >= 0) {
			close(g->st->fd[f]);
			c->fds_kept--;
		}
	for (size_t h = 0; h < HIER_MAX; h++)
		if (g->st->dirfd[h] >= 0) {
			close(g->st->dirfd[h]);
			c->fds_kept--;
		}
	free(g->st->more.dev);
	free(g->st);
	g->st = NULL;
}

static int group_init(struct stats_group *g, char *path)
{
	memset(g, 0, sizeof(*g));
	g->path = path;
	g->parent = -1;
	g->fresh = true;
	g->st = malloc(sizeof(*g->st));
	if (!g->st)
		return -1;
	memset(&g->st->cur, 0, sizeof(g->st->cur));
	memset(&g->st->prev, 0, sizeof(g->st->prev));
	memset(&g->st->more, 0, sizeof(g->st->more));
	g->st->mem_stat_at = 0;
	g->st->got = 0;
	memset(&g->st->ring, 0, sizeof(g->st->ring));
	for (size_t f = 0; f < sizeof(g->st->fd) / sizeof(g->st->fd[0]); f++)
		g->st->fd[f] = FD_CLOSED;
	for (size_t h = 0; h < HIER_MAX; h++)
		g->st->dirfd[h] = FD_CLOSED;
	return 0;
}

/* ---- scanning ---- */

/* What a walk finds of a directory, before it becomes a group: small, so
 * that a scan of 10,000 groups costs little memory on top of the groups. */
struct scan_ent {
	char *path;
	uint64_t ino;
	uint32_t hier;
	uint32_t nchild[HIER_MAX];
};

struct scan {
	struct scan_ent *e;
	size_t n, cap;
	uint32_t *hash;
	size_t hash_cap;
};

static int scan_grow_hash(struct scan *s)
{
	size_t cap = s->hash_cap ? s->hash_cap * 2 : 1024;
	uint32_t *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		hash_insert(tab, cap, s->e[i].path, i);
	free(s->hash);
	s->hash = tab;
	s->hash_cap = cap;
	return 0;
}

static long scan_find(const struct scan *s, const char *rel)
{
	return hash_find_in(s->hash, s->hash_cap, s->e, sizeof(*s->e), rel);
}

/* The entry for rel, added when new. */
static struct scan_ent *scan_add(struct scan *s, const char *rel, size_t h, uint64_t ino)
{
	long i = scan_find(s, rel);
	struct scan_ent *e;

	if (i < 0) {
		if ((s->n + 1) * 2 > s->hash_cap && scan_grow_hash(s) < 0)
			return NULL;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			struct scan_ent *ne = realloc(s->e, cap * sizeof(*ne));

			if (!ne)
				return NULL;
			s->e = ne;
			s->cap = cap;
		}
		e = &s->e[s->n];
		memset(e, 0, sizeof(*e));
		e->path = strdup(rel);
		if (!e->path)
			return NULL;
		e->ino = ino;
		hash_insert(s->hash, s->hash_cap, e->path, s->n);
		s->n++;
	} else {
		e = &s->e[i];
	}
	if (!e)
		return NULL;
	e->hier |= 1u << h;
	return e;
}

/* Walks the directory abs (whose relative path is abs + rel_off) in
 * hierarchy h, adding every subdirectory. A subdirectory's link count (2 +
 * its own subdirectories on cgroupfs) tells a leaf, which is not opened:
 * most groups are leaves, and a stat costs a fraction of a directory read. */
static int scan_dir(struct scan *s, char *abs, size_t len, size_t rel_off, size_t h)
{
	_cleanup_closedir_ DIR *d = opendir(abs);
	struct dirent *de;
	uint32_t nchild = 0;
	long self;

	if (!d)
		return errno == ENOENT || errno == ENODEV ? 0 : -1;  /* gone meanwhile */
	while ((de = readdir(d))) {
		struct scan_ent *e;
		struct stat st;
		size_t nl;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		nl = strlen(de->d_name);
		if (len + 1 + nl + 64 >= 4096)
			continue;   /* deeper than any real tree; not worth failing */
		abs[len] = '/';
		memcpy(abs + len + 1, de->d_name, nl + 1);
		nchild++;
		/* relative path: skip "mount/" (or "mount" for the top) */
		e = scan_add(s, abs + rel_off + (abs[rel_off] == '/'), h, de->d_ino);
		if (!e)
			goto fail;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_nlink == 2)
			e->nchild[h] = 0;   /* a leaf */
		else if (scan_dir(s, abs, len + 1 + nl, rel_off, h) < 0)
			goto fail;
		abs[len] = '\0';
	}
	self = scan_find(s, abs + rel_off + (abs[rel_off] == '/'));
	if (self >= 0)
		s->e[self].nchild[h] = nchild;
	return 0;
fail:
	abs[len] = '\0';
	return -1;
}

static int ent_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct scan_ent *)a)->path, ((const struct scan_ent *)b)->path);
}

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].path);
	free(s->e);
	free(s->hash);
}

/* Moves the state of groups that are still there (same directory) into the
 * new array, closes the others. */
static void scan_adopt(struct stats_collector *c, struct stats_group *ngs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stats_group *ng = &ngs[i];
		long o = hash_find(c->hash, c->hash_cap, c->g, ng->path);

		if (o < 0)
			continue;
		struct stats_group *og = &c->g[o];

		if (og->ino != ng->ino || og->vanished) {
			continue;   /* re-created: starts afresh; old fds closed below */
		}
		/* the files and samples go over to the new entry; the old one
		 * takes the new entry's empty state, freed below */
		struct stats_state *st = ng->st;

		ng->st = og->st;
		og->st = st;
		ng->row = og->row;
		ng->fresh = og->fresh;
		ng->late = og->late;
		ng->oom_flash = og->oom_flash;
		for (size_t f = 0; f < F_COUNT; f++)
			if (ng->st->fd[f] == FD_ABSENT || ng->st->fd[f] == FD_DENIED)
				ng->st->fd[f] = FD_CLOSED;   /* a controller may have come */
	}
	for (size_t i = 0; i < c->n; i++) {
		group_close(c, &c->g[i]);
		free(c->g[i].path);
	}
	free(c->g);
	free(c->hash);
}

static int scan(struct stats_collector *c, cg_err *e)
{
	struct scan s = {0};
	struct stats_group *g;
	uint32_t *hash;
	bool found = false;

	for (size_t h = 0; h < c->n_hier; h++) {
		char *abs = c->path;
		size_t mlen = strlen(c->hier[h].mount);
		struct stat st;
		int n;

		n = snprintf(abs, sizeof(c->path), "%s%s%s", c->hier[h].mount, *c->start ? "/" : "",
			     c->start);
		if (n < 0 || (size_t)n >= sizeof(c->path) - 64)
			continue;
		if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		found = true;
		if (!scan_add(&s, c->start, h, st.st_ino) ||
		    scan_dir(&s, abs, (size_t)n, mlen, h) < 0) {
			cg_err_sys(e, "listing the groups below %s", abs);
			scan_free(&s);
			return -1;
		}
	}
	if (!found) {
		scan_free(&s);
		return cg_err_set(e, ENOENT, "no group \"%s\" in any cgroup hierarchy",
				  *c->start ? c->start : "/");
	}
	/* path order: each parent right before its subtree */
	qsort(s.e, s.n, sizeof(*s.e), ent_cmp);
	g = calloc(s.n, sizeof(*g));
	hash = calloc(s.hash_cap, sizeof(*hash));
	if (!g || !hash) {
		free(g);
		free(hash);
		scan_free(&s);
		return cg_err_sys(e, "listing the groups");
	}
	for (size_t i = 0; i < s.n; i++) {
		if (group_init(&g[i], steal_ptr(s.e[i].path)) < 0) {
			for (size_t j = 0; j <= i; j++) {
				free(g[j].st);
				free(g[j].path);
			}
			free(g);
			free(hash);
			scan_free(&s);
			return cg_err_sys(e, "listing the groups");
		}
		g[i].ino = s.e[i].ino;
		g[i].hier = s.e[i].hier;
		memcpy(g[i].nchild, s.e[i].nchild, sizeof(g[i].nchild));
		for (size_t h = 0; h < HIER_MAX; h++)
			g[i].has_children |= g[i].nchild[h] != 0;
		hash_insert(hash, s.hash_cap, g[i].path, i);
	}
	for (size_t i = 0; i < s.n; i++) {
		char *slash = strrchr(g[i].path, '/');

		g[i].name = slash ? slash + 1 : *g[i].path ? g[i].path : "/";
		if (i == 0)
			continue;   /* the top: parent -1, depth 0 */
		if (slash) {
			*slash = '\0';
			g[i].parent = (int)hash_find(hash, s.hash_cap, g, g[i].path);
			*slash = '/';
		} else {
			g[i].parent = 0;
		}
		g[i].depth = g[i].parent >= 0 ? g[g[i].parent].depth + 1 : 1;
	}
	/* groups that come after the first scan were made meanwhile */
	for (size_t i = 0; c->g && i < s.n; i++)
		g[i].late = true;
	scan_adopt(c, g, s.n);
	c->g = g;
	c->n = s.n;
	c->hash = hash;
	c->hash_cap = s.hash_cap;
	c->need_scan = false;
	c->just_scanned = true;
	c->tasks_todo = true;
	free(s.e);
	free(s.hash);
	return 0;
}

/* ---- reading ---- */

static int file_path(struct stats_collector *c, const struct stats_group *g, int h, const char *name)
{
	int n = snprintf(c->path, sizeof(c->path), "%s%s%s/%s", c->hier[h].mount, *g->path ? "/" : "",
			 g->path, name);

	return n > 0 && (size_t)n < sizeof(c->path) ? 0 : -1;
}

/* Opens a file of g in hierarchy h by the shortest path there is: from the
 * group's own directory fd, from its parent's, or from the mount. */
static int open_in(struct stats_collector *c, const struct stats_group *g, int h, const char *name)
{
	const struct stats_group *p = g->parent >= 0 ? &c->g[g->parent] : NULL;

	if (g->st->dirfd[h] >= 0)
		return openat(g->st->dirfd[h], name, O_RDONLY | O_CLOEXEC);
	if (p && p->st->dirfd[h] >= 0) {
		int n = snprintf(c->path, sizeof(c->path), "%s/%s", g->name, name);

		if (n > 0 && (size_t)n < sizeof(c->path))
			return openat(p->st->dirfd[h], c->path, O_RDONLY | O_CLOEXEC);
	}
	if (file_path(c, g, h, name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(c->path, O_RDONLY | O_CLOEXEC);
}

/* Whether a refresh to come is likely to read f again: then it is kept
 * open. A file kept open holds a kernel buffer too, which a short run (cgtop
 * -b -n 1: one sample, one frame) would allocate for every file of every
 * group and never use again. Files read at every refresh (usage, pressure,
 * throttling with a quota) are read again at the next; the others (limits,
 * memory.stat and the OOM count when usage moves, the tasks when cpu time
 * does) at the latest slow_every refreshes later. */
static bool worth_keeping(const struct stats_collector *c, enum stats_file f)
{
	unsigned long left;

	if (!c->opts.refreshes)
		return true;
	left = c->opts.refreshes > c->refreshes + 1 ? c->opts.refreshes - c->refreshes - 1 : 0;
	switch (f) {
	case F_CPU_USAGE: case F_CPU_STAT: case F_MEM: case F_SWAP: case F_IO: case F_PIDS:
	case F_PSI_CPU: case F_PSI_MEM: case F_PSI_IO:
		/* With one refresh left, which reads only what moved (mostly
		 * little), open/read/close then costs less than keeping: a
		 * kept file still has to be closed, by then out of the cache. */
		return left > 1;
	default:
		return left >= c->opts.slow_every;
	}
}

/* Reads file f of group g into c->buf. Returns the length, or -1 with errno
 * (ENOENT: not there; ENODEV: the group went away). */
static ssize_t read_file(struct stats_collector *c, struct stats_group *g, enum stats_file f, int h)
{
	int *fd = &g->st->fd[f];
	ssize_t n;

	if (*fd == FD_ABSENT) {
		errno = ENOENT;
		return -1;
	}
	if (*fd == FD_DENIED) {
		errno = EACCES;
		return -1;
	}
	if (*fd == FD_CLOSED) {
		int nfd;

		nfd = open_in(c, g, h, c->file_name[f]);
		if (nfd < 0) {
			if (errno == ENOENT || errno == ENODEV)
				*fd = FD_ABSENT;
			else if (errno == EACCES || errno == EPERM)
				*fd = FD_DENIED;
			else if (errno == EMFILE || errno == ENFILE)
				c->fd_budget = c->fds_kept;
			return -1;
		}
		if (!worth_keeping(c, f) || c->fds_kept >= c->fd_budget ||
		    c->file_rank[f] > c->keep_ranks) {
			/* not read again, or short of fds: read it and give it back */
			if (worth_keeping(c, f))
				c->fallback_reads++;
			n = read(nfd, c->buf, sizeof(c->buf) - 1);
			close(nfd);
			if (n < 0)
				return -1;
			c->buf[n] = '\0';
			return n;
		}
		*fd = nfd;
		c->fds_kept++;
	}
	n = pread(*fd, c->buf, sizeof(c->buf) - 1, 0);
	if (n < 0)
		return -1;
	c->buf[n] = '\0';
	return n;
}

#define KEY(k) map_stat_key(k, v2)

/* The io file's devices into m. */
static void add_dev(void *data, const struct map_io_dev *d)
{
	struct stats_more *m = data;

	if (m->ndev == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		struct stats_dev_io *n = realloc(m->dev, cap * sizeof(*n));

		if (!n)
			return;   /* the devices that fit */
		m->dev = n;
		m->cap = cap;
	}
	m->dev[m->ndev++] = (struct stats_dev_io){d->major, d->minor, d->rbytes, d->wbytes};
}

/* What only metrics show, from file f's text in c->buf. */
static void parse_more(const struct stats_collector *c, enum stats_file f, bool v2,
		       struct stats_more *m)
{
	const char *b = c->buf;
	uint64_t a;

#define MSET(val, x)                                                                             \
	do {                                                                                     \
		m->v[val] = (x);                                                                 \
		m->have |= 1u << (val);                                                          \
	} while (0)
#define KEYED(k, val, scale)                                                                     \
	do {                                                                                     \
		if (map_stat_key(k, v2) && map_parse_keyed(b, map_stat_key(k, v2), &a) == 0)    \
			MSET(val, a * (scale));                                                  \
	} while (0)

	switch (f) {
	case F_CPU_USAGE:
		if (!v2)
			break;
		KEYED(MSK_CPU_USER, SM_CPU_USER_NS, 1000);
		KEYED(MSK_CPU_SYSTEM, SM_CPU_SYSTEM_NS, 1000);
		KEYED(MSK_THROTTLED_TIME, SM_THROTTLED_NS, 1000);
		break;
	case F_CPU_STAT:   /* v1 */
		KEYED(MSK_THROTTLED_TIME, SM_THROTTLED_NS, 1);
		break;
	case F_CPU_ACCT_STAT:   /* v1 */
		KEYED(MSK_CPU_USER, SM_CPU_USER_NS, MAP_USER_HZ_NS);
		KEYED(MSK_CPU_SYSTEM, SM_CPU_SYSTEM_NS, MAP_USER_HZ_NS);
		break;
	case F_OOM:
		KEYED(MSK_EV_LOW, SM_EV_LOW, 1);
		KEYED(MSK_EV_HIGH, SM_EV_HIGH, 1);
		KEYED(MSK_EV_MAX, SM_EV_MAX, 1);
		KEYED(MSK_EV_OOM, SM_EV_OOM, 1);
		break;
	case F_MEM_FAILCNT:
		if (map_parse_u64(b, &a) == 0)
			MSET(SM_EV_MAX, a);
		break;
	case F_MEM_HIGH:
		if (map_parse_limit(b, &a) == 0)
			MSET(SM_MEM_HIGH, a);
		break;
	case F_IO:
		m->ndev = 0;
		map_parse_io_devs(b, v2, add_dev, m);
		break;
	case F_PSI_CPU:
	case F_PSI_MEM:
	case F_PSI_IO: {
		unsigned k = f == F_PSI_CPU ? SM_PSI_CPU_SOME_NS
			     : f == F_PSI_MEM ? SM_PSI_MEM_SOME_NS
					      : SM_PSI_IO_SOME_NS;

		if (map_parse_psi_total(b, false, &a) == 0)
			MSET(k, a * 1000);
		if (map_parse_psi_total(b, true, &a) == 0)
			MSET(k + 1, a * 1000);
		break;
	}
	default:
		break;
	}
#undef KEYED
#undef MSET
}

static void parse_file(const struct stats_collector *c, enum stats_file f, bool v2,
		       struct stats_sample *s)
{
	const char *b = c->buf;
	uint64_t a, b2;

#define SET(val, x)                                                                              \
	do {                                                                                     \
		s->v[val] = (x);                                                                 \
		s->have |= SV_BIT(val);                                                          \
	} while (0)

	switch (f) {
	case F_CPU_USAGE:
		if (!v2) {
			if (map_parse_u64(b, &a) == 0)
				SET(SV_CPU_NS, a);
			break;
		}
		if (map_parse_keyed(b, KEY(MSK_CPU_USAGE_USEC), &a) == 0)
			SET(SV_CPU_NS, a * 1000);
		/* v2 cpu.stat also holds the throttling */
		__attribute__((fallthrough));
	case F_CPU_STAT:
		if (map_parse_keyed(b, KEY(MSK_NR_PERIODS), &a) == 0 &&
		    map_parse_keyed(b, KEY(MSK_NR_THROTTLED), &b2) == 0) {
			SET(SV_PERIODS, a);
			SET(SV_THROTTLED, b2);
		}
		break;
	case F_CPU_QUOTA:
		if (v2) {
			if (map_parse_cpu_max(b, &a, &b2) == 0) {
				SET(SV_QUOTA_US, a);
				SET(SV_PERIOD_US, b2);
			}
		} else if (map_parse_limit(b, &a) == 0) {
			SET(SV_QUOTA_US, a);
		}
		break;
	case F_CPU_PERIOD:
	case F_MEM:
	case F_SWAP:
	case F_PIDS:
		if (map_parse_u64(b, &a) == 0)
			SET(f == F_CPU_PERIOD ? SV_PERIOD_US
			    : f == F_MEM      ? SV_MEM
			    : f == F_SWAP     ? SV_SWAP
					      : SV_PIDS,
			    a);
		break;
	case F_MEM_STAT:
		if (map_parse_keyed(b, KEY(MSK_INACTIVE_FILE), &a) == 0)
			SET(SV_MEM_INACTIVE_FILE, a);
		if (KEY(MSK_SWAP) && map_parse_keyed(b, KEY(MSK_SWAP), &a) == 0)
			SET(SV_SWAP, a);
		break;
	case F_MEM_LIMIT:
	case F_PIDS_MAX:
		if (map_parse_limit(b, &a) == 0)
			SET(f == F_MEM_LIMIT ? SV_MEM_LIMIT : SV_PIDS_MAX, a);
		break;
	case F_OOM:
		if (map_parse_keyed(b, KEY(MSK_OOM_KILL), &a) == 0)
			SET(SV_OOM_KILLS, a);
		break;
	case F_IO:
		if ((v2 ? map_parse_io_stat_bytes(b, &a, &b2) : map_parse_blkio_bytes(b, &a, &b2)) == 0) {
			SET(SV_IO_RBYTES, a);
			SET(SV_IO_WBYTES, b2);
		}
		break;
	case F_PROCS:
		SET(SV_TASKS, stats_count_lines(b));
		break;
	case F_PSI_CPU:
	case F_PSI_MEM:
	case F_PSI_IO:
		if (map_parse_psi_some_avg10(b, &a) == 0)
			SET(f == F_PSI_CPU ? SV_PSI_CPU : f == F_PSI_MEM ? SV_PSI_MEM : SV_PSI_IO, a);
		break;
	case F_CPU_ACCT_STAT:
	case F_MEM_HIGH:
	case F_MEM_FAILCNT:
	case F_COUNT:
		break;
	}
#undef SET
}
#undef KEY

static uint32_t file_vals(const struct stats_collector *c, enum stats_file f)
{
	int h = c->file_hier[f];

	if (f == F_PROCS)   /* read where the group is (procs_hier()), the same everywhere */
		return files[f].vals1;
	if (h < 0)
		return 0;
	return c->hier[h].v2 ? files[f].vals2 : files[f].vals1;
}

static bool moved(const struct stats_group *g, enum stats_val v)
{
	return !(g->st->prev.have & g->st->cur.have & SV_BIT(v)) || g->st->prev.v[v] != g->st->cur.v[v];
}

/* Did the parent's cpu time (or io bytes) stand still between its last two
 * reads, the last one in this refresh (parents come first)? Its counters
 * hold the subtree's, so the child's did too. */
static bool parent_still(const struct stats_group *p, enum stats_val a, enum stats_val b)
{
	uint32_t both = SV_BIT(a) | SV_BIT(b);
	const struct stats_sample *c, *o;

	if (!p || p->fresh || p->vanished)
		return false;
	c = &p->st->cur;
	o = &p->st->prev;
	return (c->have & o->have & both) == both && c->v[a] == o->v[a] && c->v[b] == o->v[b];
}

static bool no_quota(const struct stats_sample *s)
{
	return (s->have & SV_BIT(SV_QUOTA_US)) && s->v[SV_QUOTA_US] == STATS_UNLIMITED;
}

/* A metrics reader shows every value as it is now, so a file is read at
 * every refresh unless its values provably stood still since its last
 * read: the cpu counters of a group whose parent's did not move (the
 * parent's hold the subtree's; on v2, where cpu.stat also has the
 * throttling, only without a quota), the io bytes likewise, v1's cpu.stat
 * (throttling) while there is no quota (its counters move only under one),
 * the period while there is no quota (the quota shows +Inf then). The
 * limits, memory and pressure files are read every time. As a safety net
 * every file is read at least every slow_every refreshes (staggered). */
static bool due_metrics(const struct stats_collector *c, const struct stats_group *g, size_t i,
			enum stats_file f)
{
	const struct stats_group *p = g->parent >= 0 ? &c->g[g->parent] : NULL;
	const struct stats_sample *s = &g->st->cur, *o = &g->st->prev;
	bool v2 = c->hier[c->file_hier[f]].v2;

	if (g->fresh || g->force || !(g->st->got & (1u << f)) ||
	    (c->refreshes + i) % c->opts.slow_every == 0)
		return true;
	switch (f) {
	case F_CPU_PERIOD:
		return !no_quota(s);
	case F_CPU_STAT:
		return !(no_quota(s) && no_quota(o));
	case F_CPU_USAGE:
		if (v2 && !(no_quota(s) && no_quota(o)))
			return true;
		return !parent_still(p, SV_CPU_NS, SV_CPU_NS);
	case F_CPU_ACCT_STAT:
		return !parent_still(p, SV_CPU_NS, SV_CPU_NS);
	case F_IO:
		return !parent_still(p, SV_IO_RBYTES, SV_IO_WBYTES);
	default:
		return true;
	}
}

/* Should f be read now, or does its last value still hold? Every file is
 * read at least every slow_every refreshes (staggered over the groups);
 * in between, only what can have changed. */
static bool due(const struct stats_collector *c, const struct stats_group *g, size_t i,
		enum stats_file f)
{
	const struct stats_group *p = g->parent >= 0 ? &c->g[g->parent] : NULL;
	uint32_t vals = file_vals(c, f);
	/* A run that ends before slow_every refreshes read every file at its
	 * start: its last refresh has no need of the staggered re-read. */
	bool short_end = c->opts.refreshes && c->refreshes + 1 >= c->opts.refreshes &&
			 c->refreshes < c->opts.slow_every;
	bool tick = !short_end && (c->refreshes + i) % c->opts.slow_every == 0;

	if (c->opts.no_skip)
		return true;
	if (c->opts.metrics)
		return due_metrics(c, g, i, f);
	/* A first refresh nobody sees reads what the rates start from (and
	 * the quota that decides whether throttling is one); the rest is read
	 * with the refresh that is shown. */
	if (c->opts.first_unseen && c->refreshes == 0 && f != F_CPU_USAGE && f != F_CPU_STAT &&
	    f != F_IO && f != F_CPU_QUOTA)
		return false;
	/* Without a quota the group is never throttled and its period does
	 * not matter: read again once a quota shows up. The quota is read
	 * first (read_order), so this holds in a new group too. */
	if ((f == F_CPU_STAT || f == F_CPU_PERIOD) && !c->hier[c->file_hier[f]].v2 &&
	    (g->st->cur.have & SV_BIT(SV_QUOTA_US)) && g->st->cur.v[SV_QUOTA_US] == STATS_UNLIMITED)
		return false;
	if (g->fresh || g->force || (g->st->cur.have & vals) != vals)
		return true;
	if (tick)
		return true;
	if (files[f].slow)
		return false;
	/* Hierarchical counters: a parent whose counter stood still has
	 * children whose counters stood still. */
	if (f == F_CPU_USAGE && p && !p->fresh && (p->st->cur.have & SV_BIT(SV_CPU_NS)) &&
	    p->st->cur.v[SV_CPU_NS] == p->st->prev.v[SV_CPU_NS])
		return false;
	if (f == F_IO && p && !p->fresh && (p->st->cur.have & SV_BIT(SV_IO_RBYTES)) &&
	    p->st->cur.v[SV_IO_RBYTES] == p->st->prev.v[SV_IO_RBYTES] &&
	    p->st->cur.v[SV_IO_WBYTES] == p->st->prev.v[SV_IO_WBYTES])
		return false;
	/* The page cache split and OOM kills go with a change of usage (a
	 * kill frees the victim's memory); new tasks with cpu time, mostly. */
	if ((f == F_MEM_STAT || f == F_OOM) && (c->want_files & (1u << F_MEM)))
		return moved(g, SV_MEM);
	if (f == F_PROCS) {
		if ((c->want_files & (1u << F_CPU_USAGE)) && c->file_hier[F_CPU_USAGE] >= 0 &&
		    (g->hier & (1u << c->file_hier[F_CPU_USAGE])))
			return moved(g, SV_CPU_NS);
		if ((c->want_files & (1u << F_MEM)) && c->file_hier[F_MEM] >= 0 &&
		    (g->hier & (1u << c->file_hier[F_MEM])))
			return moved(g, SV_MEM);
	}
	return true;
}

/* memory.stat without reading it: a group that uses no memory at all (the
 * usage counts its subtree, page cache included) has no inactive page
 * cache, and on v1, where its swap is memory.stat's too (total_swap, also
 * of the subtree), none swapped out when its parent, settled in this
 * refresh, has none; the swap line is there or not on the whole host. Most
 * groups of a big tree are empty, and memory.stat is the dearest file to
 * read. Returns whether the values are settled. */
static bool mem_stat_known(const struct stats_collector *c, struct stats_group *g, bool v2)
{
	const struct stats_group *p = g->parent >= 0 ? &c->g[g->parent] : NULL;
	struct stats_sample *s = &g->st->cur;

	if (c->opts.no_skip || !(s->have & SV_BIT(SV_MEM)) || s->v[SV_MEM] != 0)
		return false;
	if (!v2) {
		const struct stats_sample *ps = p ? &p->st->cur : NULL;

		if (!ps || p->st->mem_stat_at != c->refreshes + 1 ||
		    !(ps->have & SV_BIT(SV_MEM_INACTIVE_FILE)) ||
		    ((ps->have & SV_BIT(SV_SWAP)) && ps->v[SV_SWAP] != 0))
			return false;
		s->have &= ~SV_BIT(SV_SWAP);
		if (ps->have & SV_BIT(SV_SWAP)) {
			s->v[SV_SWAP] = 0;
			s->have |= SV_BIT(SV_SWAP);
		}
	}
	s->v[SV_MEM_INACTIVE_FILE] = 0;
	s->have |= SV_BIT(SV_MEM_INACTIVE_FILE);
	g->st->mem_stat_at = c->refreshes + 1;
	return true;
}

/* The metrics-only figures file f gives (struct stats_more), forgotten
 * before it is read again. */
static void forget_more(const struct stats_collector *c, struct stats_group *g,
			enum stats_file f, bool v2)
{
	struct stats_more *m = &g->st->more;
	uint32_t bits = 0;

	if (!c->opts.metrics)
		return;
	switch (f) {
	case F_CPU_USAGE:
		bits = v2 ? 1u << SM_CPU_USER_NS | 1u << SM_CPU_SYSTEM_NS | 1u << SM_THROTTLED_NS : 0;
		break;
	case F_CPU_STAT:
		bits = 1u << SM_THROTTLED_NS;
		break;
	case F_CPU_ACCT_STAT:
		bits = 1u << SM_CPU_USER_NS | 1u << SM_CPU_SYSTEM_NS;
		break;
	case F_OOM:   /* v1's memory.failcnt gives "max" */
		bits = 1u << SM_EV_LOW | 1u << SM_EV_HIGH | 1u << SM_EV_OOM | (v2 ? 1u << SM_EV_MAX : 0);
		break;
	case F_MEM_FAILCNT:
		bits = 1u << SM_EV_MAX;
		break;
	case F_MEM_HIGH:
		bits = 1u << SM_MEM_HIGH;
		break;
	case F_IO:
		m->ndev = 0;
		break;
	case F_PSI_CPU:
		bits = 1u << SM_PSI_CPU_SOME_NS | 1u << SM_PSI_CPU_FULL_NS;
		break;
	case F_PSI_MEM:
		bits = 1u << SM_PSI_MEM_SOME_NS | 1u << SM_PSI_MEM_FULL_NS;
		break;
	case F_PSI_IO:
		bits = 1u << SM_PSI_IO_SOME_NS | 1u << SM_PSI_IO_FULL_NS;
		break;
	default:
		break;
	}
	m->have &= ~bits;
}

/* Hierarchy to count a group's tasks in: the first that holds it. */
static int procs_hier(const struct stats_collector *c, const struct stats_group *g)
{
	for (size_t k = 0; k < c->n_procs_order; k++)
		if (g->hier & (1u << c->procs_order[k]))
			return c->procs_order[k];
	return -1;
}

static void read_group(struct stats_collector *c, struct stats_group *g, size_t i)
{
	/* the quota before what it decides on (due()) */
	static const enum stats_file read_order[F_COUNT] = {
		F_CPU_QUOTA, F_CPU_USAGE, F_CPU_STAT, F_CPU_PERIOD, F_MEM,     F_MEM_STAT,
		F_MEM_LIMIT, F_SWAP,      F_OOM,      F_IO,         F_PIDS,    F_PIDS_MAX,
		F_PROCS,     F_PSI_CPU,   F_PSI_MEM,  F_PSI_IO,     F_CPU_ACCT_STAT, F_MEM_HIGH,
		F_MEM_FAILCNT,
	};

	g->st->prev = g->st->cur;
	for (size_t k = 0; k < F_COUNT; k++) {
		enum stats_file f = read_order[k];
		int h = f == F_PROCS ? procs_hier(c, g) : c->file_hier[f];
		uint32_t vals;
		bool had;

		if (!(c->want_files & (1u << f)) || h < 0)
			continue;
		vals = c->hier[h].v2 ? files[f].vals2 : files[f].vals1;
		if (!(g->hier & (1u << h))) {
			g->st->cur.have &= ~vals;
			forget_more(c, g, f, c->hier[h].v2);
			g->st->got &= ~(1u << f);
			continue;
		}
		if (!due(c, g, i, (enum stats_file)f))
			continue;
		if (f == F_MEM_STAT && mem_stat_known(c, g, c->hier[h].v2))
			continue;
		/* what a read that fails leaves is unknown, not the last value */
		forget_more(c, g, f, c->hier[h].v2);
		had = g->st->got & (1u << f);
		g->st->got &= ~(1u << f);
		if (f == F_PROCS && c->seen_ok && !stats_seen_has(&c->seen, (size_t)h, g->path)) {
			g->st->cur.v[SV_TASKS] = 0;   /* no thread there */
			g->st->cur.have |= SV_BIT(SV_TASKS);
			continue;
		}
		if (read_file(c, g, (enum stats_file)f, h) < 0) {
			g->st->cur.have &= ~vals;
			/* a file that was there gone: so is the group (a metrics
			 * reader must not show its files it spared) */
			if (errno == ENODEV || (c->opts.metrics && errno == ENOENT && had)) {
				g->vanished = true;
				c->need_scan = true;
				return;
			}
			continue;
		}
		g->st->cur.have &= ~vals;
		parse_file(c, (enum stats_file)f, c->hier[h].v2, &g->st->cur);
		if (c->opts.metrics)
			parse_more(c, (enum stats_file)f, c->hier[h].v2, &g->st->more);
		g->st->got |= 1u << f;
		if (f == F_MEM_STAT)
			g->st->mem_stat_at = c->refreshes + 1;
	}
	g->force = false;
}

/* A directory fd for a group with subdirectories (few of those): its
 * children are checked and, short of fds, opened through it. */
static void open_dirfd(struct stats_collector *c, struct stats_group *g, size_t h)
{
	if (g->st->dirfd[h] != FD_CLOSED || c->fds_kept >= c->fd_budget ||
	    file_path(c, g, (int)h, ".") < 0)
		return;
	g->st->dirfd[h] = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->st->dirfd[h] >= 0)
		c->fds_kept++;
	else
		g->st->dirfd[h] = FD_CLOSED;
}

/* Did a directory gain or lose subdirectories since the scan? Its link
 * count says: 2 + subdirectories on cgroupfs. */
static void check_dirs(struct stats_collector *c, struct stats_group *g)
{
	const struct stats_group *p = g->parent >= 0 ? &c->g[g->parent] : NULL;

	for (size_t h = 0; h < c->n_hier; h++) {
		struct stat st;
		int r;

		if (!(g->hier & (1u << h)))
			continue;
		if (g->st->dirfd[h] >= 0)
			r = fstat(g->st->dirfd[h], &st);
		else if (p && p->st->dirfd[h] >= 0)
			r = fstatat(p->st->dirfd[h], g->name, &st, AT_SYMLINK_NOFOLLOW);
		else
			r = file_path(c, g, (int)h, ".") == 0 ? stat(c->path, &st) : -1;
		if (r < 0 || st.st_nlink < 2 || st.st_nlink - 2 != g->nchild[h]) {
			c->need_scan = true;
			return;
		}
	}
}

static uint32_t files_for(const struct stats_collector *c, uint32_t vals)
{
	uint32_t want = 0;

	for (size_t f = 0; f < F_COUNT; f++) {
		int h = f == F_PROCS ? (c->n_procs_order ? c->procs_order[0] : -1) : c->file_hier[f];

		if (h < 0)
			continue;
		if ((c->hier[h].v2 ? files[f].vals2 : files[f].vals1) & vals)
			want |= 1u << f;
	}
	/* throttled % needs to know whether there is a quota at all */
	if (vals & SV_BIT(SV_PERIODS))
		want |= 1u << F_CPU_QUOTA;
	if (c->opts.metrics) {
		for (size_t f = 0; f < F_COUNT; f++)
			if ((F_METRICS_ONLY & (1u << f)) && c->file_hier[f] >= 0)
				want |= 1u << f;
		/* no family counts tasks (cgkit_pids_current is pids.current) */
		want &= ~(1u << F_PROCS);
	}
	return want;
}

/* Files in the order they deserve a kept fd: read every refresh first. */
static const enum stats_file keep_order[F_COUNT] = {
	F_MEM,     F_CPU_USAGE, F_PROCS,  F_IO,     F_PIDS,     F_PSI_CPU,    F_PSI_MEM, F_PSI_IO,
	F_OOM,     F_MEM_STAT,  F_SWAP,   F_CPU_STAT, F_CPU_QUOTA, F_MEM_LIMIT, F_PIDS_MAX,
	F_CPU_PERIOD, F_CPU_ACCT_STAT, F_MEM_FAILCNT, F_MEM_HIGH,
};
/* The same for a metrics reader (due_metrics()): the files read at every
 * scrape first, then those an idle subtree or no quota spares. */
static const enum stats_file keep_order_metrics[F_COUNT] = {
	F_CPU_QUOTA, F_CPU_USAGE, F_MEM,    F_MEM_LIMIT, F_PIDS,   F_PIDS_MAX,      F_MEM_STAT,
	F_OOM,       F_MEM_HIGH,  F_MEM_FAILCNT, F_SWAP,  F_PSI_CPU, F_PSI_MEM,     F_PSI_IO,
	F_IO,        F_CPU_ACCT_STAT, F_CPU_STAT, F_CPU_PERIOD, F_PROCS,
};

void stats_set_cols(struct stats_collector *c, uint32_t cols)
{
	unsigned r = 0;

	uint32_t vals = 0;

	c->opts.cols = cols;
	c->want_files = files_for(c, stats_cols_vals(cols));
	c->tasks_todo = true;
	const enum stats_file *order = c->opts.metrics ? keep_order_metrics : keep_order;

	for (size_t k = 0; k < F_COUNT; k++)
		c->file_rank[order[k]] = c->want_files & (1u << order[k]) ? r++ : F_COUNT;
	/* Values no longer read must not come back stale when their column
	 * does: forget them, they are read afresh then. */
	for (size_t f = 0; f < F_COUNT; f++)
		if (c->want_files & (1u << f))
			vals |= files[f].vals1 | files[f].vals2;
	for (size_t i = 0; i < c->n; i++) {
		c->g[i].st->cur.have &= vals;
		c->g[i].st->prev.have &= vals;
	}
}

/* After a scan: directory fds for the groups with subdirectories; then the
 * files of the first ranks are kept open in every group as far as the fds
 * go, the next rank in as many groups as are left, the rest read with
 * open/read/close. */
static void plan_fds(struct stats_collector *c)
{
	size_t need[F_COUNT] = {0}, dirs = 0, left;

	if (!c->g)
		return;

	for (size_t i = 0; i < c->n; i++) {
		const struct stats_group *g = &c->g[i];

		for (size_t h = 0; h < c->n_hier; h++)
			if (g->nchild[h]) {
				open_dirfd(c, &c->g[i], h);
				dirs++;
			}
		for (size_t f = 0; f < F_COUNT; f++) {
			int h = f == F_PROCS ? procs_hier(c, g) : c->file_hier[f];

			if (c->file_rank[f] < F_COUNT && h >= 0 && (g->hier & (1u << h)))
				need[c->file_rank[f]]++;
		}
	}
	left = c->fd_budget > dirs ? c->fd_budget - dirs : 0;
	c->keep_ranks = 0;
	while (c->keep_ranks < F_COUNT && need[c->keep_ranks] <= left) {
		left -= need[c->keep_ranks];
		c->keep_ranks++;
	}
}

/* Many groups whose tasks are still to be read (a first frame, a scan that
 * found many): when the host's threads are fewer than half of them, one
 * pass over /proc (stats_seen.h) tells the empty ones, whose cgroup.procs
 * is then not read. */
static void find_populated(struct stats_collector *c)
{
	size_t todo = 0;
	unsigned long threads;

	c->seen_ok = false;
	if (!c->g || !c->tasks_todo || !(c->want_files & (1u << F_PROCS)) || c->opts.no_skip ||
	    (c->opts.first_unseen && c->refreshes == 0))
		return;
	c->tasks_todo = false;   /* read in this refresh, one way or the other */
	for (size_t i = 0; i < c->n; i++) {
		const struct stats_group *g = &c->g[i];

		if (strchr(g->path, '\n'))
			return;   /* /proc/PID/cgroup would show it on two lines */
		todo += !g->vanished && !(g->st->cur.have & SV_BIT(SV_TASKS));
	}
	threads = todo ? stats_seen_threads() : 0;
	if (threads && threads * 2 < todo)
		c->seen_ok = stats_seen_read(&c->seen, c->seen_hier, c->n_hier) == 0;
}

int stats_refresh(struct stats_collector *c, cg_err *e)
{
	return stats_refresh_at(c, now_ns(), e);
}

int stats_refresh_at(struct stats_collector *c, uint64_t t, cg_err *e)
{
	uint64_t interval = c->t_prev_ns && t > c->t_prev_ns ? t - c->t_prev_ns : 0;
	unsigned flash = interval ? (unsigned)(10000000000ull / interval) : 10;
	bool last = c->opts.refreshes && c->refreshes + 1 >= c->opts.refreshes;

	/* A metrics reader must not show a group that went away with the
	 * values its files last gave (files it does not read are not found
	 * gone): the groups with subdirectories (few, their directories kept
	 * open) are checked before the reading, and a change is scanned now. */
	if (c->opts.metrics && c->g && !c->need_scan && !c->just_scanned)
		for (size_t i = 0; i < c->n && !c->need_scan; i++)
			if (c->g[i].has_children && !c->g[i].vanished)
				check_dirs(c, &c->g[i]);
	if (c->need_scan || !c->g) {
		if (scan(c, e) < 0)
			return -1;
		plan_fds(c);
	}
	find_populated(c);
	for (size_t i = 0; c->g && i < c->n; i++) {
		struct stats_group *g = &c->g[i];

		if (g->vanished)
			continue;
		/* Groups with subdirectories (few) are checked at every refresh,
		 * leaves every check_every: new groups mostly come below
		 * groups that already have some. Not right after a scan, nor
		 * at the last refresh (a scan would come at the next). */
		if (!c->opts.no_skip && !c->just_scanned && !last &&
		    (g->has_children ? !c->opts.metrics
				     : (c->refreshes + i) % c->opts.check_every == 0))
			check_dirs(c, g);
		read_group(c, g, i);
		if (g->vanished)
			continue;
		stats_compute(g->fresh ? NULL : &g->st->prev, &g->st->cur, interval, c->ncpu, &g->row);
		/* a new kill; or, in a group made since the last scan, any kill */
		if ((!g->fresh && (g->st->prev.have & g->st->cur.have & SV_BIT(SV_OOM_KILLS)) &&
		     g->st->cur.v[SV_OOM_KILLS] > g->st->prev.v[SV_OOM_KILLS]) ||
		    (g->fresh && g->late && (g->st->cur.have & SV_BIT(SV_OOM_KILLS)) &&
		     g->st->cur.v[SV_OOM_KILLS] > 0))
			g->oom_flash = flash < 3 ? 3 : flash;
		else if (g->oom_flash)
			g->oom_flash--;
		g->fresh = false;
		stats_ring_push(&g->st->ring, &g->row);
	}
	c->live = 0;
	for (size_t i = 0; c->g && i < c->n; i++)
		c->live += !c->g[i].vanished;
	if (c->seen_ok)
		stats_seen_free(&c->seen);
	c->seen_ok = false;
	c->t_prev_ns = t;
	c->refreshes++;
	c->just_scanned = false;
	return 0;
}

/* ---- setup ---- */

static size_t add_hier(struct stats_collector *c, const char *mount, bool v2)
{
	for (size_t h = 0; h < c->n_hier; h++)
		if (strcmp(c->hier[h].mount, mount) == 0)
			return h;
	if (c->n_hier == HIER_MAX)
		return HIER_MAX;
	c->hier[c->n_hier].mount = strdup(mount);
	c->hier[c->n_hier].v2 = v2;
	if (!c->hier[c->n_hier].mount)
		return HIER_MAX;
	return c->n_hier++;
}

/* Kept-open files need fds: the soft limit goes up to the hard one, and a
 * process allowed to (CAP_SYS_RESOURCE) raises the hard one to what the
 * kernel allows (fs.nr_open); past the budget, files are read with
 * open/read/close. */
static void raise_fd_limit(struct stats_collector *c)
{
	struct rlimit rl;
	char buf[32];
	uint64_t nr_open = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		c->fd_budget = 0;
		return;
	}
	if (sys_read_file("/proc/sys/fs/nr_open", buf, sizeof(buf)) > 0 &&
	    map_parse_u64(buf, &nr_open) == 0 && nr_open > rl.rlim_max) {
		struct rlimit more = {.rlim_cur = (rlim_t)nr_open, .rlim_max = (rlim_t)nr_open};

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			rl = more;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	c->fd_budget = rl.rlim_cur > (rlim_t)FD_RESERVE * 2 ? (size_t)rl.rlim_cur - FD_RESERVE : 0;
}

struct stats_collector *stats_open(const struct cg_layout *l, const struct stats_opts *o,
				   cg_err *e)
{
	struct stats_collector *c = calloc(1, sizeof(*c));
	static const enum cg_ctrl procs_pref[] = {CTRL_PIDS, CTRL_CPUACCT, CTRL_CPU, CTRL_MEMORY,
						  CTRL_IO, CTRL_FREEZER, CTRL_CPUSET};
	int unified = -1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!c) {
		cg_err_sys(e, "stats_open");
		return NULL;
	}
	c->layout = l;
	c->opts = *o;
	if (!c->opts.slow_every)
		c->opts.slow_every = 10;
	if (!c->opts.check_every)
		c->opts.check_every = 4;
	c->ncpu = ncpu > 0 ? (unsigned)ncpu : 1;
	c->start = strdup(o->start ? o->start + strspn(o->start, "/") : "");
	if (!c->start)
		goto oom;
	/* "a/b/" -> "a/b" */
	for (size_t n = strlen(c->start); n && c->start[n - 1] == '/'; n--)
		c->start[n - 1] = '\0';

	for (size_t f = 0; f < F_COUNT; f++)
		c->file_hier[f] = -1;
	if (l->mode != CG_MODE_V2) {
		for (size_t k = 0; k < CTRL_COUNT; k++) {
			if (!l->v1_mount[k])
				continue;
			size_t h = add_hier(c, l->v1_mount[k], false);

			if (h == HIER_MAX)
				goto oom;
			for (size_t f = 0; f < F_COUNT; f++)
				if (map_stat_ctrl(files[f].src) == k && map_stat_file(files[f].src, false)) {
					c->file_hier[f] = (int)h;
					c->file_name[f] = map_stat_file(files[f].src, false);
				}
		}
	}
	if (l->unified) {
		size_t h = add_hier(c, l->unified, true);

		if (h == HIER_MAX)
			goto oom;
		unified = (int)h;
		for (size_t f = 0; f < F_COUNT; f++) {
			enum cg_ctrl ctrl = map_stat_ctrl(files[f].src);
			bool ctrl_here = ctrl == CTRL_COUNT || (l->unified_ctrls & (1u << ctrl)) ||
					 (ctrl == CTRL_CPUACCT &&
					  (l->mode == CG_MODE_V2 || (l->unified_ctrls & (1u << CTRL_CPU))));

			if (c->file_hier[f] >= 0 || !map_stat_file(files[f].src, true) ||
			    (!ctrl_here && l->mode != CG_MODE_V2))
				continue;
			if (f == F_PROCS)
				continue;
			c->file_hier[f] = unified;
			c->file_name[f] = map_stat_file(files[f].src, true);
		}
	}
	for (size_t k = 0; k < sizeof(procs_pref) / sizeof(procs_pref[0]); k++)
		if (l->mode != CG_MODE_V2 && l->v1_mount[procs_pref[k]]) {
			size_t h = add_hier(c, l->v1_mount[procs_pref[k]], false);
			bool dup = false;

			for (size_t j = 0; j < c->n_procs_order; j++)
				dup |= c->procs_order[j] == (int)h;
			if (!dup)
				c->procs_order[c->n_procs_order++] = (int)h;
		}
	if (unified >= 0)
		c->procs_order[c->n_procs_order++] = unified;
	c->file_name[F_PROCS] = map_stat_file(MS_PROCS, false);   /* the same on v2 */
	/* how /proc/PID/cgroup names each hierarchy */
	for (size_t h = 0; h < c->n_hier; h++) {
		c->seen_hier[h] = (struct stats_seen_hier){
			.root = c->hier[h].v2 && l->unified_root ? l->unified_root : "/"};
		for (size_t k = 0; !c->hier[h].v2 && k < CTRL_COUNT; k++)
			if (l->v1_mount[k] && strcmp(l->v1_mount[k], c->hier[h].mount) == 0) {
				c->seen_hier[h].ctrl = cg_ctrl_name((enum cg_ctrl)k, false);
				c->seen_hier[h].root = l->v1_root[k] ? l->v1_root[k] : "/";
				break;
			}
	}
	if (c->n_hier == 0) {
		cg_err_set(e, ENOENT, "no cgroup hierarchy is mounted");
		stats_close(c);
		return NULL;
	}
	stats_set_cols(c, o->metrics ? COL_ALL : o->cols ? o->cols : STATS_COLS_DEFAULT);
	raise_fd_limit(c);
	if (scan(c, e) < 0) {
		stats_close(c);
		return NULL;
	}
	plan_fds(c);
	return c;
oom:
	cg_err_sys(e, "stats_open");
	stats_close(c);
	return NULL;
}

void stats_close(struct stats_collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		group_close(c, &c->g[i]);
		free(c->g[i].path);
	}
	free(c->g);
	free(c->hash);
	stats_seen_free(&c->seen);
	for (size_t h = 0; h < c->n_hier; h++)
		free(c->hier[h].mount);
	free(c->start);
	free(c);
}

void stats_touch(struct stats_collector *c, size_t i)
{
	if (i < c->n)
		c->g[i].force = true;
}

size_t stats_count(const struct stats_collector *c)
{
	return c->n;
}

size_t stats_live_count(const struct stats_collector *c)
{
	return c->live;
}

const struct stats_group *stats_group_at(const struct stats_collector *c, size_t i)
{
	return i < c->n ? &c->g[i] : NULL;
}

const struct stats_sample *stats_group_sample(const struct stats_collector *c, size_t i)
{
	return i < c->n && c->g[i].st ? &c->g[i].st->cur : NULL;
}

const struct stats_more *stats_group_more(const struct stats_collector *c, size_t i)
{
	return c->opts.metrics && i < c->n && c->g[i].st ? &c->g[i].st->more : NULL;
}

long stats_find(const struct stats_collector *c, const char *path)
{
	return hash_find(c->hash, c->hash_cap, c->g, path + strspn(path, "/"));
}

unsigned stats_ncpu(const struct stats_collector *c)
{
	return c->ncpu;
}

int stats_group_dir(const struct stats_collector *c, size_t i, enum cg_ctrl ctrl, char *buf,
		    size_t len)
{
	const struct stats_group *g = stats_group_at(c, i);
	const char *mount = NULL;
	int n;

	if (!g || c->replay)
		return -1;
	if (c->layout->mode != CG_MODE_V2 && c->layout->v1_mount[ctrl])
		mount = c->layout->v1_mount[ctrl];
	else if (c->layout->unified && (c->layout->mode == CG_MODE_V2 ||
					(c->layout->unified_ctrls & (1u << ctrl))))
		mount = c->layout->unified;
	if (!mount)
		return -1;
	for (size_t h = 0; h < c->n_hier; h++)
		if (strcmp(c->hier[h].mount, mount) == 0 && (g->hier & (1u << h))) {
			n = snprintf(buf, len, "%s%s%s", mount, *g->path ? "/" : "", g->path);
			return n > 0 && (size_t)n < len ? 0 : -1;
		}
	return -1;
}

void stats_group_cgdirs(const struct stats_collector *c, size_t i, struct cg_dirs *out,
			char (*bufs)[4096])
{
	const struct stats_group *g = stats_group_at(c, i);

	out->n = 0;
	for (size_t h = 0; g && h < c->n_hier && out->n < CG_MAX_HIER; h++) {
		struct cg_hdir *d = &out->h[out->n];

		if (!(g->hier & (1u << h)))
			continue;
		snprintf(bufs[out->n], 4096, "%s%s%s", c->hier[h].mount, *g->path ? "/" : "", g->path);
		*d = (struct cg_hdir){.dir = bufs[out->n], .v2 = c->hier[h].v2, .mount = c->hier[h].mount};
		for (size_t k = 0; !d->v2 && k < CTRL_COUNT; k++)
			if (c->layout->v1_mount[k] && !strcmp(c->layout->v1_mount[k], c->hier[h].mount) &&
			    (!d->ctrl || k == CTRL_FREEZER))
				d->ctrl = cg_ctrl_name((enum cg_ctrl)k, false);
		out->n++;
	}
}

void stats_fd_usage(const struct stats_collector *c, size_t *kept, size_t *fallback_reads)
{
	*kept = c->fds_kept;
	*fallback_reads = c->fallback_reads;
}

const struct stats_ring *stats_group_ring(const struct stats_collector *c, size_t i)
{
	return i < c->n && c->g[i].st ? &c->g[i].st->ring : NULL;
}

/* ---- replay ---- */

struct stats_collector *stats_open_replay(const struct stats_opts *o, unsigned ncpu, cg_err *e)
{
	struct stats_collector *c = calloc(1, sizeof(*c));

	if (!c) {
		cg_err_sys(e, "stats_open_replay");
		return NULL;
	}
	c->opts = *o;
	c->replay = true;
	c->ncpu = ncpu ? ncpu : 1;
	c->start = strdup(o->start ? o->start + strspn(o->start, "/") : "");
	if (!c->start) {
		cg_err_sys(e, "stats_open_replay");
		free(c);
		return NULL;
	}
	for (size_t n = strlen(c->start); n && c->start[n - 1] == '/'; n--)
		c->start[n - 1] = '\0';
	return c;
}

bool stats_is_replay(const struct stats_collector *c)
{
	return c->replay;
}

void stats_feed_forget(struct stats_collector *c)
{
	for (size_t i = 0; i < c->n; i++) {
		c->g[i].fresh = true;
		if (c->g[i].st)
			memset(&c->g[i].st->ring, 0, sizeof(c->g[i].st->ring));
	}
	c->t_prev_ns = 0;
}

/* path below (or at) the top the collector shows */
static bool under_start(const char *start, const char *path)
{
	size_t n = strlen(start);

	return !n || (strncmp(path, start, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

static int feed_cmp(const void *a, const void *b)
{
	return path_cmp(*(char *const *)a, *(char *const *)b);
}

int stats_feed(struct stats_collector *c, uint64_t time_us, const struct stats_feed_group *fg,
	       size_t n, cg_err *e)
{
	uint64_t t = time_us * 1000u;
	uint64_t interval = c->t_prev_ns && t > c->t_prev_ns ? t - c->t_prev_ns : 0;
	size_t m = 0, cap = 16;
	bool have_top = false;
	size_t *sel;               /* index into fg; SIZE_MAX: the top, made up */
	char **paths;
	struct stats_group *g;
	uint32_t *hash;

	while (cap < 2 * (n + 1))
		cap *= 2;
	sel = calloc(n + 1, sizeof(size_t));
	paths = calloc(n + 1, sizeof(char *));
	g = calloc(n + 1, sizeof(*g));
	hash = calloc(cap, sizeof(*hash));
	if (!sel || !paths || !g || !hash)
		goto oom;
	/* the groups below the top (the top made up when absent) */
	for (size_t i = 0; i < n; i++) {
		const char *p = fg[i].path ? fg[i].path + strspn(fg[i].path, "/") : NULL;

		if (p && under_start(c->start, p)) {
			sel[m++] = i;
			have_top |= strcmp(p, c->start) == 0;
		}
	}
	if (!have_top)
		sel[m++] = SIZE_MAX;
	for (size_t i = 0; i < m; i++) {
		const char *p = sel[i] != SIZE_MAX ? fg[sel[i]].path + strspn(fg[sel[i]].path, "/")
						   : c->start;

		paths[i] = strdup(p);
		if (!paths[i]) {
			for (size_t j = 0; j < i; j++)
				free(paths[j]);
			goto oom;
		}
		/* "a/b/" -> "a/b" */
		for (size_t k = strlen(paths[i]); k && paths[i][k - 1] == '/'; k--)
			paths[i][k - 1] = '\0';
	}
	/* sort paths and samples together: sort an index through the paths */
	{
		struct pair { char *p; size_t idx; } *pr = calloc(m ? m : 1, sizeof(*pr));

		if (!pr) {
			for (size_t j = 0; j < m; j++)
				free(paths[j]);
			goto oom;
		}
		for (size_t i = 0; i < m; i++)
			pr[i] = (struct pair){paths[i], sel[i]};
		qsort(pr, m, sizeof(*pr), feed_cmp);
		for (size_t i = 0; i < m; i++) {
			paths[i] = pr[i].p;
			sel[i] = pr[i].idx;
		}
		free(pr);
	}
	size_t k = 0;

	for (size_t i = 0; i < m; i++) {
		if (k && strcmp(g[k - 1].path, paths[i]) == 0) {
			free(paths[i]);   /* given twice: the first counts */
			continue;
		}
		if (group_init(&g[k], paths[i]) < 0) {
			for (size_t j = i; j < m; j++)
				free(paths[j]);
			for (size_t j = 0; j < k; j++) {
				free(g[j].st);
				free(g[j].path);
			}
			free(g);
			g = NULL;
			goto oom;
		}
		long o = c->g ? hash_find(c->hash, c->hash_cap, c->g, paths[i]) : -1;

		if (c->g && o >= 0) {
			struct stats_state *st = g[k].st;
			struct stats_group *og = &c->g[o];

			g[k].st = og->st;
			og->st = st;
			g[k].fresh = og->fresh;
			g[k].oom_flash = og->oom_flash;
			g[k].late = true;
		} else {
			g[k].late = c->g != NULL;
		}
		g[k].st->prev = g[k].st->cur;
		if (sel[i] != SIZE_MAX)
			g[k].st->cur = fg[sel[i]].s;
		else
			memset(&g[k].st->cur, 0, sizeof(g[k].st->cur));
		hash_insert(hash, cap, g[k].path, k);
		k++;
	}
	for (size_t i = 0; i < k; i++) {
		char *slash = strrchr(g[i].path, '/');

		g[i].name = slash ? slash + 1 : *g[i].path ? g[i].path : "/";
		g[i].parent = -1;
		if (i == 0)
			continue;
		/* the nearest ancestor given, else the top */
		for (char *s = slash; s && g[i].parent < 0; ) {
			*s = '\0';
			g[i].parent = (int)hash_find(hash, cap, g, g[i].path);
			*s = '/';
			char *prev_slash = NULL;

			for (char *q = g[i].path; q < s; q++)
				if (*q == '/')
					prev_slash = q;
			s = prev_slash;
		}
		if (g[i].parent < 0)
			g[i].parent = 0;
		g[i].depth = g[g[i].parent].depth + 1;
		g[g[i].parent].has_children = true;
	}
	for (size_t i = 0; i < k; i++) {
		struct stats_group *x = &g[i];
		bool fresh = x->fresh || !interval;

		stats_compute(fresh ? NULL : &x->st->prev, &x->st->cur, interval, c->ncpu, &x->row);
		if (!fresh && (x->st->prev.have & x->st->cur.have & SV_BIT(SV_OOM_KILLS)) &&
		    x->st->cur.v[SV_OOM_KILLS] > x->st->prev.v[SV_OOM_KILLS])
			x->oom_flash = 3;
		else if (x->oom_flash)
			x->oom_flash--;
		x->fresh = false;
		stats_ring_push(&x->st->ring, &x->row);
	}
	for (size_t i = 0; c->g && i < c->n; i++) {
		group_close(c, &c->g[i]);
		free(c->g[i].path);
	}
	free(c->g);
	free(c->hash);
	c->g = g;
	c->n = k;
	c->live = k;
	c->hash = hash;
	c->hash_cap = cap;
	c->t_prev_ns = t;
	c->refreshes++;
	free(sel);
	free(paths);
	return 0;
oom:
	free(sel);
	free(paths);
	free(g);
	free(hash);
	return cg_err_sys(e, "replaying a sample");
}
