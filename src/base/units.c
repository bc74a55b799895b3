/* Units of the profile format (see units.h and the spec's Units table).
 *
 * Numbers are parsed exactly as decimals (integer part and up to 18 fraction
 * digits) and scaled with 128-bit arithmetic, so "1.5G" and "0.1s" come out
 * exact, fractions are rounded down, and nothing overflows silently. Nothing
 * is accepted that a reader could take two ways: no signs, no exponents, no
 * spaces, no hex; each refusal says what would be right. */
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRAC_DIGITS_MAX 18

/* A decimal as written: ip + frac / 10^fdigits. */
struct dec {
	uint64_t ip, frac;
	int fdigits;
	bool point;
	bool all_zero; /* every digit was 0: "0", "0.00" */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Refusals shared by every kind of number, checked before the digits. */
static const char *junk_reason(const char *s, const char *example)
{
	static __thread char buf[4][160];
	static __thread int slot;
	char *b = buf[slot++ % 4];

	if (!*s) {
		snprintf(b, 160, "it is empty: give %s", example);
		return b;
	}
	if (*s == ' ' || *s == '\t' || s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t') {
		snprintf(b, 160, "spaces are not allowed around the number: give %s", example);
		return b;
	}
	if (*s == '-') {
		snprintf(b, 160, "negative values are not allowed: give %s", example);
		return b;
	}
	if (*s == '+') {
		snprintf(b, 160, "write the number without a sign: give %s", example);
		return b;
	}
	if (*s == '.') {
		snprintf(b, 160, "write a digit before the point (0.5, not .5): give %s", example);
		return b;
	}
	if (!is_digit(*s)) {
		snprintf(b, 160, "not a number: give %s", example);
		return b;
	}
	return NULL;
}

/* Reads the digits at *pp. Returns NULL or a reason. */
static const char *read_dec(const char **pp, struct dec *d)
{
	const char *p = *pp;

	memset(d, 0, sizeof(*d));
	d->all_zero = true;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return "hexadecimal is not accepted: write the number in decimal";
	for (; is_digit(*p); p++) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (d->ip > (UINT64_MAX - digit) / 10)
			return "the number is too large";
		d->ip = d->ip * 10 + digit;
		if (*p != '0')
			d->all_zero = false;
	}
	if (*p == '.') {
		d->point = true;
		p++;
		if (!is_digit(*p))
			return "write a digit after the point (1.0, not 1.)";
		for (; is_digit(*p); p++) {
			if (d->fdigits == FRAC_DIGITS_MAX)
				return "too many digits after the point (at most 18)";
			d->frac = d->frac * 10 + (uint64_t)(*p - '0');
			d->fdigits++;
			if (*p != '0')
				d->all_zero = false;
		}
	}
	if ((*p == 'e' || *p == 'E') && (is_digit(p[1]) || p[1] == '+' || p[1] == '-'))
		return "exponents (1e5) are not accepted: write the digits out (100000)";
	if (*p == '_' || *p == ',')
		return "write the number without separators (1000000, not 1_000_000)";
	*pp = p;
	return NULL;
}

static uint64_t pow10u(int n)
{
	uint64_t r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

/* floor(d * num / den) into *out; -1 when it does not fit 64 bits. */
static int scale(const struct dec *d, uint64_t num, uint64_t den, uint64_t *out)
{
	unsigned __int128 a, q;
	uint64_t ipn;

	if (__builtin_mul_overflow(d->ip, num, &ipn))
		return -1;
	a = (unsigned __int128)ipn * pow10u(d->fdigits) + (unsigned __int128)d->frac * num;
	q = a / ((unsigned __int128)den * pow10u(d->fdigits));
	if (q > UINT64_MAX)
		return -1;
	*out = (uint64_t)q;
	return 0;
}

struct suffix {
	const char *text;
	uint64_t mult;
};

static const struct suffix size_suffixes[] = {
	{"K", 1ULL << 10}, {"Ki", 1ULL << 10}, {"KiB", 1ULL << 10}, {"KB", 1ULL << 10},
	{"k", 1ULL << 10}, {"ki", 1ULL << 10}, {"kiB", 1ULL << 10}, {"kB", 1ULL << 10},
	{"M", 1ULL << 20}, {"Mi", 1ULL << 20}, {"MiB", 1ULL << 20}, {"MB", 1ULL << 20},
	{"G", 1ULL << 30}, {"Gi", 1ULL << 30}, {"GiB", 1ULL << 30}, {"GB", 1ULL << 30},
	{"T", 1ULL << 40}, {"Ti", 1ULL << 40}, {"TiB", 1ULL << 40}, {"TB", 1ULL << 40},
};

/* A number with units: its units, and what to say when it has a fraction
 * but no unit, or comes out too large. */
struct unit_kind {
	const struct suffix *sfx;
	size_t n;
	const char *not_whole, *too_large;
};

/* d followed by unit: with no unit a whole number, else d times one of k's
 * units. 0; -1 with *why, or with *why NULL when unit is none of k's. */
static int apply_unit(const struct dec *d, const char *unit, const struct unit_kind *k,
		      uint64_t *out, const char **why)
{
	*why = NULL;
	if (!*unit) {
		if (d->point) {
			*why = k->not_whole;
			return -1;
		}
		*out = d->ip;
		return 0;
	}
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(unit, k->sfx[i].text) != 0)
			continue;
		if (scale(d, k->sfx[i].mult, 1, out) < 0) {
			*why = k->too_large;
			return -1;
		}
		return 0;
	}
	return -1;
}

#define SIZE_EXAMPLE "a size such as 512M, 1.5G, 64K or 536870912 (bytes)"

static const struct unit_kind size_kind = {
	size_suffixes, sizeof(size_suffixes) / sizeof(size_suffixes[0]),
	"bytes must be a whole number: write 1536, or use a unit (1.5K)",
	"too large: a size must be under 16384P (2^64 bytes)",
};

int unit_parse_size(const char *s, uint64_t host_ram, bool allow_max, uint64_t *out,
		    const char **why)
{
	const char *p = s;
	struct dec d;
	const char *r;

	if (!strcmp(s, "max")) {
		if (!allow_max) {
			*why = "max is not allowed here: give " SIZE_EXAMPLE;
			return -1;
		}
		*out = UNIT_MAX;
		return 0;
	}
	if ((r = junk_reason(s, allow_max ? SIZE_EXAMPLE ", or max" : SIZE_EXAMPLE))) {
		*why = r;
		return -1;
	}
	if ((r = read_dec(&p, &d))) {
		*why = r;
		return -1;
	}
	if (!strcmp(p, "%")) {
		if (!host_ram) {
			*why = "a percentage of RAM is only for memory limits: give " SIZE_EXAMPLE;
			return -1;
		}
		if (d.ip > 100 || (d.ip == 100 && d.frac)) {
			*why = "more than 100% of the host's RAM: give at most 100%";
			return -1;
		}
		scale(&d, host_ram, 100, out);
		return 0;
	}
	if (apply_unit(&d, p, &size_kind, out, why) == 0)
		return 0;
	if (*why)
		return -1;
	if (*p == 'm' || *p == 'g' || *p == 't')
		*why = "size units are upper case (K, M, G, T; base 1024): write 512M";
	else if (!strcmp(p, "B") || !strcmp(p, "b"))
		*why = "write bytes as a plain number (512), or use K, M, G or T";
	else
		*why = "unknown unit: use K, M, G or T (base 1024; Ki, KiB, KB and k mean the "
		       "same), e.g. 512M";
	return -1;
}

#define DURATION_EXAMPLE "a duration such as 100ms, 0.1s, 250us or 100000 (microseconds)"

int unit_parse_duration(const char *s, uint64_t *out_us, const char **why)
{
	static const struct suffix sfx[] = {{"us", 1}, {"ms", 1000}, {"s", 1000000}};
	static const struct unit_kind kind = {
		sfx, sizeof(sfx) / sizeof(sfx[0]),
		"a number without a unit is whole microseconds: write 1500, or 1.5ms",
		"too large a duration",
	};
	const char *p = s;
	struct dec d;
	const char *r;

	if ((r = junk_reason(s, DURATION_EXAMPLE))) {
		*why = r;
		return -1;
	}
	if ((r = read_dec(&p, &d))) {
		*why = r;
		return -1;
	}
	if (apply_unit(&d, p, &kind, out_us, why) == 0)
		return 0;
	if (*why)
		return -1;
	*why = "unknown unit: use us, ms or s, e.g. 100ms";
	return -1;
}

#define SPAN_EXAMPLE "a duration with its unit, such as 200ms, 30s, 5m, 1h or 7d"

int unit_parse_span(const char *s, uint64_t *out_us, const char **why)
{
	static const struct suffix sfx[] = {{"us", 1},
					    {"ms", 1000},
					    {"s", 1000000},
					    {"m", 60000000},
					    {"h", 3600000000ULL},
					    {"d", 86400000000ULL}};
	static const struct unit_kind kind = {
		sfx, sizeof(sfx) / sizeof(sfx[0]), "", "too large a duration",
	};
	const char *p = s;
	struct dec d;
	const char *r;

	if ((r = junk_reason(s, SPAN_EXAMPLE))) {
		*why = r;
		return -1;
	}
	if ((r = read_dec(&p, &d))) {
		*why = r;
		return -1;
	}
	if (!*p && !d.point && d.ip == 0) {
		*out_us = 0;
		return 0;
	}
	if (!*p) {
		*why = "a number without a unit: give the unit, such as 30s, 5m, 1h or 7d";
		return -1;
	}
	if (apply_unit(&d, p, &kind, out_us, why) == 0)
		return 0;
	if (*why)
		return -1;
	*why = "unknown unit: use us, ms, s, m (minutes), h or d, e.g. 5m";
	return -1;
}

#define CPU_EXAMPLE "20% (of one cpu), 0.2 (cpus), 200m (millicores) or max"

int unit_parse_cpu(const char *s, uint64_t *out_ucpu, const char **why)
{
	const char *p = s;
	struct dec d;
	const char *r;
	uint64_t mult;

	if (!strcmp(s, "max")) {
		*out_ucpu = UNIT_MAX;
		return 0;
	}
	if ((r = junk_reason(s, CPU_EXAMPLE))) {
		*why = r;
		return -1;
	}
	if ((r = read_dec(&p, &d))) {
		*why = r;
		return -1;
	}
	if (!*p)
		mult = 1000000;
	else if (!strcmp(p, "%"))
		mult = 10000;
	else if (!strcmp(p, "m"))
		mult = 1000;
	else {
		*why = "unknown unit: write " CPU_EXAMPLE;
		return -1;
	}
	if (scale(&d, mult, 1, out_ucpu) < 0 || *out_ucpu == UNIT_MAX) {
		*why = "too large: write max for no limit";
		return -1;
	}
	return 0;
}

int unit_parse_uint(const char *s, uint64_t *out, const char **why)
{
	const char *p = s;
	struct dec d;
	const char *r;

	if ((r = junk_reason(s, "a whole number such as 100"))) {
		*why = r;
		return -1;
	}
	if ((r = read_dec(&p, &d))) {
		*why = r;
		return -1;
	}
	if (d.point || *p) {
		*why = "not a whole number: give digits only, such as 100";
		return -1;
	}
	*out = d.ip;
	return 0;
}

struct range {
	unsigned lo, hi;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* One id of a list; NULL or a reason. */
static const char *list_id(const char **pp, unsigned max_id, unsigned *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (*p == ' ' || *p == '\t')
		return "no spaces in a list: write 0-3,6";
	if (!is_digit(*p))
		return "expected a number: write ids and ranges like 0-3,6";
	for (; is_digit(*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max_id)
			return NULL; /* reported by the caller with the bound */
	}
	*out = (unsigned)v;
	*pp = p;
	return NULL;
}

int unit_parse_list(const char *s, unsigned max_id, char *out, size_t outlen, const char **why)
{
	static __thread char msg[128];
	struct range *r = NULL;
	size_t n = 0, cap = 0, pos = 0;
	const char *p = s;

	if (!*s) {
		*why = "the list is empty: give ids and ranges like 0-3,6";
		return -1;
	}
	while (*p) {
		struct range it;
		const char *before = p;

		*why = list_id(&p, max_id, &it.lo);
		if (*why || p == before)
			goto bad_id;
		it.hi = it.lo;
		if (*p == '-') {
			p++;
			before = p;
			*why = list_id(&p, max_id, &it.hi);
			if (*why || p == before)
				goto bad_id;
			if (it.hi < it.lo) {
				*why = "a range goes from low to high: write 2-5, not 5-2";
				goto fail;
			}
		}
		if (*p == ',') {
			p++;
			if (!*p) {
				*why = "the list ends with a comma: write 0-3,6";
				goto fail;
			}
		} else if (*p) {
			*why = *p == ' '
				       ? "no spaces in a list: write 0-3,6"
				       : "expected ids and ranges like 0-3,6 (digits, '-' and ',')";
			goto fail;
		}
		if (n == cap) {
			struct range *nr;

			cap = cap ? cap * 2 : 8;
			nr = realloc(r, cap * sizeof(*r));
			if (!nr) {
				*why = "out of memory";
				goto fail;
			}
			r = nr;
		}
		r[n++] = it;
	}
	qsort(r, n, sizeof(*r), cmp_range);
	out[0] = '\0';
	for (size_t i = 0; i < n;) {
		struct range m = r[i++];
		int w;

		while (i < n && (uint64_t)r[i].lo <= (uint64_t)m.hi + 1) {
			if (r[i].hi > m.hi)
				m.hi = r[i].hi;
			i++;
		}
		if (m.lo == m.hi)
			w = snprintf(out + pos, outlen - pos, "%s%u", pos ? "," : "", m.lo);
		else
			w = snprintf(out + pos, outlen - pos, "%s%u-%u", pos ? "," : "", m.lo,
				     m.hi);
		if (w < 0 || (size_t)w >= outlen - pos) {
			*why = "the list is too long";
			goto fail;
		}
		pos += (size_t)w;
	}
	free(r);
	return 0;
bad_id:
	if (!*why) {
		snprintf(msg, sizeof(msg),
			 is_digit(*p) ? "an id above %u: ids go from 0 to %u"
				      : "expected ids and ranges like 0-3,6 (ids 0 to %u)",
			 max_id, max_id);
		*why = msg;
	}
fail:
	free(r);
	return -1;
}

/* "64M", "1.5G", "512": exact in the largest unit that fits, else bytes. */
uint64_t unit_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096;
}

int unit_check_mem_size(uint64_t bytes, uint64_t page, const char **why)
{
	static __thread char buf[160];
	char least[32];

	if (bytes == 0 || bytes == UNIT_MAX || bytes >= page)
		return 0;
	unit_format_size(page, least, sizeof(least));
	snprintf(buf, sizeof(buf),
		 "is below one page (%llu bytes): the kernel would round it to 0; write at "
		 "least %s",
		 (unsigned long long)page, least);
	*why = buf;
	return -1;
}

void unit_format_exact(uint64_t bytes, char *out, size_t outlen)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, outlen, "%llu", (unsigned long long)bytes);
	else
		snprintf(out, outlen, "%llu%c", (unsigned long long)bytes, units[u]);
}

void unit_format_size(uint64_t bytes, char *out, size_t outlen)
{
	static const char units[] = "KMGTPE";

	if (bytes == UNIT_MAX) {
		snprintf(out, outlen, "max");
		return;
	}
	for (int i = 5; i >= 0; i--) {
		uint64_t u = 1ULL << (10 * (i + 1));

		if (bytes < u)
			continue;
		if (bytes % u == 0) {
			snprintf(out, outlen, "%llu%c", (unsigned long long)(bytes / u), units[i]);
			return;
		}
		if (bytes % (u / 2) == 0 && bytes / u < 1000000) {
			snprintf(out, outlen, "%llu.5%c", (unsigned long long)(bytes / u),
				 units[i]);
			return;
		}
		break;
	}
	snprintf(out, outlen, "%llu", (unsigned long long)bytes);
}

void unit_format_duration(uint64_t us, char *out, size_t outlen)
{
	if (us == UNIT_MAX)
		snprintf(out, outlen, "max");
	else if (us && us % 1000000 == 0)
		snprintf(out, outlen, "%llus", (unsigned long long)(us / 1000000));
	else if (us && us % 1000 == 0)
		snprintf(out, outlen, "%llums", (unsigned long long)(us / 1000));
	else
		snprintf(out, outlen, "%lluus", (unsigned long long)us);
}
