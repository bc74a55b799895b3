/* A process's facts and the decisions on them (facts.h). */
#include "facts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match.h"
#include "proc.h"

/* for errors nobody reads: the library fills its cg_err unconditionally */
static cg_err scratch_err;

void facts_free(struct facts *f)
{
	free(f->exe);
	free(f->cgroup);
	f->exe = f->cgroup = NULL;
}

int facts_read(pid_t pid, struct facts *f)
{
	return facts_read_ids(pid, f) < 0 ? -1 : facts_read_rest(f);
}

int facts_read_ids(pid_t pid, struct facts *f)
{
	uid_t euid;

	memset(f, 0, sizeof(*f));
	if (proc_uids(pid, &f->uid, &euid, &scratch_err) < 0)
		return -1;
	f->pid = pid;
	return 0;
}

int facts_read_rest(struct facts *f)
{
	struct proc_info pi;

	if (proc_info_read(f->pid, PROC_STAT | PROC_EXE | PROC_CGROUP, &pi, &scratch_err) < 0)
		return -1;
	f->start = pi.start;
	f->ppid = pi.ppid;
	f->kthread = pi.kthread;
	memcpy(f->comm, pi.comm, sizeof(f->comm));
	f->exe = pi.exe;
	f->cgroup = pi.cgroup;
	pi.exe = pi.cgroup = NULL;
	proc_info_free(&pi);
	return 0;
}

static bool cgroups_match(const struct pat_list *l, const char *text)
{
	const char *cur = text;
	struct proc_cgline line;
	char scratch[4096];

	if (!text)
		return false;
	while (proc_cgroup_next(&cur, &line, scratch, sizeof(scratch)) == 1)
		if (match_cgroups(l, line.path))
			return true;
	return false;
}

const char *facts_exempt_uid(const struct rules *r, const struct facts *f, const char *name)
{
	const struct rules_exempt *x = &r->exempt;

	if (f->pid <= 1)
		return "pid 1";
	if (x->users.set ? match_uid(&x->users, f->uid, name) : f->uid <= 999)
		return "exempt.users";
	return NULL;
}

const char *facts_exempt(const struct rules *r, const struct facts *f, const char *name)
{
	const struct rules_exempt *x = &r->exempt;

	if (f->pid <= 1)
		return "pid 1";
	if (f->kthread)
		return "a kernel thread";
	if (f->pid == getpid() || f->ppid == getpid())
		return "cgkitd or a command it runs";
	if (x->users.set ? match_uid(&x->users, f->uid, name) : f->uid <= 999)
		return "exempt.users";
	if (x->commands.set && match_commands(&x->commands, f->exe, f->comm))
		return "exempt.commands";
	if (x->cgroups.set && cgroups_match(&x->cgroups, f->cgroup))
		return "exempt.cgroups";
	return NULL;
}

bool facts_rule_selects(const struct rule *ru, const struct facts *f, const char *name)
{
	const struct rule_match *m = &ru->match;

	if (m->users.set && !match_uid(&m->users, f->uid, name))
		return false;
	if (m->commands.set && m->commands.n && !match_commands(&m->commands, f->exe, f->comm))
		return false;
	if (m->cgroups.set && m->cgroups.n && !cgroups_match(&m->cgroups, f->cgroup))
		return false;
	return true;
}

bool facts_in_users(const struct rules *r, uid_t uid, const char *name)
{
	const struct rules_users *u = &r->users;

	return u->present && (!u->uids.set || match_uid(&u->uids, uid, name));
}
