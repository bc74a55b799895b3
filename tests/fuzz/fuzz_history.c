/* libFuzzer target for the history reader: any bytes as a segment (and, cut
 * in two at a place the first byte picks, as two segments in a row), read
 * forwards, backwards and by seek; then once more with every record's CRC
 * made right, so that the decoder behind the CRC check is fuzzed too (a
 * mutated payload almost never passes the CRC). ASan/UBSan (make fuzz) catch what goes
 * wrong; a frame's groups and events are touched so that a bad pointer shows. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history_fmt.h"
#include "history_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const struct hist_frame *f)
{
	size_t sum = 0;

	for (size_t i = 0; i < f->n; i++) {
		sum += strlen(f->g[i].path) + f->g[i].s.have;
		for (unsigned v = 0; v < SV_COUNT; v++)
			sum += (size_t)f->g[i].s.v[v];
	}
	for (size_t k = 0; k < f->n_events; k++)
		sum += strlen(f->events[k]);
	return sum;
}

static void read_through(const uint8_t *const *bufs, const size_t *lens, size_t n)
{
	struct hist_reader *r;
	struct hist_frame f;
	cg_err e;
	uint64_t a, b;
	volatile size_t sink = 0;
	int steps = 0;

	if (hist_reader_open_mem(&r, bufs, lens, n, &e) < 0)
		return;
	while (hist_next(r, &f, &e) == 1 && steps++ < 10000)
		sink += touch(&f);
	while (hist_prev(r, &f, &e) == 1 && steps++ < 20000)
		sink += touch(&f);
	hist_range(r, &a, &b);
	if (hist_seek(r, a + (b - a) / 2, &e) == 0 && hist_next(r, &f, &e) == 1)
		sink += touch(&f);
	if (hist_prev(r, &f, &e) == 1)
		sink += touch(&f);
	(void)sink;
	hist_reader_close(r);
}

/* Writes each record's right CRC, as far as the lengths lead. */
static void fix_crcs(uint8_t *b, size_t size)
{
	size_t off = 0;

	while (size - off >= HIST_REC_HEAD) {
		uint32_t len = hist_get_u32(b + off);
		if (len < HIST_REC_MIN || len > size - off - 8)
			break;
		hist_put_u32(b + off + 4, hist_crc32c(0, b + off + 8, len));
		off += 8 + (size_t)len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *bufs[2] = {data, data};
	size_t lens[2] = {size, 0};

	read_through(bufs, lens, 1);
	uint8_t *fixed = malloc(size ? size : 1);
	if (fixed) {
		memcpy(fixed, data, size);
		fix_crcs(fixed, size);
		bufs[0] = fixed;
		read_through(bufs, lens, 1);
		free(fixed);
		bufs[0] = data;
	}
	if (size > 1) {
		size_t cut = (size_t)data[0] * size / 256;
		lens[0] = cut;
		bufs[1] = data + cut;
		lens[1] = size - cut;
		read_through(bufs, lens, 2);
	}
	return 0;
}
