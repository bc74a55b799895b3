/* Which groups hold a thread: see stats_seen.h. */
#include "stats_seen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "sys.h"

static uint64_t seen_hash(size_t h, const char *rel, size_t len)
{
	uint64_t x = 1469598103934665603u ^ (h + 1);

	for (size_t i = 0; i < len; i++)
		x = (x ^ (unsigned char)rel[i]) * 1099511628211u;
	return x ? x : 1;   /* 0 marks an empty slot */
}

static int seen_add(struct stats_seen *s, uint64_t x)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->tab[i]) {
				size_t j = s->tab[i] & (cap - 1);

				while (tab[j])
					j = (j + 1) & (cap - 1);
				tab[j] = s->tab[i];
			}
		free(s->tab);
		s->tab = tab;
		s->cap = cap;
	}
	for (size_t i = x & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->tab[i] == x)
			return 0;
		if (!s->tab[i]) {
			s->tab[i] = x;
			s->n++;
			return 0;
		}
	}
}

bool stats_seen_has(const struct stats_seen *s, size_t h, const char *rel)
{
	uint64_t x = seen_hash(h, rel, strlen(rel));

	if (!s->cap)
		return false;
	for (size_t i = x & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->tab[i] == x)
			return true;
		if (!s->tab[i])
			return false;
	}
}

void stats_seen_free(struct stats_seen *s)
{
	free(s->tab);
	*s = (struct stats_seen){0};
}

unsigned long stats_seen_threads(void)
{
	char buf[128], path[64];
	const char *slash;

	snprintf(path, sizeof(path), "%s/loadavg", cg_proc_root);
	if (sys_read_file(path, buf, sizeof(buf)) <= 0 || !(slash = strchr(buf, '/')))
		return 0;
	return strtoul(slash + 1, NULL, 10);
}

/* Does the comma-separated list hold name? */
static bool list_has(const char *list, size_t len, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = list, *end = list + len; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (n == nl && memcmp(p, name, n) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/* One thread's /proc/.../cgroup text: "ID:CONTROLLERS:PATH" lines. */
static int seen_parse(struct stats_seen *s, const struct stats_seen_hier *h, size_t nh,
		      const char *text)
{
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		const char *c1 = memchr(l, ':', nl ? (size_t)(nl - l) : strlen(l));
		const char *c2, *path;
		size_t plen;

		if (!nl || !c1 || !(c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1))) || c2[1] != '/')
			return -1;
		path = c2 + 1;
		plen = (size_t)(nl - path);
		for (size_t k = 0; k < nh; k++) {
			size_t rl = strlen(h[k].root);
			const char *rel;
			size_t len;

			if (h[k].ctrl ? !list_has(c1 + 1, (size_t)(c2 - c1 - 1), h[k].ctrl)
				      : (c2 != c1 + 1 || c1 - l != 1 || *l != '0'))
				continue;
			/* the path below the mount's root, without its '/' */
			if (rl == 1) {
				rel = path + 1;
				len = plen - 1;
			} else if (plen >= rl && memcmp(path, h[k].root, rl) == 0 &&
				   (plen == rl || path[rl] == '/')) {
				rel = path + rl + (plen > rl);
				len = plen - rl - (plen > rl);
			} else {
				continue;   /* not below this mount */
			}
			if (seen_add(s, seen_hash(k, rel, len)) < 0)
				return -1;
		}
		l = nl + 1;
	}
	return 0;
}

/* /proc shows every thread cgroup.procs would list when it is this pid
 * namespace's and root reads it (hidepid hides nothing from root). */
static bool proc_complete(void)
{
	char path[256], link[32];
	ssize_t n;

	if (geteuid() != 0)
		return false;
	snprintf(path, sizeof(path), "%s/self", cg_proc_root);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strtol(link, NULL, 10) == (long)getpid();
}

int stats_seen_read(struct stats_seen *s, const struct stats_seen_hier *h, size_t nh)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char buf[8192];

	stats_seen_free(s);
	if (!proc_complete() || !(d = opendir(cg_proc_root)))
		return -1;
	while ((de = readdir(d))) {
		_cleanup_closedir_ DIR *td = NULL;
		struct dirent *te;
		char rel[64];
		int tfd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(rel, sizeof(rel), "%.20s/task", de->d_name);
		tfd = openat(dirfd(d), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tfd < 0) {
			if (errno == ENOENT || errno == ESRCH)
				continue;   /* gone meanwhile */
			goto fail;
		}
		td = fdopendir(tfd);
		if (!td) {
			close(tfd);
			goto fail;
		}
		while ((te = readdir(td))) {
			ssize_t n;
			int fd;

			if (te->d_name[0] < '1' || te->d_name[0] > '9')
				continue;
			snprintf(rel, sizeof(rel), "%.20s/cgroup", te->d_name);
			fd = openat(tfd, rel, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				if (errno == ENOENT || errno == ESRCH)
					continue;
				goto fail;
			}
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n == 0 || (n < 0 && errno == ESRCH))
				continue;   /* exited meanwhile */
			if (n < 0 || (size_t)n == sizeof(buf) - 1)
				goto fail;
			buf[n] = '\0';
			if (seen_parse(s, h, nh, buf) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	stats_seen_free(s);
	return -1;
}
