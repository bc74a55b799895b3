/* The metrics section as cgkitd uses it (see metrics.h): the listen
 * address, checked with the rest of the file; pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "metrics.h"

const char *metrics_listen_of(const struct rules_metrics *m)
{
	return m->listen.s ? m->listen.s : METRICS_DEFAULT_LISTEN;
}

int metrics_parse_listen(const char *s, struct sockaddr_storage *out, socklen_t *len, cg_err *e)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	unsigned long port;
	size_t hl;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!colon || colon == s || !colon[1])
		return cg_err_set(e, EINVAL,
				  "\"%s\" is not ADDRESS:PORT: give 127.0.0.1:9269 or [::1]:9269",
				  DIAG_CUT(s, 60));
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] == '-' || colon[1] == '+' || errno || port < 1 || port > 65535)
		return cg_err_set(e, EINVAL, "\"%s\": the port must be a number from 1 to 65535",
				  DIAG_CUT(s, 60));
	hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return cg_err_set(
			e, EINVAL,
			"\"%s\": not a numeric address: give 127.0.0.1, 0.0.0.0, [::1] or [::]",
			DIAG_CUT(s, 60));
	memcpy(host, s, hl);
	host[hl] = 0;
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;

		if (hl < 3 || host[hl - 1] != ']')
			return cg_err_set(
				e, EINVAL,
				"\"%s\": an IPv6 address goes in brackets: give [::1]:9269",
				DIAG_CUT(s, 60));
		host[hl - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return cg_err_set(
				e, EINVAL,
				"\"%s\": \"%s\" is not an IPv6 address: give [::1] or [::]",
				DIAG_CUT(s, 60), DIAG_CUT(host + 1, 50));
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)out;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return cg_err_set(
				e, EINVAL,
				"\"%s\": \"%s\" is not an IPv4 address (names are not looked "
				"up): give 127.0.0.1, 0.0.0.0 or [::1]",
				DIAG_CUT(s, 60), DIAG_CUT(host, 50));
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return 0;
}

int metrics_check(const struct rules *r, FILE *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct diags d;
	cg_err e = {0};

	if (!r->metrics.present ||
	    metrics_parse_listen(metrics_listen_of(&r->metrics), &ss, &len, &e) == 0)
		return 0;
	diags_init(&d, r->path);
	diags_error(&d, r->metrics.listen.line, r->metrics.listen.col, "metrics.listen", "%s",
		    e.msg);
	diags_print(&d, err);
	return -1;
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

bool metrics_config_differs(const struct rules_metrics *a, const struct rules_metrics *b)
{
	if (a->present != b->present)
		return true;
	if (!a->present)
		return false;
	if (strcmp(metrics_listen_of(a), metrics_listen_of(b)) != 0 ||
	    a->depth.set != b->depth.set || a->depth.v != b->depth.v ||
	    a->groups.set != b->groups.set || a->groups.n != b->groups.n)
		return true;
	for (size_t i = 0; i < a->groups.n; i++)
		if (str_differs(a->groups.v[i].s, b->groups.v[i].s))
			return true;
	return false;
}

int metrics_sel_make(struct metrics_sel *sel, const struct rules_metrics *m)
{
	memset(sel, 0, sizeof(*sel));
	sel->depth = m->present && m->depth.set ? (int)m->depth.v : -1;
	if (!m->present || !m->groups.set || !m->groups.n)
		return 0;
	sel->groups = calloc(m->groups.n, sizeof(*sel->groups));
	if (!sel->groups)
		return -1;
	for (size_t i = 0; i < m->groups.n; i++) {
		sel->groups[i] = strdup(m->groups.v[i].s ? m->groups.v[i].s : "/");
		if (!sel->groups[i])
			return -1;
		sel->ngroups++;
	}
	/* one prefix: the collector walks only that subtree */
	if (sel->ngroups == 1 && strcmp(sel->groups[0], "/") != 0) {
		sel->start = strdup(sel->groups[0] + 1);
		if (!sel->start)
			return -1;
	}
	return 0;
}

void metrics_sel_free(struct metrics_sel *sel)
{
	for (size_t i = 0; i < sel->ngroups; i++)
		free(sel->groups[i]);
	free(sel->groups);
	free(sel->start);
	memset(sel, 0, sizeof(*sel));
}
