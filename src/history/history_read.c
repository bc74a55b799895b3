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

struct rseg {
	char name[HIST_NAME_LEN + 1];
	const uint8_t *buf;
	size_t len;            /* up to the end of the last good record */
	size_t map_len;        /* mapped bytes, 0 when not ours */
};

struct ridx {                  /* one sample */
	uint64_t time_us;
	uint64_t interval_us;
	size_t seg, off, run_off;  /* its record; the header of its run */
	size_t ev_first, ev_n;     /* its events in r->evs */
};

struct rev {
	size_t seg, off;
};

struct rstate {
	uint64_t v[SV_COUNT];
	uint64_t have;         /* all bits of the file, the unknown ones too */
};

struct hist_reader {
	struct rseg *segs;
	size_t n_segs;
	struct ridx *idx;
	size_t n_idx, cap_idx;
	struct rev *evs;
	size_t n_evs, cap_evs;
	size_t pos;            /* the next sample hist_next returns */
	/* the decoder: where it stands, the run's string table and values */
	size_t d_seg, d_run, d_next;   /* d_next: offset of the next record to read */
	bool d_valid;
	char **paths;
	size_t n_paths, cap_paths;
	struct rstate *st;     /* by path id */
	size_t cap_st;
	/* the frame handed out */
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

/* Indexes one segment's records; cuts it at the first torn or bad one. */
static int index_segment(struct hist_reader *r, size_t si, size_t *pending_first,
			 size_t *pending_n, cg_err *e)
{
	struct rseg *s = &r->segs[si];
	size_t off = 0, run_off = 0;
	uint64_t interval = 0;
	bool in_run = false;

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
			if (grow((void **)&r->idx, &r->cap_idx, r->n_idx + 1, sizeof(*r->idx)) < 0)
				return OOM(e);
			r->idx[r->n_idx++] = (struct ridx){
				.time_us = t,
				.interval_us = interval,
				.seg = si,
				.off = off,
				.run_off = run_off,
				.ev_first = *pending_first,
				.ev_n = *pending_n,
			};
			*pending_first = r->n_evs;
			*pending_n = 0;
		} else if (kind == HIST_K_EVENT) {
			if (grow((void **)&r->evs, &r->cap_evs, r->n_evs + 1, sizeof(*r->evs)) < 0)
				return OOM(e);
			r->evs[r->n_evs++] = (struct rev){.seg = si, .off = off};
			(*pending_n)++;
		}
		off += n;
	}
	s->len = off;
	return 0;
}

static int index_all(struct hist_reader *r, cg_err *e)
{
	size_t pf = 0, pn = 0;

	for (size_t i = 0; i < r->n_segs; i++)
		if (index_segment(r, i, &pf, &pn, e) < 0)
			return -1;
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
		r->n_segs++;
	}
	if (r->n_segs)
		qsort(r->segs, r->n_segs, sizeof(*r->segs), name_cmp);
	int dfd = dirfd(d);
	for (size_t i = 0; i < r->n_segs; i++) {
		struct rseg *s = &r->segs[i];
		_cleanup_close_ int fd = openat(dfd, s->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			cg_err_sys(e, "history: opening %s/%s", dir, s->name);
			hist_reader_close(r);
			return -1;
		}
		if (!S_ISREG(st.st_mode) || st.st_size == 0)
			continue;
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			cg_err_sys(e, "history: reading %s/%s", dir, s->name);
			hist_reader_close(r);
			return -1;
		}
		s->buf = m;
		s->len = s->map_len = (size_t)st.st_size;
	}
	if (index_all(r, e) < 0) {
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
	r->n_segs = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(r->segs[i].name, sizeof(r->segs[i].name), "mem-%u", (unsigned)(i % 100000));
		r->segs[i].buf = bufs[i];
		r->segs[i].len = lens[i];
	}
	if (index_all(r, e) < 0) {
		hist_reader_close(r);
		return -1;
	}
	*rp = r;
	return 0;
}

static void decoder_reset(struct hist_reader *r)
{
	for (size_t i = 0; i < r->n_paths; i++)
		free(r->paths[i]);
	r->n_paths = 0;
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
		for (unsigned b = 0; b < 64; b++) {
			uint64_t z;
			if (!(st->have & (1ull << b)))
				continue;
			if (!hist_get_varint(&p, end, &z))
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

static int load_events(struct hist_reader *r, const struct ridx *x, struct hist_frame *f,
		       cg_err *e)
{
	for (size_t i = 0; i < r->n_ev_text; i++)
		free(r->ev_text[i]);
	r->n_ev_text = 0;
	if (grow((void **)&r->ev_text, &r->cap_ev_text, x->ev_n, sizeof(*r->ev_text)) < 0)
		return OOM(e);
	for (size_t i = 0; i < x->ev_n; i++) {
		const struct rev *ev = &r->evs[x->ev_first + i];
		const struct rseg *s = &r->segs[ev->seg];
		uint64_t t;
		uint16_t k;
		const uint8_t *p;
		size_t plen;
		if (!hist_record_at(s->buf, s->len, ev->off, &t, &k, &p, &plen))
			return bad(r, ev->seg, ev->off, "an event record changed under the reader", e);
		char *text = strndup((const char *)p, plen);
		if (!text)
			return OOM(e);
		r->ev_text[r->n_ev_text++] = text;
	}
	f->n_events = r->n_ev_text;
	f->events = (const char *const *)r->ev_text;
	return 0;
}

/* Decodes sample i into f: from where the decoder stands when it is before
 * i in the same run, else from the run's header. */
static int decode_at(struct hist_reader *r, size_t i, struct hist_frame *f, cg_err *e)
{
	const struct ridx *x = &r->idx[i];
	const struct rseg *s = &r->segs[x->seg];

	if (!r->d_valid || r->d_seg != x->seg || r->d_run != x->run_off || r->d_next > x->off) {
		decoder_reset(r);
		r->d_seg = x->seg;
		r->d_run = x->run_off;
		r->d_next = x->run_off;
		r->d_valid = true;
	}
	for (;;) {
		uint64_t t;
		uint16_t kind;
		const uint8_t *p;
		size_t plen, off = r->d_next, n;
		n = hist_record_at(s->buf, s->len, off, &t, &kind, &p, &plen);
		if (!n)
			return bad(r, x->seg, off, "a record changed under the reader", e);
		if (kind == HIST_K_HEADER && off == x->run_off)
			decoder_reset(r);
		else if (kind == HIST_K_PATHS && apply_paths(r, x->seg, off, p, plen, e) < 0)
			return -1;
		else if (kind == HIST_K_SAMPLE) {
			size_t ng = 0;
			if (apply_sample(r, x->seg, off, p, plen, off == x->off, &ng, e) < 0)
				return -1;
			if (off == x->off) {
				r->d_next = off + n;
				f->time_us = x->time_us;
				f->n = ng;
				f->g = r->fg;
				f->interval_us = x->interval_us;
				return load_events(r, x, f, e);
			}
		}
		r->d_next = off + n;
		if (r->d_next > x->off)
			return bad(r, x->seg, off, "a sample not where the index says", e);
	}
}

static int decode(struct hist_reader *r, size_t i, struct hist_frame *f, cg_err *e)
{
	int rc = decode_at(r, i, f, e);

	if (rc < 0)
		r->d_valid = false;   /* the next one starts again from its header */
	return rc;
}

int hist_seek(struct hist_reader *r, uint64_t time_us, cg_err *e)
{
	(void)e;
	size_t i = 0;
	if (time_us)
		while (i < r->n_idx && r->idx[i].time_us < time_us)
			i++;
	r->pos = i;
	return 0;
}

int hist_next(struct hist_reader *r, struct hist_frame *f, cg_err *e)
{
	if (r->pos >= r->n_idx)
		return 0;
	if (decode(r, r->pos, f, e) < 0)
		return -1;
	r->pos++;
	return 1;
}

int hist_prev(struct hist_reader *r, struct hist_frame *f, cg_err *e)
{
	if (r->pos == 0)
		return 0;
	if (decode(r, r->pos - 1, f, e) < 0)
		return -1;
	r->pos--;
	return 1;
}

void hist_range(const struct hist_reader *r, uint64_t *first_us, uint64_t *last_us)
{
	*first_us = r->n_idx ? r->idx[0].time_us : 0;
	*last_us = r->n_idx ? r->idx[r->n_idx - 1].time_us : 0;
}

void hist_reader_close(struct hist_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_segs; i++)
		if (r->segs[i].map_len)
			munmap((void *)r->segs[i].buf, r->segs[i].map_len);
	decoder_reset(r);
	for (size_t i = 0; i < r->n_ev_text; i++)
		free(r->ev_text[i]);
	free(r->ev_text);
	free(r->paths);
	free(r->st);
	free(r->fg);
	free(r->segs);
	free(r->idx);
	free(r->evs);
	free(r);
}
