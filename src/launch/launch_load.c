/* The profile of a launch, of --pid and of --gc (see launch_load.h). */
#include "launch_load.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launch_override.h"

struct profile *launch_load(const struct launch_opts *o, bool say, cg_err *e)
{
	struct profile_opts po = { .host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					       (uint64_t)sysconf(_SC_PAGESIZE) };
	struct override_host h = { .ram = po.host_ram };
	struct profile *p;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	h.max_cpu = ncpu > 0 ? (unsigned)ncpu - 1 : 0;
	if (o->profile_path) {
		struct diags d;

		diags_init(&d, o->profile_path);
		p = profile_load(o->profile_path, &po, &d);
		if (say || !p)
			diags_print(&d, stderr);
		if (!p) {
			cg_err_set(e, 0, "%s: not a valid profile (see above)", o->profile_path);
			return NULL;
		}
	} else {
		p = launch_profile_for_command(o->argv && o->argv[0] ? o->argv[0] : "cmd", e);
		if (!p)
			return NULL;
	}
	if (launch_apply_overrides(p, &o->ov, &h, e) < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

/* The command line's resource overrides as given, for messages; "" when
 * there are none. */
static void overrides_text(const struct launch_overrides *ov, char *out, size_t len)
{
	const struct {
		const char *opt, *v;
	} all[] = { { "--cpu", ov->cpu },     { "--memory", ov->memory }, { "--pids", ov->pids },
		    { "--cpus", ov->cpus },   { "--io-weight", ov->io_weight } };
	size_t i, o = 0;

	*out = '\0';
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i].v || o >= len)
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%s %s", o ? " " : "", all[i].opt, all[i].v);
	}
}

struct profile *launch_load_base(const struct launch_opts *o, char *text, size_t len, cg_err *e)
{
	struct launch_opts b = *o;

	overrides_text(&o->ov, text, len);
	if (!*text)
		return NULL;
	b.ov = (struct launch_overrides){ .name = o->ov.name, .parent = o->ov.parent,
					  .child = o->ov.child };
	return launch_load(&b, false, e);   /* its warnings were said */
}
