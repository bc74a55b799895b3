/* Pictures of a group's last figures: the ring that keeps them, and the
 * characters of a sparkline or of a bar graph (pure: values in, text out). */
#include "stats.h"

#include <math.h>
#include <string.h>

void stats_ring_push(struct stats_ring *r, const struct stats_row *row)
{
	r->v[RING_CPU][r->pos] = (float)row->f[COL_CPU];
	r->v[RING_MEM][r->pos] = (float)row->f[COL_MEM];
	r->v[RING_THR][r->pos] = (float)row->f[COL_THROTTLED];
	r->pos = (r->pos + 1) % STATS_RING;
	if (r->n < STATS_RING)
		r->n++;
}

size_t stats_ring_get(const struct stats_ring *r, enum stats_ring_val v, double *out, size_t max)
{
	size_t n = r->n < max ? r->n : max;

	for (size_t i = 0; i < n; i++)
		out[i] = r->v[v][(r->pos + STATS_RING - n + i) % STATS_RING];
	return n;
}

static const char *const blocks[9] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
				      "\u2585", "\u2586", "\u2587", "\u2588"};
static const char ramp[] = "_.:-=+*#";   /* 8 heights */

static double scale_top(const double *v, size_t n, double top)
{
	if (!isnan(top) && top > 0 && !isinf(top))
		return top;
	top = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && !isinf(v[i]) && v[i] > top)
			top = v[i];
	return top > 0 ? top : 1;
}

/* Appends s when it fits with the NUL; false when not. */
static bool put(char *out, size_t len, size_t *at, const char *s)
{
	size_t k = strlen(s);

	if (*at + k + 1 > len)
		return false;
	memcpy(out + *at, s, k);
	*at += k;
	out[*at] = '\0';
	return true;
}

int stats_spark(const double *v, size_t n, double top, bool utf8, char *out, size_t len)
{
	size_t at = 0;
	int cols = 0;

	if (!len)
		return 0;
	out[0] = '\0';
	top = scale_top(v, n, top);
	for (size_t i = 0; i < n; i++) {
		char one[2] = {' ', '\0'};
		const char *c = one;

		if (!isnan(v[i])) {
			double x = v[i] <= 0 ? 0 : v[i] >= top ? 1 : v[i] / top;
			int h = (int)(x * 7 + 0.5);   /* 0..7: the lowest mark for 0 */

			if (utf8)
				c = blocks[h + 1];
			else
				one[0] = ramp[h];
		}
		if (!put(out, len, &at, c))
			break;
		cols++;
	}
	return cols;
}

int stats_graph_line(const double *v, size_t n, double top, int height, int line, bool utf8,
		     char *out, size_t len)
{
	size_t at = 0;
	int cols = 0, below = height - 1 - line;   /* whole lines under this one */

	if (!len)
		return 0;
	out[0] = '\0';
	top = scale_top(v, n, top);
	for (size_t i = 0; i < n; i++) {
		int cell = 0;   /* eighths of this cell filled */
		char one[2] = {' ', '\0'};
		const char *c = one;

		if (!isnan(v[i]) && v[i] > 0 && height > 0) {
			double x = v[i] >= top ? 1 : v[i] / top;
			long eighths = (long)(x * height * 8 + 0.5);

			if (eighths == 0)
				eighths = 1;   /* above zero shows */
			eighths -= (long)below * 8;
			cell = eighths <= 0 ? 0 : eighths >= 8 ? 8 : (int)eighths;
		}
		if (utf8)
			c = blocks[cell];
		else
			one[0] = cell == 0 ? ' ' : cell == 8 ? '#' : cell >= 4 ? ':' : '.';
		if (!put(out, len, &at, c))
			break;
		cols++;
	}
	return cols;
}
