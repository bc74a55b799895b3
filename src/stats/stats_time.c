/* Times as a user gives them for a replay (journalctl's forms), pure: the
 * clock is an argument, local time from the TZ of the process. */
#include "stats.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#define TIME_FORMS "HH:MM[:SS], YYYY-MM-DD [HH:MM[:SS]], N{s,m,h,d} ago, now, today, yesterday or @SECONDS"

/* Reads exactly `digits` digits (1..digits when !exact) into *v. */
static const char *num(const char *s, int digits, bool exact, int *v)
{
	int n = 0;

	*v = 0;
	while (n < digits && isdigit((unsigned char)s[n]))
		*v = *v * 10 + (s[n++] - '0');
	return n == 0 || (exact && n != digits) ? NULL : s + n;
}

/* "HH:MM[:SS]" at s; the end, or NULL. */
static const char *clock_part(const char *s, struct tm *tm)
{
	int h, m, sec = 0;

	if (!(s = num(s, 2, false, &h)) || *s++ != ':' || !(s = num(s, 2, true, &m)))
		return NULL;
	if (*s == ':' && !(s = num(s + 1, 2, true, &sec)))
		return NULL;
	if (h > 23 || m > 59 || sec > 60)
		return NULL;
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = sec;
	return s;
}

static int to_us(struct tm *tm, uint64_t *out)
{
	time_t t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	if (t < 0)   /* -1: not representable */
		return -1;
	*out = (uint64_t)t * 1000000u;
	return 0;
}

/* "10m ago", "1h 30m ago", "90s ago", "2 days ago". */
static int ago(const char *s, time_t now, uint64_t *out)
{
	static const struct { const char *name; uint64_t s; } units[] = {
		{"s", 1}, {"sec", 1}, {"secs", 1}, {"second", 1}, {"seconds", 1},
		{"m", 60}, {"min", 60}, {"mins", 60}, {"minute", 60}, {"minutes", 60},
		{"h", 3600}, {"hour", 3600}, {"hours", 3600},
		{"d", 86400}, {"day", 86400}, {"days", 86400},
		{"w", 604800}, {"week", 604800}, {"weeks", 604800},
	};
	uint64_t total = 0;
	bool any = false;

	for (;;) {
		char *end;
		unsigned long long v;
		size_t k;
		bool found = false;

		s += strspn(s, " ");
		if (strcmp(s, "ago") == 0)
			break;
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || v > 100ull * 365 * 86400)
			return -1;
		s = end + strspn(end, " ");
		k = strspn(s, "abcdefghijklmnopqrstuvwxyz");
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == k && strncmp(s, units[i].name, k) == 0) {
				total += v * units[i].s;
				found = true;
			}
		if (!found)
			return -1;
		s += k;
		any = true;
	}
	if (!any || total > (uint64_t)now)
		return -1;
	*out = ((uint64_t)now - total) * 1000000u;
	return 0;
}

int stats_time_parse(const char *s, time_t now, uint64_t *out_us, cg_err *e)
{
	struct tm tm;
	const char *p;
	int y, mo, d;

	if (!s || !*s)
		return cg_err_set(e, EINVAL, "an empty time; use " TIME_FORMS);
	localtime_r(&now, &tm);
	if (strcmp(s, "now") == 0) {
		*out_us = (uint64_t)now * 1000000u;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday -= s[0] == 'y';
		if (to_us(&tm, out_us) == 0)
			return 0;
	} else if (s[0] == '@') {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (!errno && end != s + 1 && !*end && v < 1ull << 40) {
			*out_us = (uint64_t)v * 1000000u;
			return 0;
		}
	} else if (strstr(s, "ago")) {
		if (ago(s, now, out_us) == 0)
			return 0;
	} else if ((p = clock_part(s, &tm)) && !*p) {
		if (to_us(&tm, out_us) == 0)
			return 0;
	} else if ((p = num(s, 4, true, &y)) && *p == '-' && (p = num(p + 1, 2, true, &mo)) &&
		   *p == '-' && (p = num(p + 1, 2, true, &d)) && mo >= 1 && mo <= 12 && d >= 1 &&
		   d <= 31) {
		struct tm want = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};

		if (*p == ' ' || *p == 'T')
			p = clock_part(p + 1, &want);
		if (p && !*p && to_us(&want, out_us) == 0 && want.tm_mday == d)
			return 0;
	}
	return cg_err_set(e, EINVAL, "'%s' is not a time; use " TIME_FORMS, s);
}
