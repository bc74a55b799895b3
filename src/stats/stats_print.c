/* Batch frames (plain text, one line per group) and JSON lines: what
 * `cgtop -b` and `cgtop --json` print, and `cgrun --stats` can reuse. */
#include "stats.h"

#include <langinfo.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static void format_size(double v, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	while (v >= 1024.0 && u < 6) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void stats_format(enum stats_col col, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "max");
		return;
	}
	switch (stats_cols[col].unit) {
	case UNIT_PCT:
		snprintf(buf, len, v < 9.95 ? "%.1f" : "%.0f", v);
		break;
	case UNIT_BYTES:
	case UNIT_RATE:
		format_size(v, buf, len);
		break;
	case UNIT_COUNT:
		snprintf(buf, len, "%.0f", v);
		break;
	case UNIT_TEXT:
		snprintf(buf, len, "-");
		break;
	}
}

bool stats_frame_text(const struct stats_frame *f, const struct stats_group *g, enum stats_col col,
		      char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	return f->text && f->text(f->text_data, g, col, buf, len) && buf[0];
}

double stats_frame_value(const struct stats_frame *f, const struct stats_group *g,
			 enum stats_col col)
{
	double v = g->row.f[col];

	if (col == COL_CPU && f->machine_pct && !isnan(v))
		return v / (f->host && f->host->ncpu ? f->host->ncpu : 1);
	if (col == COL_MEM && f->mem_raw)
		return g->row.mem_raw;
	if (col == COL_MEM_PCT && f->mem_raw) {
		double lim = g->row.f[COL_MEM_LIMIT];

		return isnan(lim) || isinf(lim) || lim <= 0 || isnan(g->row.mem_raw)
			       ? NAN
			       : 100.0 * g->row.mem_raw / lim;
	}
	return v;
}

void stats_display_path(const struct stats_group *g, char *buf, size_t len)
{
	snprintf(buf, len, "/%s", g->path);
}

/* Length of the valid UTF-8 sequence at s (its code point in *cp), or 0:
 * overlong forms, surrogates and code points above U+10FFFF are not valid. */
static int utf8_decode(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	int n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	uint32_t c;

	if (s[0] >= 0xf5 || n == 0)
		return 0;
	c = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return 0;
	*cp = c;
	return n;
}

/* The next character of s as shown (see stats_text_escape) into unit (NUL
 * ended, at most 16 bytes and the NUL), its columns in *w; returns the bytes
 * of s used. */
static int text_unit(const unsigned char *s, bool utf8, char *unit, int *w)
{
	uint32_t cp;
	int n, cols;

	if (*s == '\t') {
		*w = 2;
		memcpy(unit, "\\t", 3);
		return 1;
	}
	if (*s >= 0x20 && *s < 0x7f) {
		unit[0] = (char)*s;
		unit[1] = '\0';
		*w = 1;
		return 1;
	}
	n = *s >= 0x80 && utf8 ? utf8_decode(s, &cp) : 0;
	cols = n ? wcwidth((wchar_t)cp) : -1;
	if (n && cols > 0) {
		memcpy(unit, s, (size_t)n);
		unit[n] = '\0';
		*w = cols;
		return n;
	}
	/* not shown as it is: every byte of it as \xHH */
	if (n == 0)
		n = 1;
	for (int i = 0; i < n; i++)
		snprintf(unit + (size_t)4 * (size_t)i, 5, "\\x%02x", s[i]);
	*w = 4 * n;
	return n;
}

int stats_text_fit(const char *s, int w, bool keep_end, bool utf8, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *mark = utf8 ? "\xe2\x80\xa6" : "~";
	char unit[20];
	long total = 0;
	int uw, cols = 0;
	size_t o = 0;
	bool cut;

	if (len == 0)
		return 0;
	out[0] = '\0';
	if (w < 1)
		return 0;
	for (const unsigned char *q = p; *q;) {
		q += text_unit(q, utf8, unit, &uw);
		total += uw;
	}
	cut = total > w;
	if (cut && keep_end) {
		/* drop characters from the start until the rest and the mark fit */
		while (*p && total > w - 1) {
			p += text_unit(p, utf8, unit, &uw);
			total -= uw;
		}
		if (strlen(mark) + 1 > len)
			return 0;
		o = (size_t)snprintf(out, len, "%s", mark);
		cols = 1;
	}
	while (*p) {
		int n = text_unit(p, utf8, unit, &uw);
		size_t ul = strlen(unit);

		if (cols + uw > (cut && !keep_end ? w - 1 : w) || o + ul + 1 > len)
			break;
		memcpy(out + o, unit, ul + 1);
		o += ul;
		cols += uw;
		p += n;
	}
	if (cut && !keep_end && o + strlen(mark) + 1 <= len) {
		memcpy(out + o, mark, strlen(mark) + 1);
		cols++;
	}
	return cols;
}

int stats_text_escape(const char *s, bool utf8, char *out, size_t len)
{
	return stats_text_fit(s, INT_MAX, false, utf8, out, len);
}

bool stats_locale_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

static void print_header(const struct stats_frame *f, FILE *out)
{
	char used[16], total[16];
	const struct stats_host *h = f->host;

	format_size((double)h->mem_used, used, sizeof(used));
	format_size((double)h->mem_total, total, sizeof(total));
	fprintf(out, "cgtop  cpu %s%% of %u  mem %s/%s  load %.2f %.2f %.2f  layout %s  groups %zu  "
		     "interval %.1fs  refresh %.1fms\n",
		isnan(h->cpu_pct) ? "-" : "", h->ncpu, used, total, h->load[0], h->load[1],
		h->load[2], f->layout, stats_live_count(f->c), f->interval_s, f->refresh_ms);
}

void stats_print_text(const struct stats_frame *f, FILE *out)
{
	/* a path of 4096 bytes takes up to four times as much escaped */
	char buf[32], buf2[4 * 256], path[4 * 4200];
	const struct stats_host *h = f->host;
	bool utf8 = stats_locale_utf8();

	if (f->time_us) {
		/* a replayed frame: its time (UTC) and the actions recorded with it */
		time_t s = (time_t)(f->time_us / 1000000u);
		struct tm tm;
		char iso[32] = "";

		if (gmtime_r(&s, &tm))
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(out, "cgtop  replay %s  layout %s  groups %zu  interval %.1fs\n", iso, f->layout,
			stats_live_count(f->c), f->interval_s);
		for (size_t i = 0; i < f->n_events; i++) {
			stats_text_escape(f->events[i], utf8, buf2, sizeof(buf2));
			fprintf(out, "event %s\n", buf2);
		}
	} else if (!isnan(h->cpu_pct)) {
		/* header with the figure in place */
		char used[16], total[16];

		format_size((double)h->mem_used, used, sizeof(used));
		format_size((double)h->mem_total, total, sizeof(total));
		fprintf(out,
			"cgtop  cpu %.1f%% of %u  mem %s/%s  load %.2f %.2f %.2f  layout %s  "
			"groups %zu  interval %.1fs  refresh %.1fms\n",
			h->cpu_pct, h->ncpu, used, total, h->load[0], h->load[1], h->load[2],
			f->layout, stats_live_count(f->c), f->interval_s, f->refresh_ms);
	} else {
		print_header(f, out);
	}
	int pw = 24;

	/* the path column fits the longest path shown, in columns as shown */
	for (size_t i = 0; i < f->n; i++) {
		char raw[4200];
		int l;

		stats_display_path(stats_group_at(f->c, f->order[i]), raw, sizeof(raw));
		l = stats_text_escape(raw, utf8, path, sizeof(path));
		if (l > pw)
			pw = l;
	}
	fprintf(out, "%-*s", pw, "GROUP");
	for (size_t c = 0; c < COL_COUNT; c++)
		if (f->cols & COL_BIT(c))
			fprintf(out, stats_cols[c].unit == UNIT_TEXT ? " %-*s" : " %*s",
				stats_cols[c].width,
				c == COL_CPU && f->machine_pct ? "CPU%M" : stats_cols[c].title);
	fputc('\n', out);
	/* A line is built in one buffer and written once: printing is most
	 * of batch mode's own cost at thousands of groups. */
	for (size_t i = 0; i < f->n; i++) {
		const struct stats_group *g = stats_group_at(f->c, f->order[i]);
		char line[2 * sizeof(path)], raw[4200];   /* room for the padding too */
		size_t len;
		int cols;

		stats_display_path(g, raw, sizeof(raw));
		cols = stats_text_escape(raw, utf8, path, sizeof(path));
		len = strlen(path);
		memcpy(line, path, len);
		/* padded by columns: a wide character takes two, an escape four */
		while (cols++ < pw)
			line[len++] = ' ';
		for (size_t c = 0; c < COL_COUNT && len < sizeof(line) - 64; c++) {
			size_t bl;
			int w = stats_cols[c].width;

			if (!(f->cols & COL_BIT(c)))
				continue;
			if (stats_cols[c].unit == UNIT_TEXT) {
				/* left-aligned, escaped as a path, never cut */
				char text[256];
				int tw;

				if (len + sizeof(buf2) + (size_t)w + 2 >= sizeof(line))
					break;
				if (!stats_frame_text(f, g, (enum stats_col)c, text, sizeof(text)))
					snprintf(text, sizeof(text), "-");
				tw = stats_text_fit(text, 255, false, utf8, buf2, sizeof(buf2));
				bl = strlen(buf2);
				line[len++] = ' ';
				memcpy(line + len, buf2, bl + 1);
				len += bl;
				while (tw++ < w)
					line[len++] = ' ';
				continue;
			}
			stats_format((enum stats_col)c, stats_frame_value(f, g, (enum stats_col)c), buf,
				     sizeof(buf));
			bl = strlen(buf);
			line[len++] = ' ';
			while ((int)bl < w--)
				line[len++] = ' ';
			memcpy(line + len, buf, bl + 1);
			len += bl;
		}
		if (g->oom_flash) {
			memcpy(line + len, "  OOM!", 7);
			len += 6;
		}
		line[len++] = '\n';
		fwrite(line, 1, len, out);
	}
	fputc('\n', out);
	fflush(out);
}

void stats_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	while (*p) {
		uint32_t cp;
		int n;

		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, out);
			continue;
		}
		n = utf8_decode(p, &cp);
		if (n == 0) {
			fputs("\\ufffd", out);   /* JSON text is UTF-8: a stray byte cannot go in */
			p++;
		} else if (cp < 0xa0) {
			fprintf(out, "\\u%04x", cp);   /* C1 controls */
			p += n;
		} else {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		}
	}
	fputc('"', out);
}

static void json_number(FILE *out, double v, bool limit)
{
	if (isnan(v))
		fputs("null", out);
	else if (isinf(v))
		fputs(limit ? "\"max\"" : "null", out);
	else if (v == (double)(long long)v && fabs(v) < 9e15)
		fprintf(out, "%lld", (long long)v);
	else
		fprintf(out, "%.2f", v);
}

void stats_print_json(const struct stats_frame *f, FILE *out)
{
	const struct stats_host *h = f->host;
	char path[4200];

	fprintf(out, "{\"layout\":\"%s\",\"interval_s\":%.3f,\"refresh_ms\":%.3f,\"groups_count\":%zu,",
		f->layout, f->interval_s, f->refresh_ms, stats_live_count(f->c));
	if (f->time_us) {
		time_t s = (time_t)(f->time_us / 1000000u);
		struct tm tm;
		char iso[32] = "";

		if (gmtime_r(&s, &tm))
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(out, "\"time\":\"%s\",\"time_us\":%llu,\"events\":[", iso,
			(unsigned long long)f->time_us);
		for (size_t i = 0; i < f->n_events; i++) {
			if (i)
				fputc(',', out);
			stats_json_string(out, f->events[i]);
		}
		fputs("],", out);
	}
	fputs("\"host\":{\"cpu_pct\":", out);
	json_number(out, h->cpu_pct, false);
	fprintf(out, ",\"ncpu\":%u,\"mem_used_bytes\":%llu,\"mem_total_bytes\":%llu,\"load1\":%.2f,"
		     "\"load5\":%.2f,\"load15\":%.2f},\"groups\":[",
		h->ncpu, (unsigned long long)h->mem_used, (unsigned long long)h->mem_total,
		isnan(h->load[0]) ? 0 : h->load[0], isnan(h->load[1]) ? 0 : h->load[1],
		isnan(h->load[2]) ? 0 : h->load[2]);
	for (size_t i = 0; i < f->n; i++) {
		const struct stats_group *g = stats_group_at(f->c, f->order[i]);

		stats_display_path(g, path, sizeof(path));
		fputs(i ? ",{\"path\":" : "{\"path\":", out);
		stats_json_string(out, path);
		fprintf(out, ",\"depth\":%u", g->depth);
		for (size_t c = 0; c < COL_COUNT; c++) {
			if (!(f->cols & COL_BIT(c)))
				continue;
			fprintf(out, ",\"%s\":", stats_cols[c].json);
			if (stats_cols[c].unit == UNIT_TEXT) {
				char text[256];

				if (stats_frame_text(f, g, (enum stats_col)c, text, sizeof(text)))
					stats_json_string(out, text);
				else
					fputs("null", out);
				continue;
			}
			json_number(out, g->row.f[c],
				    c == COL_CPU_LIMIT || c == COL_MEM_LIMIT || c == COL_PIDS_LIMIT);
			if (c == COL_CPU) {
				fputs(",\"cpu_machine_pct\":", out);
				json_number(out, isnan(g->row.f[c]) ? NAN : g->row.f[c] / (h->ncpu ? h->ncpu : 1), false);
			}
			if (c == COL_MEM) {
				fputs(",\"mem_raw_bytes\":", out);
				json_number(out, g->row.mem_raw, false);
			}
		}
		fprintf(out, ",\"oom_recent\":%s}", g->oom_flash ? "true" : "false");
	}
	fputs("]}\n", out);
	fflush(out);
}
