/* Batch frames (plain text, one line per group) and JSON lines: what
 * `cgtop -b` and `cgtop --json` print, and `cgrun --stats` can reuse. */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
	}
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
	char buf[32], path[4200];
	const struct stats_host *h = f->host;

	if (!isnan(h->cpu_pct)) {
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

	/* the path column fits the longest path shown */
	for (size_t i = 0; i < f->n; i++) {
		int l = (int)strlen(stats_group_at(f->c, f->order[i])->path) + 1;

		if (l > pw)
			pw = l;
	}
	fprintf(out, "%-*s", pw, "GROUP");
	for (size_t c = 0; c < COL_COUNT; c++)
		if (f->cols & COL_BIT(c))
			fprintf(out, " %*s", stats_cols[c].width,
				c == COL_CPU && f->machine_pct ? "CPU%M" : stats_cols[c].title);
	fputc('\n', out);
	/* A line is built in one buffer and written once: printing is most
	 * of batch mode's own cost at thousands of groups. */
	for (size_t i = 0; i < f->n; i++) {
		const struct stats_group *g = stats_group_at(f->c, f->order[i]);
		char line[8192];
		size_t len;

		stats_display_path(g, path, sizeof(path));
		len = (size_t)snprintf(line, sizeof(line) - 64, "%-*s", pw, path);
		if (len > sizeof(line) - 64)
			len = sizeof(line) - 64;
		for (size_t c = 0; c < COL_COUNT && len < sizeof(line) - 64; c++) {
			size_t bl;
			int w = stats_cols[c].width;

			if (!(f->cols & COL_BIT(c)))
				continue;
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

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
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
		json_string(out, path);
		fprintf(out, ",\"depth\":%u", g->depth);
		for (size_t c = 0; c < COL_COUNT; c++) {
			if (!(f->cols & COL_BIT(c)))
				continue;
			fprintf(out, ",\"%s\":", stats_cols[c].json);
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
