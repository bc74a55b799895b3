/* cgkitd's /metrics (see metrics.h). */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "stats.h"
#include "stats_prom.h"

/* A scrape of a host is small (a few MB at 10,000 groups); these bound what
 * a slow or hostile client can hold: connections at once, the memory of
 * one request, and how long an idle connection is kept. */
#define METRICS_CONN_MAX 32
#define METRICS_CONN_MEMORY (16 * 1024)
#define METRICS_CONN_TIMEOUT_S 10
#define METRICS_BACKLOG 64

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* ---- the server ---- */

struct metrics {
	struct MHD_Daemon *mhd;
	const struct cg_layout *l;
	char addr[96];
	/* the loop's figures: held only to copy them in or out */
	pthread_mutex_t tally_mu;
	struct metrics_tally tally;
	/* one scrape at a time renders: the collector is the scrapes' own */
	pthread_mutex_t scrape_mu;
	struct stats_collector *c;
	struct metrics_sel sel; /* the groups exported */
	bool said_error;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void render_rules(FILE *out, const struct stats_prom_opts *o, const struct metrics_tally *t)
{
	stats_prom_family(out, o, "cgkit_rule_offences_total", "counter",
			  "Offences judged by cgkitd, per rule (since cgkitd started).");
	for (size_t i = 0; i < t->n; i++) {
		const char *labels[] = {"rule", t->v[i].rule, NULL};

		if (t->v[i].rule[0])
			stats_prom_sample(out, "cgkit_rule_offences_total", labels,
					  (double)t->v[i].offences);
	}
	stats_prom_family(out, o, "cgkit_rule_actions_total", "counter",
			  "Actions of cgkitd as its action log names them, per rule "
			  "(classify has no rule).");
	for (size_t i = 0; i < t->n; i++) {
		for (int a = 0; a < MA_N; a++) {
			const char *labels[] = {"rule", t->v[i].rule, "action",
						metrics_action_names[a], NULL};
			const char *labels_norule[] = {"action", metrics_action_names[a], NULL};

			/* a rule never classifies; classify is nobody's rule's */
			if (t->v[i].rule[0] ? a == MA_CLASSIFY : a != MA_CLASSIFY)
				continue;
			stats_prom_sample(out, "cgkit_rule_actions_total",
					  t->v[i].rule[0] ? labels : labels_norule,
					  (double)t->v[i].actions[a]);
		}
	}
	stats_prom_family(out, o, "cgkit_penalties_active", "gauge",
			  "Penalties of a rule in force now.");
	for (size_t i = 0; i < t->n; i++) {
		const char *labels[] = {"rule", t->v[i].rule, NULL};

		if (t->v[i].rule[0])
			stats_prom_sample(out, "cgkit_penalties_active", labels,
					  (double)t->v[i].penalties);
	}
	stats_prom_family(out, o, "cgkit_process_events_lost_total", "counter",
			  "Times the kernel's process-event connector lost events (each time "
			  "/proc is scanned again).");
	stats_prom_sample(out, "cgkit_process_events_lost_total", NULL, (double)t->events_lost);
	stats_prom_family(out, o, "cgkit_rescans_total", "counter",
			  "Full scans of /proc by cgkitd (at start, after lost events, and each "
			  "interval without the connector).");
	stats_prom_sample(out, "cgkit_rescans_total", NULL, (double)t->rescans);
}

void metrics_render(struct metrics *s, FILE *out, bool openmetrics)
{
	const char *const *groups = (const char *const *)s->sel.groups;
	struct stats_prom_opts o = {openmetrics, groups, s->sel.ngroups, s->sel.depth,
				    STATS_PROM_MAX_SERIES};
	struct metrics_tally t = {0};
	double t0 = now_s();
	size_t left = 0, seen = 0;
	cg_err e = {0};
	bool ok = true;

	pthread_mutex_lock(&s->tally_mu);
	if (metrics_tally_copy(&t, &s->tally) < 0)
		t.n = 0;
	pthread_mutex_unlock(&s->tally_mu);

	render_rules(out, &o, &t);
	metrics_tally_free(&t);

	pthread_mutex_lock(&s->scrape_mu);
	if (!s->c) {
		struct stats_opts so = {0};

		so.start = s->sel.start;
		so.metrics = true; /* every file, every scrape: Prometheus keeps the history */
		s->c = stats_open(s->l, &so, &e);
		ok = s->c != NULL;
	}
	if (ok)
		ok = stats_refresh(s->c, &e) == 0;
	if (ok) {
		stats_prom_groups(out, s->c, &o, &left);
		seen = stats_live_count(s->c);
		s->said_error = false;
	} else if (!s->said_error) {
		fprintf(stderr, "cgkitd: metrics: reading the groups: %s\n", e.msg);
		s->said_error = true;
	}
	stats_prom_family(out, &o, "cgkit_groups_seen", "gauge",
			  "Groups the last scrape found below the exported prefixes.");
	stats_prom_sample(out, "cgkit_groups_seen", NULL, (double)seen);
	stats_prom_family(out, &o, "cgkit_series_left_out", "gauge",
			  "Group series left out of this output by the cap on series.");
	stats_prom_sample(out, "cgkit_series_left_out", NULL, (double)left);
	pthread_mutex_unlock(&s->scrape_mu);

	stats_prom_family(out, &o, "cgkit_scrape_duration_seconds", "gauge",
			  "Time this scrape took to read the groups and render them.");
	stats_prom_sample(out, "cgkit_scrape_duration_seconds", NULL, now_s() - t0);
	stats_prom_end(out, &o);
}

static bool wants_openmetrics(struct MHD_Connection *conn)
{
	const char *acc =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return acc && strstr(acc, "application/openmetrics-text");
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned status, const char *text,
				   const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct metrics *s = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	bool om;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n",
				   "GET, HEAD");
	if (!strcmp(url, "/"))
		return answer_text(conn, MHD_HTTP_OK, "cgkitd: the metrics are at /metrics\n",
				   NULL);
	if (strcmp(url, "/metrics") != 0)
		return answer_text(conn, MHD_HTTP_NOT_FOUND,
				   "not found: the metrics are at /metrics\n", NULL);
	om = wants_openmetrics(conn);
	out = open_memstream(&buf, &len);
	if (!out)
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
	metrics_render(s, out, om);
	if (fclose(out) != 0) {
		free(buf);
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
	}
	/* groups come and go between scrapes: give back what the collector
	 * freed, so that a long-running daemon's RSS follows the host's groups
	 * and not their high-water mark */
	malloc_trim(0);
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ? CT_OPENMETRICS : CT_TEXT);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("cgkitd: metrics: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static int listen_socket(const struct sockaddr_storage *ss, socklen_t len, const char *addr,
			 cg_err *e)
{
	int one = 1, fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return cg_err_sys(e, "metrics: socket for %s", addr);
	/* a restart (or a reload) may listen again at once */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0 || listen(fd, METRICS_BACKLOG) < 0) {
		cg_err_sys(e, "metrics: cannot listen on %s", addr);
		close(fd);
		return -1;
	}
	return fd;
}

static void metrics_free(struct metrics *s)
{
	if (s->c)
		stats_close(s->c);
	metrics_sel_free(&s->sel);
	metrics_tally_free(&s->tally);
	pthread_mutex_destroy(&s->tally_mu);
	pthread_mutex_destroy(&s->scrape_mu);
	free(s);
}

struct metrics *metrics_start(const struct rules_metrics *m, const struct cg_layout *l, cg_err *e)
{
	struct sockaddr_storage ss;
	struct metrics *s;
	socklen_t len = 0;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	sigset_t all, old;
	int fd;

	if (metrics_parse_listen(metrics_listen_of(m), &ss, &len, e) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		cg_err_set(e, ENOMEM, "metrics: out of memory");
		return NULL;
	}
	s->l = l;
	snprintf(s->addr, sizeof(s->addr), "%s", metrics_listen_of(m));
	pthread_mutex_init(&s->tally_mu, NULL);
	pthread_mutex_init(&s->scrape_mu, NULL);
	if (metrics_sel_make(&s->sel, m) < 0) {
		cg_err_set(e, ENOMEM, "metrics: out of memory");
		metrics_free(s);
		return NULL;
	}
	fd = listen_socket(&ss, len, s->addr, e);
	if (fd < 0) {
		metrics_free(s);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the server's thread takes no signal: the loop reads them (signalfd),
	 * and a thread with SIGTERM open would die of it */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
				  mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONN_MAX,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_CONN_MEMORY,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT_S,
				  MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->mhd) {
		close(fd);
		cg_err_set(e, EIO, "metrics: the HTTP server for %s did not start", s->addr);
		metrics_free(s);
		return NULL;
	}
	return s;
}

void metrics_publish(struct metrics *s, const struct metrics_tally *t)
{
	struct metrics_tally c = {0};

	/* copied outside the lock: the lock is held for a swap only */
	if (metrics_tally_copy(&c, t) < 0)
		return;
	pthread_mutex_lock(&s->tally_mu);
	{
		struct metrics_tally old = s->tally;

		s->tally = c;
		c = old;
	}
	pthread_mutex_unlock(&s->tally_mu);
	metrics_tally_free(&c);
}

const char *metrics_address(const struct metrics *s)
{
	return s->addr;
}

void metrics_stop(struct metrics *s)
{
	if (!s)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	metrics_free(s);
}
