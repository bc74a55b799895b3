/* A small reader of cgkitd's history for the 42-cgkitd-history* tests
 * (before cgtop --replay): the store's reader (src/history/history.h), its
 * frames printed as lines a shell test can check.
 *
 *   hist-reader DIR summary      frames N first_us F last_us L events E groups G
 *                                (G: groups of the last frame)
 *   hist-reader DIR group NAME   one line a frame: TIME_US CPU_NS, for the
 *                                group whose last path component is NAME
 *                                (CPU_NS "-" when the frame lacks it)
 *   hist-reader DIR check        every frame sane: times rising, each group's
 *                                cpu counter never falling; "ok frames N"
 *                                or "bad: ..." (exit 1)
 * Exit 2 when the directory does not open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

static const char *last_comp(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

struct seen {
	char *path;
	uint64_t cpu;
};

int main(int argc, char **argv)
{
	struct hist_reader *r;
	struct hist_frame f;
	cg_err e = { 0 };
	uint64_t frames = 0, events = 0, first = 0, last = 0;
	size_t ngroups = 0, nseen = 0;
	struct seen *seen = NULL;
	int rc;

	if (argc < 3 || (!strcmp(argv[2], "group") && argc < 4)) {
		fprintf(stderr, "usage: hist-reader DIR summary|check|group NAME\n");
		return 2;
	}
	if (hist_reader_open(&r, argv[1], &e) < 0) {
		fprintf(stderr, "hist-reader: %s\n", e.msg);
		return 2;
	}
	if (hist_seek(r, 0, &e) < 0) {
		fprintf(stderr, "hist-reader: %s\n", e.msg);
		return 2;
	}
	while ((rc = hist_next(r, &f, &e)) == 1) {
		if (frames && f.time_us <= last) {
			printf("bad: frame %llu at %llu after %llu\n", (unsigned long long)frames,
			       (unsigned long long)f.time_us, (unsigned long long)last);
			return 1;
		}
		if (!frames)
			first = f.time_us;
		last = f.time_us;
		frames++;
		events += f.n_events;
		ngroups = f.n;
		if (!strcmp(argv[2], "group")) {
			const char *v = "-";
			char buf[32];

			for (size_t i = 0; i < f.n; i++)
				if (!strcmp(last_comp(f.g[i].path), argv[3]) &&
				    (f.g[i].s.have & SV_BIT(SV_CPU_NS))) {
					snprintf(buf, sizeof(buf), "%llu",
						 (unsigned long long)f.g[i].s.v[SV_CPU_NS]);
					v = buf;
				}
			printf("%llu %s\n", (unsigned long long)f.time_us, v);
		} else if (!strcmp(argv[2], "check")) {
			for (size_t i = 0; i < f.n; i++) {
				size_t k;

				if (!(f.g[i].s.have & SV_BIT(SV_CPU_NS)))
					continue;
				for (k = 0; k < nseen && strcmp(seen[k].path, f.g[i].path); k++)
					;
				if (k == nseen) {
					struct seen *v = realloc(seen, (nseen + 1) * sizeof(*seen));

					if (!v)
						return 2;
					seen = v;
					seen[nseen].path = strdup(f.g[i].path);
					seen[nseen++].cpu = 0;
				}
				/* only the root's counter is sure never to fall (a group
				 * removed and made again restarts at 0) */
				if (!f.g[i].path[0] && f.g[i].s.v[SV_CPU_NS] < seen[k].cpu) {
					printf("bad: the root's cpu counter fell from %llu to %llu at "
					       "%llu\n",
					       (unsigned long long)seen[k].cpu,
					       (unsigned long long)f.g[i].s.v[SV_CPU_NS],
					       (unsigned long long)f.time_us);
					return 1;
				}
				seen[k].cpu = f.g[i].s.v[SV_CPU_NS];
			}
		}
	}
	if (rc < 0) {
		printf("bad: %s\n", e.msg);
		return 1;
	}
	if (!strcmp(argv[2], "summary"))
		printf("frames %llu first_us %llu last_us %llu events %llu groups %zu\n",
		       (unsigned long long)frames, (unsigned long long)first,
		       (unsigned long long)last, (unsigned long long)events, ngroups);
	else if (!strcmp(argv[2], "check"))
		printf("ok frames %llu\n", (unsigned long long)frames);
	for (size_t k = 0; k < nseen; k++)
		free(seen[k].path);
	free(seen);
	hist_reader_close(r);
	return 0;
}
