/* The profile: what docs/cgprofile.5 describes, parsed and checked.
 * profile_parse() is pure: it reads bytes, never the cgroup tree. */
#ifndef CGKIT_PROFILE_H
#define CGKIT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "err.h"

#define PROFILE_MAX_BYTES (1024 * 1024)
#define PROFILE_MAX_DEPTH 64
#define PROFILE_MAX_ALIAS_NODES 10000
#define PROFILE_NAME_MAX 64

/* A value from the file, with where it stood. */
struct pval {
	bool set;       /* the key was present */
	bool is_max;    /* the value was "max" */
	uint64_t v;     /* in the key's base unit (bytes, us, ucpu, plain) */
	int line, col;  /* of the value */
	int kline, kcol; /* of the key */
};

struct pstr {
	char *s;        /* NULL when absent */
	int line, col;  /* of the value */
	int kline, kcol; /* of the key */
};

struct io_device {
	struct pstr path;                  /* "/dev/vda" or "MAJ:MIN" as written */
	bool has_majmin;                   /* path was "MAJ:MIN" */
	unsigned major, minor;             /* when has_majmin */
	struct pval read_bps, write_bps, read_iops, write_iops;
	int line, col;                     /* of the list item */
};

/* Resource sections; `present` is true when the section key appeared. */
struct cpu_spec {
	bool present;
	struct pval max;       /* micro-cpus (1 cpu = 1000000); is_max for "max" */
	struct pval quota;     /* microseconds */
	struct pval period;    /* microseconds; default 100000 when unset */
	struct pval weight;    /* 1 .. 10000 */
};

struct memory_spec {
	bool present;
	struct pval max, high, swap;   /* bytes; is_max for "max" */
};

struct io_spec {
	bool present;
	struct pval weight;
	struct io_device *devices;
	size_t n_devices;
};

struct cpuset_spec {
	bool present;
	struct pstr cpus, mems;        /* normalised kernel list syntax */
};

struct pids_spec {
	bool present;
	struct pval max;
};

struct group_spec {
	struct pstr name;
	struct pstr description;
	struct cpu_spec cpu;
	struct memory_spec memory;
	struct io_spec io;
	struct cpuset_spec cpuset;
	struct pids_spec pids;
	struct group_spec *children;
	size_t n_children;
	int line, col;          /* where its mapping starts */
};

enum ns_kind {
	NS_PID = 1 << 0,
	NS_MOUNT = 1 << 1,
	NS_UTS = 1 << 2,
	NS_IPC = 1 << 3,
	NS_NET = 1 << 4,
	NS_CGROUP = 1 << 5,
	NS_USER = 1 << 6,
};

struct env_var {
	char *name, *value;
	int line, col;          /* of the name */
};

/* The parent of a profile's group when the profile names none. */
#define PROFILE_DEFAULT_PARENT "cgkit"

struct profile_opts {
	uint64_t host_ram;      /* bytes, for "N%" memory sizes; 0: refuse "%" */
};

struct profile {
	char *path;                 /* file it came from, for messages */
	struct group_spec group;    /* the top group: name, resources, children */
	struct pstr parent;         /* default "cgkit"; "self" allowed */
	bool parent_self;
	/* launch settings */
	unsigned namespaces;        /* enum ns_kind bits */
	int ns_line, ns_col;
	struct pstr hostname, rootfs, user, workdir;
	struct pstr *layers;
	size_t n_layers;
	struct env_var *env;
	size_t n_env;
	struct profile_opts opts;   /* as parsed with; profile_set uses them too */
};

/* Parses and checks `len` bytes. Returns a profile, or NULL with the reasons
 * in `d` (d->errors > 0). Warnings may be in `d` on success too. */
struct profile *profile_parse(const char *buf, size_t len, const char *path,
			      const struct profile_opts *opts, struct diags *d);
/* Reads the file (refusing one over 1 MiB) and parses it. */
struct profile *profile_load(const char *path, const struct profile_opts *opts,
			     struct diags *d);
void profile_free(struct profile *p);

/* A profile made in code, without YAML text (cgtop, the daemon).
 *
 * Keys are the file's dotted keys ("cpu.max", "memory.high", "io.weight",
 * "cpuset.cpus", "pids.max", "description", "parent", "user", ...) and values
 * the file's texts ("20%", "512M", "max"): each goes through the same parser,
 * units and ranges as in a file, so the struct is the one that parsing the
 * equivalent YAML gives (only the line and column fields stay 0). Lists
 * (children, io.devices, namespaces, layers, env) are not values: children
 * come with profile_add_child(); the others are only in files for now.
 *
 * A refused value leaves the profile as it was and fills err with the key
 * first ("cpu.max: \"abc\" is not a cpu amount: ..."). The checks between
 * keys (memory.high <= memory.max, swap needs max, one of cpu.max and
 * cpu.quota, the cap's quota within the kernel's range) wait for
 * profile_check(), so that keys may come in any order: call it once all are
 * set, before planning. */

/* A profile with group `name` below `parent` (NULL: "cgkit"; "self"). */
struct profile *profile_new(const char *name, const char *parent,
			    const struct profile_opts *opts, cg_err *err);
/* Sets `key` of the top group to `value`. */
int profile_set(struct profile *p, const char *key, const char *value, cg_err *err);
/* The same in the child group at `group` ("workers/low"; "" is the top). */
int profile_set_in(struct profile *p, const char *group, const char *key, const char *value,
		   cg_err *err);
/* Adds a child group `name` to the group at `group` ("" is the top). It moves
 * the children of that group in memory: pointers to them become stale. */
int profile_add_child(struct profile *p, const char *group, const char *name, cg_err *err);
/* The checks between keys, over the whole profile. */
int profile_check(struct profile *p, cg_err *err);
/* Copies the resource sections of `from` (cpu, memory, io, cpuset, pids; a
 * deep copy) into the top group of p: a section `from` has is made present,
 * a value it sets replaces p's, the others stay, so that a penalty's limits
 * go over the base limits. cpu.max and cpu.quota replace each other; a
 * memory.max below p's memory.high takes the high down with it; io devices
 * and cpuset lists replace p's whole. Run profile_check() after. */
int profile_merge_limits(struct profile *p, const char *group, const struct group_spec *from,
			 cg_err *err);

/* Name rules of the spec: 1..64 of [A-Za-z0-9_.-], not starting with '.'.
 * Return NULL when valid, else a reason. */
const char *profile_name_invalid(const char *name);
const char *profile_parent_invalid(const char *parent);

/* Default period when the profile sets none. */
#define PROFILE_DEFAULT_PERIOD_US 100000

/* cpu quota in us per period, from max or quota; UINT64_MAX for no limit. */
uint64_t profile_cpu_quota_us(const struct cpu_spec *cpu);
uint64_t profile_cpu_period_us(const struct cpu_spec *cpu);

/* The group at `path` below g ("workers" or "workers/low": names separated
 * by '/'; "" is g itself), or NULL. The one lookup of a child group. */
const struct group_spec *group_find_child(const struct group_spec *g, const char *path);
/* The child group at `path` ("workers" or "workers/low": names below the top
 * group, separated by '/'; "" is the top group itself). Returns 0 and sets
 * *out, or -1 when there is no such group. */
int profile_find_child(const struct profile *p, const char *path,
		       const struct group_spec **out);

#endif
