/* cgkitd's rules file: what docs/cgrules.5
 * describe, parsed and checked. rules_parse() is pure: it reads bytes, never
 * the host (users, cgroups). Every value keeps its line and column (struct
 * pval / pstr of profile.h); limits are profile group_specs, read by the
 * profile's own walk, so they mean and are refused exactly as in a profile. */
#ifndef CGKIT_RULES_H
#define CGKIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "match.h"
#include "profile.h"

#define RULES_DEFAULT_INTERVAL_US 1000000ULL
#define RULES_INTERVAL_MIN_US 100000ULL
#define RULES_INTERVAL_MAX_US 60000000ULL
#define RULES_DEFAULT_PARENT PROFILE_DEFAULT_PARENT
#define RULES_DEFAULT_STATE "/var/lib/cgkit"
#define RULES_DEFAULT_LOG "/var/log/cgkit/actions.jsonl"
#define RULES_DEFAULT_EXEMPT_USERS "0-999"
#define RULES_DEFAULT_GROUP "users/%u"
#define RULES_DEFAULT_FORGIVE_US (3ULL * 3600 * 1000000)
#define RULES_NAME_MAX 64

struct rules_exempt {
	struct uid_list users; /* default ["0-999"] (set false then) */
	struct pat_list commands, cgroups;
};

/* One group per user. Absent when !present. */
struct rules_users {
	bool present;
	int line, col;
	struct uid_list uids;	  /* !set: every user not exempt */
	struct pstr group;	  /* default "users/%u" */
	bool adopt;		  /* group is absolute: the host's groups, adopted */
	struct group_spec limits; /* the base limits (resource sections only) */
	int n_limits;		  /* resource sections given */
};

enum rule_scope { RULE_SCOPE_PROCESS, RULE_SCOPE_USER };

struct rule_match {
	struct uid_list users;
	struct pat_list commands, cgroups; /* !set / empty: no condition */
};

/* Thresholds; each pval's `set` says whether it is a condition. */
struct rule_when {
	bool present;
	int line, col;
	struct pval cpu;    /* micro-cpus: 1500000 = 150% = 1.5 cpus (share of ONE cpu) */
	struct pval memory; /* bytes */
	struct pval tasks;  /* processes + threads */
	struct pval io;	    /* bytes per second, read + written */
	struct pval pressure_memory, pressure_cpu,
		pressure_io; /* "some" share, ppm: 20% = 200000 */
	struct pval for_us;  /* microseconds; default 0: the first sample over it */
	int n_measures;	     /* thresholds given (for excluded) */
};

#define RULES_PPM 1000000ULL /* pressure shares: parts per million */

struct rule_penalty {
	int line, col;		  /* of the list item */
	struct group_spec limits; /* cpu, memory, io, cpuset, pids, as in a profile */
	int n_limits;		  /* resource sections given */
	struct pval freeze;	  /* v: 1 for true */
	int kill_signal;	  /* 0, SIGTERM or SIGKILL */
	struct pstr kill;	  /* as written */
	struct pval for_us;	  /* !set: while the offender runs */
};

struct rule {
	int line, col; /* of the rule's mapping */
	struct pstr name;
	enum rule_scope scope; /* default process */
	struct pstr scope_s;   /* as written, for its place */
	struct rule_match match;
	struct rule_when when;
	bool at_exec; /* match.commands and no when: judged at exec */
	struct rule_penalty *penalties;
	size_t n_penalties;
	struct pval forgive; /* us; default 3h (set false then) */
	struct pstr notify;  /* NULL: the top-level notify */
};

/* /metrics (metrics.h) and the history (history_rec.h). */
struct rules_metrics {
	bool present;
	int line, col;
	struct pstr listen;	/* default "127.0.0.1:9269" */
	struct pat_list groups; /* cgroup prefixes; !set: all */
	struct pval depth;
};

struct rules_history {
	bool present;
	int line, col;
	struct pstr dir;
	struct pval interval, keep, max;
};

struct rules {
	char *path;
	struct pval interval; /* us; default 1s */
	struct pstr parent;   /* default "cgkit"; "self" allowed */
	bool parent_self;
	struct pstr state, log, notify; /* state/log defaulted; notify NULL: none */
	struct rules_exempt exempt;
	struct rules_users users;
	struct rule *rules;
	size_t n_rules;
	struct rules_metrics metrics;
	struct rules_history history;
};

struct rules_opts {
	uint64_t host_ram; /* bytes, for "25%" memory sizes; 0: refuse "%" */
	bool no_pressure;  /* the host has no PSI files (v1 only): warn on pressure */
};

/* Parses and checks `len` bytes. Returns the rules, or NULL with the reasons
 * in `d` (d->errors > 0). Warnings may be in `d` on success too. `opts` may
 * be NULL (no "%" sizes, no pressure warning). */
struct rules *rules_parse(const char *buf, size_t len, const char *path,
			  const struct rules_opts *opts, struct diags *d);
/* Reads the file (refusing one over 1 MiB) and parses it. With opts NULL,
 * the host's RAM is asked (sysconf) for "%" sizes. */
struct rules *rules_load(const char *path, const struct rules_opts *opts, struct diags *d);
void rules_free(struct rules *r);

/* The rule named `name`, or NULL. */
const struct rule *rules_find(const struct rules *r, const char *name);
/* The penalty for offence number `offence` (1, 2, ...): past the last entry,
 * the last again. */
const struct rule_penalty *rule_penalty_for(const struct rule *rule, unsigned offence);

#endif
