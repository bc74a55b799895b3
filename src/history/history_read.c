/* The history reader (history.h): every segment of a directory mapped read
 * only, indexed once at open (each record's framing and CRC checked: a bad or
 * torn record ends its segment there), samples decoded on demand from the
 * start of their run (the header they follow), forward from the last decoded
 * sample when it can. The format: docs/history-format.md. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "history_fmt.h"
#include "history_int.h"

struct ridx {                  /* one sample of a segment */
	uint64_t time_us;
	uint64_t interval_us;
	size_t off, run_off;       /* its record; the header of its run */
	size_t ev_first, ev_n;     /* the segment's events since its previous sample */
};

struct rseg {
	char name[HIST_NAME_LEN + 1];
	uint64_t start_us;         /* the hour its name says (0 for buffers) */
	const uint8_t *buf;
	size_t len;                /* up to the end of the last good record */
	size_t map_len;            /* mapped bytes, 0 when not ours */
	bool owned;                /* buf is read into memory: free it */
	bool indexed;
	struct ridx *idx;
	size_t n_idx, cap_idx;
	size_t *evs;               /* offsets of its EVENT records */
	size_t n_evs, cap_evs;
	size_t tail_ev;            /* its events after its last sample */
};

struct rstate {
	uint64_t v[SV_COUNT];
	uint64_t have;         /* all bits of the file, the unknown ones too */
};

/* The decoder's state after a sample, kept every CK_STRIDE samples of the run
 * it is in, so that stepping back decodes a few samples, not the whole run. */
#define CK_STRIDE 32
#define CK_MAX_BYTES (64u << 20)
struct ckpt {
	size_t i, next_off, n_paths;
	struct rstate *st;
};

struct hist_reader {
	int dfd;               /* the directory, -1 for buffers */
	struct rseg *segs;
	size_t n_segs;
	uint64_t first_us, last_us;
	size_t ps, pi;         /* the next sample hist_next returns: segs[ps].idx[pi] */
	/* the decoder: where it stands, the run's string table and values */
	size_t d_seg, d_run, d_next;   /* d_next: offset of the next record to read */
	size_t d_i;                    /* the sample last decoded, SIZE_MAX none */
	bool d_valid;
	char **paths;
	size_t n_paths, cap_paths;
	struct rstate *st;     /* by path id */
	size_t cap_st;
	struct ckpt *ck;
	size_t n_ck, cap_ck, ck_bytes;
	/* the frame handed out */
	struct hist_frame last;
	struct hist_group *fg;
	size_t cap_fg;
	char **ev_text;
	size_t n_ev_text, cap_ev_text;
};

#define OOM(e) cg_err_set(e, ENOMEM, "history: out of memory")

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * size);
	if (!n)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

/* The header's payload: magic, a version this reader knows, the tags it
 * knows (others skipped). */
static bool parse_header(const uint8_t *p, size_t len, uint64_t *interval)
{
	const uint8_t *end = p + len;

	if (len < HIST_MAGIC_LEN + 2 || memcmp(p, HIST_MAGIC, HIST_MAGIC_LEN) != 0)
		return false;
	if (hist_get_u16(p + HIST_MAGIC_LEN) > HIST_VERSION)
		return false;
	p += HIST_MAGIC_LEN + 2;
	*interval = 0;
	while (p < end) {
		uint64_t tag, l;
		if (!hist_get_varint(&p, end, &tag) || !hist_get_varint(&p, end, &l) ||
		    l > (uint64_t)(end - p))
			return true;   /* the tags are past what we need; the header stands */
		if (tag == HIST_T_INTERVAL) {
			const uint8_t *q = p;
			uint64_t v;
			if (hist_get_varint(&q, p + l, &v))
				*interval = v;
		}
		p += l;
	}
	return true;
}

/* Reads the newest segment into memory: it may be the one a writer appends
 * to, and a writer that restarts cuts its torn tail off, which would be a
 * SIGBUS in a mapping. */
static int read_segment(struct rseg *s, int fd, size_t size, cg_err *e)
{
	uint8_t *b = malloc(size);
	size_t got = 0;

	if (!b)
		return OOM(e);
	while (got < size) {
		ssize_t n = pread(fd, b + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(b);
			return cg_err_sys(e, "history: reading %s", s->name);
		}
		if (n == 0)
			break;   /* cut meanwhile */
		got += (size_t)n;
	}
	s->buf = b;
	s->len = got;
	s->owned = true;
	return 0;
}

/* Maps a directory's segment (a file pruned meanwhile is an empty one). */
static int map_segment(struct hist_reader *r, struct rseg *s, cg_err *e)
{
	_cleanup_close_ int fd = openat(r->dfd, s->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return cg_err_sys(e, "history: opening %s", s->name);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	if (s == &r->segs[r->n_segs - 1])
		return read_segment(s, fd, (size_t)st.st_size, e);
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return cg_err_sys(e, "history: reading %s", s->name);
	s->buf = m;
	s->len = s->map_len = (size_t)st.st_size;
	return 0;
}

/* Indexes a segment's records, the first time it is needed: every record's
 * framing and CRC checked, the segment cut at the first torn or bad one. */
static int index_segment(struct hist_reader *r, size_t si, cg_err *e)
{
	struct rseg *s = &r->segs[si];
	size_t off = 0, run_off = 0, ev_since = 0;
	uint64_t interval = 0;
	bool in_run = false;

	if (s->indexed)
		return 0;
	if (r->dfd >= 0 && map_segment(r, s, e) < 0)
		return -1;
	s->indexed = true;
	for (;;) {
		uint64_t t;
		uint16_t kind;
		const uint8_t *p;
		size_t plen, n = hist_record_at(s->buf, s->len, off, &t, &kind, &p, &plen);
		if (!n)
			break;
		if (kind == HIST_K_HEADER) {
			if (!parse_header(p, plen, &interval))
				break;   /* a run this reader cannot read: the segment ends */
			in_run = true;
			run_off = off;
		} else if (!in_run) {
			break;   /* records before any header: not a segment */
		} else if (kind == HIST_K_SAMPLE) {
			if (grow((void **)&s->idx, &s->cap_idx, s->n_idx + 1, sizeof(*s->idx)) < 0)
				return OOM(e);
			s->idx[s->n_idx++] = (struct ridx){
				.time_us = t,
				.interval_us = interval,
				.off = off,
				.run_off = run_off,
				.ev_first = ev_since,
				.ev_n = s->n_evs - ev_since,
			};
			ev_since = s->n_evs;
		} else if (kind == HIST_K_EVENT) {
			if (grow((void **)&s->evs, &s->cap_evs, s->n_evs + 1, sizeof(*s->evs)) < 0)
				return OOM(e);
			s->evs[s->n_evs++] = off;
		}
		off += n;
	}
	s->len = off;
	s->tail_ev = ev_since;
	return 0;
}

/* The first and last samples' times, for hist_range. */
static int find_range(struct hist_reader *r, cg_err *e)
{
	size_t i;

	for (i = 0; i < r->n_segs; i++) {
		if (index_segment(r, i, e) < 0)
			return -1;
		if (r->segs[i].n_idx) {
			r->first_us = r->segs[i].idx[0].time_us;
			break;
		}
	}
	for (i = r->n_segs; i-- > 0;) {
		if (index_segment(r, i, e) < 0)
			return -1;
		if (r->segs[i].n_idx) {
			r->last_us = r->segs[i].idx[r->segs[i].n_idx - 1].time_us;
			break;
		}
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rseg *)a)->name, ((const struct rseg *)b)->name);
}

int hist_reader_open(struct hist_reader **rp, const char *dir, cg_err *e)
{
	*rp = NULL;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return cg_err_sys(e, "history: opening %s", dir);
	struct hist_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return OOM(e);
	r->d_i = SIZE_MAX;
	r->dfd = dup(dirfd(d));
	if (r->dfd < 0) {
		free(r);
		return cg_err_sys(e, "history: opening %s", dir);
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		uint64_t start;
		if (!hist_segment_time(de->d_name, &start))
			continue;
		if (grow((void **)&r->segs, &cap, r->n_segs + 1, sizeof(*r->segs)) < 0) {
			hist_reader_close(r);
			return OOM(e);
		}
		struct rseg *s = &r->segs[r->n_segs];
		memset(s, 0, sizeof(*s));
		memcpy(s->name, de->d_name, HIST_NAME_LEN + 1);
		s->start_us = start;
		r->n_segs++;
	}
	if (r->n_segs)
		qsort(r->segs, r->n_segs, sizeof(*r->segs), name_cmp);
	if (find_range(r, e) < 0) {
		cg_err_prefix(e, "%s", dir);
		hist_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

int hist_reader_open_mem(struct hist_reader **rp, const uint8_t *const *bufs, const size_t *lens,
			 size_t n, cg_err *e)
{
	*rp = NULL;
	struct hist_reader *r = calloc(1, sizeof(*r));
	if (!r || (n && !(r->segs = calloc(n, sizeof(*r->segs))))) {
		free(r);
		return OOM(e);
	}
	r->dfd = -1;
	r->d_i = SIZE_MAX;
	r->n_segs = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(r->segs[i].name, sizeof(r->segs[i].name), "mem-%u", (unsigned)(i % 100000));
		r->segs[i].buf = bufs[i];
		r->segs[i].len = lens[i];
	}
	if (find_range(r, e) < 0) {
		hist_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

static void ck_clear(struct hist_reader *r)
{
	for (size_t i = 0; i < r->n_ck; i++)
		free(r->ck[i].st);
	r->n_ck = 0;
	r->ck_bytes = 0;
}

/* Forgets the run: its paths, its checkpoints. */
static void decoder_reset(struct hist_reader *r)
{
	for (size_t i = 0; i < r->n_paths; i++)
		free(r->paths[i]);
	r->n_paths = 0;
	r->d_i = SIZE_MAX;
	ck_clear(r);
}

/* Back to a checkpoint of the run: the paths added since go. */
static void ck_restore(struct hist_reader *r, const struct ckpt *c)
{
	for (size_t i = c->n_paths; i < r->n_paths; i++)
		free(r->paths[i]);
	r->n_paths = c->n_paths;
	if (c->n_paths)
		memcpy(r->st, c->st, c->n_paths * sizeof(*r->st));
	r->d_next = c->next_off;
	r->d_i = c->i;
}

/* Keeps the state after sample i when it is a checkpoint's turn (best
 * effort: no memory, no checkpoint). */
static void ck_add(struct hist_reader *r, size_t i)
{
	size_t bytes = r->n_paths * sizeof(*r->st);

	if (i % CK_STRIDE || (r->n_ck && r->ck[r->n_ck - 1].i >= i) ||
	    r->ck_bytes + bytes > CK_MAX_BYTES)
		return;
	if (grow((void **)&r->ck, &r->cap_ck, r->n_ck + 1, sizeof(*r->ck)) < 0)
		return;
	struct rstate *st = malloc(bytes ? bytes : 1);
	if (!st)
		return;
	if (bytes)
		memcpy(st, r->st, bytes);
	r->ck[r->n_ck++] = (struct ckpt){.i = i, .next_off = r->d_next, .n_paths = r->n_paths,
					  .st = st};
	r->ck_bytes += bytes;
}

static int bad(struct hist_reader *r, size_t seg, size_t off, const char *what, cg_err *e)
{
	r->d_valid = false;
	return cg_err_set(e, EINVAL, "history: %s at byte %zu: %s", r->segs[seg].name, off, what);
}

static int apply_paths(struct hist_reader *r, size_t seg, size_t off, const uint8_t *p,
		       size_t plen, cg_err *e)
{
	const uint8_t *end = p + plen;
	uint64_t first, n;

	if (!hist_get_varint(&p, end, &first) || !hist_get_varint(&p, end, &n))
		return bad(r, seg, off, "a path table record cut short", e);
	if (first != r->n_paths)
		return bad(r, seg, off, "a path table record out of order", e);
	if (n > plen)
		return bad(r, seg, off, "a path table record cut short", e);
	if (grow((void **)&r->paths, &r->cap_paths, r->n_paths + n, sizeof(*r->paths)) < 0 ||
	    grow((void **)&r->st, &r->cap_st, r->n_paths + n, sizeof(*r->st)) < 0)
		return OOM(e);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t l;
		if (!hist_get_varint(&p, end, &l) || l > (uint64_t)(end - p))
			return bad(r, seg, off, "a path table record cut short", e);
		char *s = strndup((const char *)p, l);
		if (!s)
			return OOM(e);
		p += l;
		memset(&r->st[r->n_paths], 0, sizeof(*r->st));
		r->paths[r->n_paths++] = s;
	}
	return 0;
}

/* Applies a sample's deltas; fills the frame's groups when fill. */
static int apply_sample(struct hist_reader *r, size_t seg, size_t off, const uint8_t *p,
			size_t plen, bool fill, size_t *n_out, cg_err *e)
{
	const uint8_t *end = p + plen;
	uint64_t n;

	if (!hist_get_varint(&p, end, &n) || n > plen)
		return bad(r, seg, off, "a sample cut short", e);
	if (fill && grow((void **)&r->fg, &r->cap_fg, n, sizeof(*r->fg)) < 0)
		return OOM(e);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t x;
		if (!hist_get_varint(&p, end, &x))
			return bad(r, seg, off, "a sample cut short", e);
		uint64_t id = x >> 1;
		if (id >= r->n_paths)
			return bad(r, seg, off, "a sample names a path not in the table", e);
		struct rstate *st = &r->st[id];
		if ((x & 1) && !hist_get_varint(&p, end, &st->have))
			return bad(r, seg, off, "a sample cut short", e);
		for (uint64_t bits = st->have; bits; bits &= bits - 1) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			uint64_t z;
			if (p < end && *p < 0x80)
				z = *p++;   /* most deltas are one byte */
			else if (!hist_get_varint(&p, end, &z))
				return bad(r, seg, off, "a sample cut short", e);
			if (b < SV_COUNT)
				st->v[b] += hist_unzigzag(z);
		}
		if (fill) {
			struct hist_group *g = &r->fg[i];
			g->path = r->paths[id];
			g->s.have = (uint32_t)(st->have & ((1u << SV_COUNT) - 1));
			for (unsigned b = 0; b < SV_COUNT; b++)
				g->s.v[b] = g->s.have & SV_BIT(b) ? st->v[b] : 0;
		}
	}
	*n_out = (size_t)n;
	return 0;
}

static int add_event(struct hist_reader *r, size_t seg, size_t off, cg_err *e)
{
	const struct rseg *s = &r->segs[seg];
	uint64_t t;
	uint16_t k;
	const uint8_t *p;
	size_t plen;

	if (!hist_record_at(s->buf, s->len, off, &t, &k, &p, &plen))
		return cg_err_set(e, EIO, "history: %s at byte %zu: an event record changed "
				  "under the reader", s->name, off);
	if (grow((void **)&r->ev_text, &r->cap_ev_text, r->n_ev_text + 1, sizeof(*r->ev_text)) < 0)
		return OOM(e);
	char *text = strndup((const char *)p, plen);
	if (!text)
		return OOM(e);
	r->ev_text[r->n_ev_text++] = text;
	return 0;
}

/* The events since the previous sample: the segment's before this sample,
 * and for a segment's first sample those after the last sample of the
 * segments before it. */
static int load_events(struct hist_reader *r, size_t si, size_t i, struct hist_frame *f,
		       cg_err *e)
{
	const struct ridx *x = &r->segs[si].idx[i];

	for (size_t k = 0; k < r->n_ev_text; k++)
		free(r->ev_text[k]);
	r->n_ev_text = 0;
	if (i == 0) {
		size_t from = si;
		while (from > 0) {
			from--;
			if (index_segment(r, from, e) < 0)
				return -1;
			if (r->segs[from].n_idx)
				break;
		}
		for (size_t k = from; k < si; k++) {
			const struct rseg *s = &r->segs[k];
			for (size_t j = s->tail_ev; j < s->n_evs; j++)
				if (add_event(r, k, s->evs[j], e) < 0)
					return -1;
		}
	}
	for (size_t j = 0; j < x->ev_n; j++)
		if (add_event(r, si, r->segs[si].evs[x->ev_first + j], e) < 0)
			return -1;
	f->n_events = r->n_ev_text;
	f->events = (const char *const *)r->ev_text;
	return 0;
}

/* Decodes sample i of segment si into f: from where the decoder stands when
 * it is before i in the same run, else from the last checkpoint before i or
 * the run's header. */
static int decode_at(struct hist_reader *r, size_t si, size_t i, struct hist_frame *f,
		     cg_err *e)
{
	const struct rseg *s = &r->segs[si];
	const struct ridx *x = &s->idx[i];

	if (r->d_valid && r->d_seg == si && r->d_i == i) {
		*f = r->last;   /* the frame already decoded */
		return 0;
	}
	if (!r->d_valid || r->d_seg != si || r->d_run != x->run_off) {
		decoder_reset(r);
		r->d_seg = si;
		r->d_run = x->run_off;
		r->d_next = x->run_off;
		r->d_valid = true;
	} else if (r->d_next > x->off) {
		size_t c = r->n_ck;
		while (c > 0 && r->ck[c - 1].i >= i)
			c--;
		if (c > 0) {
			ck_restore(r, &r->ck[c - 1]);
		} else {
			for (size_t k = 0; k < r->n_paths; k++)
				free(r->paths[k]);
			r->n_paths = 0;
			r->d_next = x->run_off;
			r->d_i = SIZE_MAX;
		}
	}
	for (;;) {
		uint64_t t;
		uint16_t kind;
		const uint8_t *p;
		size_t plen, off = r->d_next, n;
		n = hist_record_at(s->buf, s->len, off, &t, &kind, &p, &plen);
		if (!n)
			return bad(r, si, off, "a record changed under the reader", e);
		r->d_next = off + n;
		if (kind == HIST_K_HEADER && off == x->run_off) {
			for (size_t k = 0; k < r->n_paths; k++)
				free(r->paths[k]);
			r->n_paths = 0;
		} else if (kind == HIST_K_PATHS && apply_paths(r, si, off, p, plen, e) < 0) {
			return -1;
		} else if (kind == HIST_K_SAMPLE) {
			size_t ng = 0;
			if (apply_sample(r, si, off, p, plen, off == x->off, &ng, e) < 0)
				return -1;
			/* the sample's index: the decoder walks the samples in order */
			r->d_i = r->d_i == SIZE_MAX ? 0 : r->d_i + 1;
			while (r->d_i < s->n_idx && s->idx[r->d_i].off < off)
				r->d_i++;
			ck_add(r, r->d_i);
			if (off == x->off) {
				f->time_us = x->time_us;
				f->n = ng;
				f->g = r->fg;
				f->interval_us = x->interval_us;
				if (load_events(r, si, i, f, e) < 0)
					return -1;
				r->last = *f;
				return 0;
			}
		}
		if (r->d_next > x->off)
			return bad(r, si, off, "a sample not where the index says", e);
	}
}

static int decode(struct hist_reader *r, size_t si, size_t i, struct hist_frame *f, cg_err *e)
{
	int rc = decode_at(r, si, i, f, e);

	if (rc < 0) {
		r->d_valid = false;   /* the next one starts again from its header */
		decoder_reset(r);
	}
	return rc;
}

int hist_seek(struct hist_reader *r, uint64_t time_us, cg_err *e)
{
	size_t s = 0;

	r->ps = r->pi = 0;
	if (!time_us)
		return 0;
	/* the last segment whose hour starts at or before the time */
	if (r->dfd >= 0) {
		size_t lo = 0, hi = r->n_segs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (r->segs[mid].start_us <= time_us)
				lo = mid + 1;
			else
				hi = mid;
		}
		s = lo ? lo - 1 : 0;
	}
	for (; s < r->n_segs; s++) {
		if (index_segment(r, s, e) < 0)
			return -1;
		const struct rseg *g = &r->segs[s];
		for (size_t i = 0; i < g->n_idx; i++)
			if (g->idx[i].time_us >= time_us) {
				r->ps = s;
				r->pi = i;
				return 0;
			}
	}
	r->ps = r->n_segs;
	r->pi = 0;
	return 0;
}

int hist_next(struct hist_reader *r, struct hist_frame *f, cg_err *e)
{
	while (r->ps < r->n_segs) {
		if (index_segment(r, r->ps, e) < 0)
			return -1;
		if (r->pi < r->segs[r->ps].n_idx)
			break;
		r->ps++;
		r->pi = 0;
	}
	if (r->ps >= r->n_segs)
		return 0;
	if (decode(r, r->ps, r->pi, f, e) < 0)
		return -1;
	r->pi++;
	return 1;
}

int hist_prev(struct hist_reader *r, struct hist_frame *f, cg_err *e)
{
	size_t s = r->ps, i = r->pi;

	if (s < r->n_segs) {
		if (index_segment(r, s, e) < 0)
			return -1;
		if (i > r->segs[s].n_idx)
			i = r->segs[s].n_idx;
	}
	for (;;) {
		if (s < r->n_segs && i > 0) {
			i--;
			break;
		}
		if (s == 0)
			return 0;
		s--;
		if (index_segment(r, s, e) < 0)
			return -1;
		i = r->segs[s].n_idx;
	}
	if (decode(r, s, i, f, e) < 0)
		return -1;
	r->ps = s;
	r->pi = i;
	return 1;
}

void hist_range(const struct hist_reader *r, uint64_t *first_us, uint64_t *last_us)
{
	*first_us = r->first_us;
	*last_us = r->last_us;
}

void hist_reader_close(struct hist_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_segs; i++) {
		if (r->segs[i].map_len)
			munmap((void *)r->segs[i].buf, r->segs[i].map_len);
		if (r->segs[i].owned)
			free((void *)r->segs[i].buf);
		free(r->segs[i].idx);
		free(r->segs[i].evs);
	}
	if (r->dfd >= 0)
		close(r->dfd);
	decoder_reset(r);
	for (size_t i = 0; i < r->n_ev_text; i++)
		free(r->ev_text[i]);
	free(r->ev_text);
	free(r->ck);
	free(r->paths);
	free(r->st);
	free(r->fg);
	free(r->segs);
	free(r);
}
