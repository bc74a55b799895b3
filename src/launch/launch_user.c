/* Resolving the user a command runs as (see launch_user.h). */
#include "launch_user.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_id(const char *s, size_t len, unsigned long *out)
{
	char buf[16], *end;

	if (len == 0 || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return !errno && !*end && *out < 4294967295UL;
}

/* Digits only, whatever their value: a number, not a name. */
static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Finds "name:x:ID:..." in a passwd/group text; fields[2] is the id and, in
 * passwd, fields[3] the gid. */
static bool lookup(const char *text, const char *name, size_t nlen, unsigned long *id,
		   unsigned long *gid)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);

		if (llen > nlen && !strncmp(line, name, nlen) && line[nlen] == ':') {
			const char *f = line + nlen + 1;
			const char *f2 = memchr(f, ':', llen - nlen - 1);

			if (f2) {
				const char *f3 = f2 + 1;
				const char *f3e = memchr(f3, ':', (size_t)(line + llen - f3));
				size_t l3 = f3e ? (size_t)(f3e - f3) : (size_t)(line + llen - f3);

				if (!parse_id(f3, l3, id))
					return false;
				if (gid) {
					const char *f4 = f3e ? f3e + 1 : NULL;
					const char *f4e = f4 ? memchr(f4, ':', (size_t)(line + llen - f4)) : NULL;

					if (!f4 || !f4e || !parse_id(f4, (size_t)(f4e - f4), gid))
						return false;
				}
				return true;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

int launch_user_resolve(const char *spec, const char *passwd, const char *group, uid_t *uid,
			gid_t *gid, char *why, size_t whylen)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned long u, g = 0, pg;
	bool have_g = false;

	if (ulen == 0) {
		snprintf(why, whylen, "'%s' names no user; give uid[:gid] or name[:group]", spec);
		return -1;
	}
	if (parse_id(spec, ulen, &u)) {
		g = u;
	} else if (all_digits(spec, ulen)) {
		/* (uid_t)-1 means "no change" to setresuid() */
		snprintf(why, whylen, "uid %.*s is out of range: give a uid from 0 to 4294967294",
			 (int)ulen, spec);
		return -1;
	} else if (passwd && lookup(passwd, spec, ulen, &u, &pg)) {
		g = pg;
	} else {
		snprintf(why, whylen, "no user '%.*s' in the passwd file; give a number or an existing user",
			 (int)ulen, spec);
		return -1;
	}
	if (colon) {
		const char *gs = colon + 1;

		if (all_digits(gs, strlen(gs)) && !parse_id(gs, strlen(gs), &g)) {
			snprintf(why, whylen, "gid %s is out of range: give a gid from 0 to 4294967294",
				 gs);
			return -1;
		}
		have_g = parse_id(gs, strlen(gs), &g) ||
			 (*gs && group && lookup(group, gs, strlen(gs), &g, NULL));
		if (!have_g) {
			snprintf(why, whylen, "no group '%s' in the group file; give a number or an existing group",
				 gs);
			return -1;
		}
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}
