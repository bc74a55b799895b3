/* The collector's figures as Prometheus metrics (stats_prom.c): the text
 * exposition format 0.0.4, or OpenMetrics 1.0. One renderer for the two
 * outputs that export them: `cgtop -b -n 1 --format prometheus` (node
 * exporter's textfile route) and cgkitd's /metrics.
 *
 * Values are the raw cumulative counters the collector read, in base units
 * (seconds, bytes), never cgtop's rates: Prometheus makes the rates. A
 * value that is unknown (file absent, unreadable) gives no sample; a family
 * with no sample is still written with its HELP and TYPE. */
#ifndef CGKIT_STATS_PROM_H
#define CGKIT_STATS_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/* The default cap on group series of one output: a host with 20,000 groups
 * (500,000 series and more) cannot flood a Prometheus server, while 10,000
 * groups with a few controllers each, or some 3,000 with every file (v2:
 * about 30 series each), are whole. */
#define STATS_PROM_MAX_SERIES 100000

struct stats_prom_opts {
	bool openmetrics;            /* OpenMetrics 1.0 text, else Prometheus text 0.0.4 */
	const char *const *groups;   /* path prefixes ("/cgkit", "/" = all); NULL/0: all */
	size_t ngroups;
	int depth;                   /* levels below each prefix, -1: all */
	size_t max_series;           /* hard cap on group series (0: STATS_PROM_MAX_SERIES) */
};

/* HELP and TYPE of one family; name is the sample name (counters end in _total: for
 * OpenMetrics the TYPE/HELP lines use the name without _total, as that format wants). */
void stats_prom_family(FILE *out, const struct stats_prom_opts *o, const char *name,
		       const char *type /* "counter" "gauge" */, const char *help);
/* One sample: name{labels} value. labels is a NULL-terminated list of key, value
 * pairs (values escaped here: backslash, quote, newline; a byte that is not part
 * of valid UTF-8 becomes the text \xHH); v NAN is skipped, INFINITY written as
 * +Inf. Integers up to 2^53 are written whole. */
void stats_prom_sample(FILE *out, const char *name, const char *const *labels, double v);
/* Every per-group family for the groups of the collector's last refresh that the
 * options select, in family order (all samples of a family together). Returns the
 * number of group series written; *left_out gets how many were left out by max_series
 * (the caller exports that as the gauge cgkit_series_left_out). A group is
 * written whole or not at all: the groups are taken in path order while their
 * series fit. */
size_t stats_prom_groups(FILE *out, const struct stats_collector *c,
			 const struct stats_prom_opts *o, size_t *left_out);
/* Whether the options select the group at display path `path` ("/", "/a/b"):
 * the same choice stats_prom_groups() makes (cgkitd's history records it). */
bool stats_prom_selected(const struct stats_prom_opts *o, const char *path);
/* The end: "# EOF\n" for OpenMetrics, nothing for 0.0.4. */
void stats_prom_end(FILE *out, const struct stats_prom_opts *o);

#endif
