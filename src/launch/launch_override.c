/* Command-line overrides of a profile (see launch_override.h). */
#include "launch_override.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static int set_str(struct pstr *ps, const char *v, cg_err *e)
{
	char *s = strdup(v);

	if (!s)
		return cg_err_set(e, ENOMEM, "out of memory");
	free(ps->s);
	ps->s = s;
	ps->line = ps->col = 0;
	return 0;
}

static void set_val(struct pval *pv, uint64_t v)
{
	pv->set = true;
	pv->is_max = v == UNIT_MAX;
	pv->v = v;
	pv->line = pv->col = 0;
}

static int override_cpu(struct profile *p, const char *s, cg_err *e)
{
	const char *why = NULL;
	uint64_t v;

	if (unit_parse_cpu(s, &v, &why) < 0)
		return cg_err_set(e, 0, "--cpu: '%s': %s (e.g. 20%%, 0.5, 500m or max)", s, why);
	if (v == 0)
		return cg_err_set(e, 0, "--cpu: '%s' is no cpu at all; give more than 0", s);
	p->group.cpu.present = true;
	set_val(&p->group.cpu.max, v);
	/* the profile's quota would contradict the new cap */
	p->group.cpu.quota.set = false;
	return 0;
}

static int override_memory(struct profile *p, const char *s, const struct override_host *h,
			   cg_err *e)
{
	struct memory_spec *m = &p->group.memory;
	const char *why = NULL;
	uint64_t v;

	if (unit_parse_size(s, h->ram, true, &v, &why) < 0)
		return cg_err_set(e, 0, "--memory: '%s': %s (e.g. 512M, 1G, 25%% or max)", s, why);
	if (v == 0)
		return cg_err_set(e, 0, "--memory: '%s' leaves no memory at all; give more than 0", s);
	if (unit_check_mem_size(v, unit_page_size(), &why) < 0)
		return cg_err_set(e, 0, "--memory: %s %s", s, why);
	m->present = true;
	set_val(&m->max, v);
	/* memory.high above the new max would be refused: lower it to max */
	if (m->high.set && !m->high.is_max && v != UNIT_MAX && m->high.v > v)
		m->high.v = v;
	if (m->high.set && m->high.is_max && v != UNIT_MAX)
		m->high.set = false;
	return 0;
}

static int override_uint(struct pval *pv, bool *present, const char *opt, const char *s,
			 uint64_t lo, uint64_t hi, bool allow_max, cg_err *e)
{
	const char *why = NULL;
	uint64_t v;

	if (allow_max && !strcmp(s, "max")) {
		*present = true;
		set_val(pv, UNIT_MAX);
		return 0;
	}
	if (unit_parse_uint(s, &v, &why) < 0 || v < lo || v > hi)
		return cg_err_set(e, 0, "%s: '%s' is not a number from %llu to %llu%s", opt, s,
				  (unsigned long long)lo, (unsigned long long)hi,
				  allow_max ? ", or max" : "");
	*present = true;
	set_val(pv, v);
	return 0;
}

static int override_cpus(struct profile *p, const char *s, const struct override_host *h,
			 cg_err *e)
{
	char norm[1024];
	const char *why = NULL;

	if (unit_parse_list(s, h->max_cpu, norm, sizeof(norm), &why) < 0)
		return cg_err_set(e, 0, "--cpus: '%s': %s (a list of cpus 0-%u, e.g. 0-1 or 0,2)",
				  s, why, h->max_cpu);
	p->group.cpuset.present = true;
	return set_str(&p->group.cpuset.cpus, norm, e);
}

int launch_apply_overrides(struct profile *p, const struct launch_overrides *ov,
			   const struct override_host *h, cg_err *e)
{
	const char *why;

	if (ov->name) {
		if ((why = profile_name_invalid(ov->name)))
			return cg_err_set(e, 0, "--name: '%s': %s", ov->name, why);
		if (set_str(&p->group.name, ov->name, e) < 0)
			return -1;
	}
	if (ov->parent && strcmp(ov->parent, "self") != 0 && (why = profile_parent_invalid(ov->parent)))
		return cg_err_set(e, 0, "--parent: '%s': %s", ov->parent, why);
	if (ov->cpu && override_cpu(p, ov->cpu, e) < 0)
		return -1;
	if (ov->memory && override_memory(p, ov->memory, h, e) < 0)
		return -1;
	if (ov->pids && override_uint(&p->group.pids.max, &p->group.pids.present, "--pids",
				      ov->pids, 1, 4194304, true, e) < 0)
		return -1;
	if (ov->io_weight && override_uint(&p->group.io.weight, &p->group.io.present,
					   "--io-weight", ov->io_weight, 1, 10000, false, e) < 0)
		return -1;
	if (ov->cpus && override_cpus(p, ov->cpus, h, e) < 0)
		return -1;
	if (ov->child && !group_find_child(&p->group, ov->child))
		return cg_err_set(e, 0, "-g: the profile '%s' has no child group '%s'%s",
				  p->group.name.s ? p->group.name.s : "?", ov->child,
				  p->group.n_children ? "" : " (it has no children)");
	return 0;
}

void launch_name_from_command(const char *cmd, char *out, size_t len)
{
	const char *base = strrchr(cmd, '/');
	size_t i, o = 0;

	base = base ? base + 1 : cmd;
	while (*base == '.')
		base++;
	for (i = 0; base[i] && o + 1 < len && o < PROFILE_NAME_MAX; i++) {
		char ch = base[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';

		out[o++] = ok ? ch : '_';
	}
	if (o == 0 && len > 3) {
		memcpy(out, "cmd", 3);
		o = 3;
	}
	if (len)
		out[o < len ? o : len - 1] = '\0';
}

struct profile *launch_profile_for_command(const char *cmd, cg_err *e)
{
	struct profile *p = calloc(1, sizeof(*p));
	char name[PROFILE_NAME_MAX + 1];

	if (!p) {
		cg_err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	launch_name_from_command(cmd, name, sizeof(name));
	if (set_str(&p->group.name, name, e) < 0 || set_str(&p->parent, PROFILE_DEFAULT_PARENT, e) < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}
