/* The mapping of profile knobs onto the kernel's files: the one place that
 * knows cgroup v1's file names, value formats and defaults from cgroup v2's
 * (the spec's mapping table). The planner (plan.c, res_*.c) writes through
 * it, show and the statistics read through it. Pure: no I/O. */
#ifndef CGKIT_MAPPING_H
#define CGKIT_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "err.h"
#include "layout.h"
#include "profile.h"

enum map_knob {
	MK_CPU_PERIOD,     /* v1 cpu.cfs_period_us */
	MK_CPU_QUOTA,      /* v1 cpu.cfs_quota_us */
	MK_CPU_SHARES,     /* v1 cpu.shares */
	MK_CPU_MAX,        /* v2 cpu.max "QUOTA PERIOD" */
	MK_CPU_WEIGHT,     /* v2 cpu.weight */
	MK_MEM_MAX,        /* memory.limit_in_bytes / memory.max */
	MK_MEM_HIGH,       /* memory.soft_limit_in_bytes / memory.high */
	MK_MEM_SWAP,       /* memory.memsw.limit_in_bytes (max + swap) / memory.swap.max */
	MK_IO_WEIGHT,      /* blkio.weight / io.weight "default W" */
	MK_IO_BFQ_WEIGHT,  /* blkio.bfq.weight / io.bfq.weight */
	MK_IO_RBPS,        /* v1 blkio.throttle.read_bps_device "MAJ:MIN N" */
	MK_IO_WBPS,
	MK_IO_RIOPS,
	MK_IO_WIOPS,
	MK_IO_MAX,         /* v2 io.max "MAJ:MIN rbps=N wbps=N riops=N wiops=N" */
	MK_CPUSET_CPUS,
	MK_CPUSET_MEMS,
	MK_PIDS_MAX,
	MK_MEM_USAGE,      /* read only: memory.usage_in_bytes / memory.current */
	MK_SUBTREE_CONTROL, /* v2 cgroup.subtree_control (core: no controller) */
	MK_CLONE_CHILDREN, /* v1 cgroup.clone_children (core: a new child copies cpuset) */
	MK_IO_COST_QOS,    /* read only, v2 root: io.cost.qos (io.weight works) */
	MK_IO_BFQ_STATS,   /* read only, v1 root: blkio.bfq.io_service_bytes (BFQ is there) */
	MK_COUNT
};

/* The file name of a knob on v1 or v2, or NULL when that version lacks it.
 * map_ctrl() of a core file (cgroup.*) is CTRL_COUNT. */
const char *map_file(enum map_knob k, bool v2);
/* What the file holds in a group the kernel has just created. */
const char *map_default(enum map_knob k, bool v2);
enum cg_ctrl map_ctrl(enum map_knob k);

/* v1 reports "no memory limit" as PAGE_COUNTER_MAX pages (this, on 4 KiB pages). */
#define MAP_V1_MEM_UNLIMITED 9223372036854771712ULL
#define MAP_UNLIMITED UINT64_MAX
#define MAP_PAGE_SIZE 4096ULL

/* "max", "-1" or a number (v1's huge "unlimited" counts as max) ->
 * MAP_UNLIMITED or the number. Returns 0, or -1 when the text is none of these. */
int map_parse_limit(const char *s, uint64_t *out);
/* Byte limits as the kernel keeps them: whole pages, rounded down. */
uint64_t map_round_bytes(uint64_t v);
/* v1 and v2 spell "no limit" differently: "-1" / "max". */
void map_format_limit(uint64_t v, bool v2, char *out, size_t len);

/* cpu.weight 1..10000 <-> v1 cpu.shares (weight * 1024 / 100, at least 2). */
uint64_t map_cpu_shares(uint64_t weight);
uint64_t map_weight_from_shares(uint64_t shares);
/* io.weight 1..10000 <-> the weight in knob k's file (the spec's mapping):
 * v2 io.weight takes it as it is; the others are piecewise linear, each
 * default onto the other's, rounded to the nearest: CFQ's blkio.weight
 * (10..1000, default 500) 1..100 -> 10..500 and 100..10000 -> 500..1000;
 * BFQ's blkio.bfq.weight / io.bfq.weight (1..1000, default 100) 1..100 ->
 * 1..100 and 100..10000 -> 100..1000. Reading back inverts the same
 * segments: a weight reads back as itself where the kernel's range allows. */
uint64_t map_io_weight_to(enum map_knob k, bool v2, uint64_t weight);
uint64_t map_io_weight_from(enum map_knob k, bool v2, uint64_t kernel);

/* v2 cpu.max: "max 100000" / "20000 100000"; quota MAP_UNLIMITED for max. */
int map_parse_cpu_max(const char *s, uint64_t *quota, uint64_t *period);
/* Reads a weight file: "100", "default 100\n8:0 50" -> the default. */
int map_parse_weight(const char *s, uint64_t *out);

/* Per-device limits: read bps, write bps, read iops, write iops. */
enum { MAP_RBPS, MAP_WBPS, MAP_RIOPS, MAP_WIOPS, MAP_NDEV };
struct map_dev {
	unsigned major, minor;
	uint64_t v[MAP_NDEV];   /* MAP_UNLIMITED where there is no limit */
};
struct map_devs {
	struct map_dev *d;
	size_t n;
};
/* Adds the lines of one v1 throttle file ("8:0 1048576") into which (MAP_*),
 * or of v2 io.max. Devices missing from the list are appended unlimited. */
int map_devs_add_v1(struct map_devs *ds, int which, const char *text);
int map_devs_add_io_max(struct map_devs *ds, const char *text);
struct map_dev *map_devs_get(struct map_devs *ds, unsigned major, unsigned minor);
void map_devs_free(struct map_devs *ds);
/* The v1 knob of MAP_*, and the line to write for a device; label stands in
 * for "MAJ:MIN" when not NULL (a device that could not be looked up). */
enum map_knob map_v1_dev_knob(int which);
void map_format_v1_dev(const struct map_dev *d, int which, const char *label, char *out,
		       size_t len);
void map_format_io_max(const struct map_dev *d, const char *label, char *out, size_t len);

/* cpu/mem lists in kernel syntax, as bit sets. */
#define MAP_LIST_IDS 8192
struct map_list {
	uint64_t w[MAP_LIST_IDS / 64];
};
int map_list_parse(const char *s, struct map_list *out);
void map_list_format(const struct map_list *l, char *out, size_t len);
bool map_list_equal(const struct map_list *a, const struct map_list *b);
bool map_list_subset(const struct map_list *a, const struct map_list *of);
void map_list_union(struct map_list *a, const struct map_list *b);
/* The first id in a but not in of, or -1. */
int map_list_first_outside(const struct map_list *a, const struct map_list *of);

/* Where a profile's groups live: one entry per hierarchy that its sections
 * (of the group and of every child) need. v1: one per mount (cpuacct joins
 * cpu so that CPU usage is measured); v2: the unified tree. */
struct map_hier {
	const char *mount;     /* the layout's mount point */
	bool v2;
	unsigned ctrls;        /* 1 << cg_ctrl needed in this hierarchy */
	char *base;            /* absolute directory the group goes into */
};
struct map_where {
	struct map_hier h[CTRL_COUNT];
	size_t n;
	unsigned ctrls;        /* every controller needed */
	const char *parent;    /* as given, "self" or a relative path */
};
/* Controllers a group's sections need (not its children). */
unsigned map_group_ctrls(const struct group_spec *g);
/* The parent a profile's group goes below: the override, else the profile's
 * (`self` when it says so), else PROFILE_DEFAULT_PARENT. */
const char *map_parent(const struct profile *p, const char *parent_override);
/* Checks the names (before any path is built: errors go to d with their
 * line:column) and finds the hierarchies; a needed controller the host lacks
 * is an error in d too. Returns 0, or -1 (d->errors or e). */
int map_where(const struct profile *p, const struct cg_layout *l, const char *parent_override,
	      struct map_where *w, struct diags *d, cg_err *e);
void map_where_free(struct map_where *w);
/* Adds controller c's hierarchy (mounted) to w, or c to the hierarchy that
 * is there: a caller that must reach the group in more hierarchies than the
 * profile needs (--remove after a section was dropped). */
int map_where_add(struct map_where *w, const struct cg_layout *l, enum cg_ctrl c, cg_err *e);
/* Index of the hierarchy holding controller c, or -1. */
int map_where_find(const struct map_where *w, const struct cg_layout *l, enum cg_ctrl c);
/* The line:column of a section's first value, for host diagnostics. */
void map_section_pos(const struct group_spec *g, enum cg_ctrl c, int *line, int *col);

/* ---- Group files: membership, freezing, killing (cgops_*.c read and write
 * them through these; the one place that spells their names) ---- */
enum map_cgfile {
	MF_PROCS,          /* cgroup.procs: a process (all of its threads) */
	MF_THREADS,        /* v1 tasks / v2 cgroup.threads: one thread */
	MF_FREEZE,         /* v1 freezer.state / v2 cgroup.freeze: what is asked */
	MF_FREEZE_STATE,   /* v1 freezer.state / v2 cgroup.events: what is */
	MF_KILL,           /* v2 only: cgroup.kill */
	MF_EVENTS,         /* v2 only: cgroup.events ("populated 0|1", "frozen 0|1") */
	MF_CONTROLLERS,    /* v2 only: cgroup.controllers, what the group may enable */
	MF_SUBTREE,        /* v2 only: cgroup.subtree_control, what it enables below */
	MF_COUNT
};
/* The file's name on v1 or v2, or NULL when that version lacks it. */
const char *map_cgfile(enum map_cgfile f, bool v2);
/* The v1 controller that owns freezing ("freezer", as /proc/PID/cgroup names it). */
#define MAP_V1_FREEZER "freezer"
/* What to write to MF_FREEZE to freeze or thaw. */
const char *map_freeze_value(bool freeze, bool v2);
/* Reads MF_FREEZE_STATE: 1 when frozen, 0 when thawed, 2 while freezing
 * (v1 FREEZING, or v2 asked and not yet frozen), -1 when unreadable. */
int map_parse_frozen(const char *text, bool v2);
/* map_parse_keyed() as a value: the number, or -1. */
long long map_keyed_value(const char *text, const char *key);
/* The host's list of online cpus, or of memory nodes (mems). */
const char *map_sys_online(bool mems);
/* A block device's files in sysfs: "partition" is there for a partition
 * only; "uevent" names its device node (DEVNAME=). */
enum map_blk { MAP_BLK_PARTITION, MAP_BLK_UEVENT };
void map_blk_file(unsigned major, unsigned minor, enum map_blk f, char *out, size_t len);
/* The device node a uevent text names: "/dev/vda". -1 when it names none. */
int map_blk_devnode(const char *uevent, char *out, size_t len);

/* ---- Counters: what a group used, read back (the launcher's --stats and
 * OOM report). Each is a number, either the whole file or one "key value"
 * line of a flat keyed file, in the unit below whatever the version. ---- */
enum map_counter {
	MC_OOM_KILLS,      /* v1 memory.oom_control / v2 memory.events: oom_kill */
	MC_CPU_USAGE,      /* nanoseconds: v1 cpuacct.usage / v2 cpu.stat usage_usec */
	MC_CPU_PERIODS,    /* cpu.stat nr_periods */
	MC_CPU_THROTTLED,  /* cpu.stat nr_throttled */
	MC_MEM_PEAK,       /* bytes: v1 memory.max_usage_in_bytes / v2 memory.peak */
	MC_PIDS_PEAK,      /* pids.peak */
	MC_CPU_RT_RUNTIME, /* v1 only: cpu.rt_runtime_us, a real-time budget (us) */
	MC_COUNT
};
/* The file of a counter on v1 or v2, or NULL when that version lacks it. */
const char *map_counter_file(enum map_counter c, bool v2);
/* The controller whose hierarchy holds it on v1 or v2 (v1 CPU usage is
 * cpuacct's, v2's is cpu's). */
enum cg_ctrl map_counter_ctrl(enum map_counter c, bool v2);
/* The counter from the file's text, in the unit above. 0, or -1 when the
 * text does not hold it. */
int map_parse_counter(enum map_counter c, bool v2, const char *text, uint64_t *out);

/* ---- Read side: the files the statistics (stats.c) and cgtop read, and
 * their formats. The knobs above that are also read (limits, usage) keep
 * their map_knob; map_stat_file() names them for the collector too. ---- */
enum map_stat {
	MS_CPU_USAGE,      /* v1 cpuacct.usage (ns) / v2 cpu.stat (usage_usec) */
	MS_CPU_STAT,       /* cpu.stat: nr_periods, nr_throttled */
	MS_CPU_QUOTA,      /* v1 cpu.cfs_quota_us / v2 cpu.max */
	MS_CPU_PERIOD,     /* v1 only: cpu.cfs_period_us (v2 has it in cpu.max) */
	MS_MEM_USAGE,      /* MK_MEM_USAGE */
	MS_MEM_STAT,       /* memory.stat */
	MS_MEM_LIMIT,      /* MK_MEM_MAX */
	MS_SWAP_USAGE,     /* v2 only: memory.swap.current (v1: memory.stat) */
	MS_OOM,            /* v1 memory.oom_control / v2 memory.events: oom_kill */
	MS_IO_BYTES,       /* v1 blkio.throttle.io_service_bytes_recursive / v2 io.stat */
	MS_PIDS_CURRENT,
	MS_PIDS_MAX,       /* MK_PIDS_MAX */
	MS_PROCS,          /* MF_PROCS */
	MS_PSI_CPU,        /* v2 only: cpu.pressure */
	MS_PSI_MEM,        /* v2 only: memory.pressure */
	MS_PSI_IO,         /* v2 only: io.pressure */
	MS_CPU_ACCT_STAT,  /* v1 only: cpuacct.stat, user/system in USER_HZ (v2: cpu.stat) */
	MS_MEM_HIGH,       /* MK_MEM_HIGH (v1: the soft limit) */
	MS_MEM_FAILCNT,    /* v1 only: memory.failcnt, times usage hit the limit */
	MS_COUNT
};
/* The file's name on v1 or v2, or NULL when that version lacks it. */
const char *map_stat_file(enum map_stat f, bool v2);
/* The controller whose hierarchy holds it (CTRL_CPUACCT for the usage: on
 * v2 the cpu controller's); CTRL_COUNT for files every group has
 * (cgroup.procs, the pressure files). */
enum cg_ctrl map_stat_ctrl(enum map_stat f);

/* Keys of the "key value" files (cpu.stat, memory.stat, memory.events,
 * v1 memory.oom_control). */
enum map_stat_key {
	MSK_CPU_USAGE_USEC,   /* v2 cpu.stat */
	MSK_NR_PERIODS,
	MSK_NR_THROTTLED,
	MSK_INACTIVE_FILE,    /* v1: the hierarchical total_inactive_file */
	MSK_SWAP,             /* v1 only: total_swap (v2: memory.swap.current) */
	MSK_OOM_KILL,
	MSK_CPU_USER,         /* v2 cpu.stat user_usec / v1 cpuacct.stat user (USER_HZ) */
	MSK_CPU_SYSTEM,
	MSK_THROTTLED_TIME,   /* v2 cpu.stat throttled_usec / v1 cpu.stat throttled_time (ns) */
	MSK_EV_LOW,           /* v2 memory.events only: low high max oom */
	MSK_EV_HIGH,
	MSK_EV_MAX,
	MSK_EV_OOM,
	MSK_COUNT
};
/* The key on v1 or v2, or NULL when that version lacks it. */
const char *map_stat_key(enum map_stat_key k, bool v2);
/* The number after "key " on a line of text. Returns 0, or -1 when no line
 * holds the key or its value is not a number. */
int map_parse_keyed(const char *text, const char *key, uint64_t *out);
/* A number alone on a line ("123\n"). Returns 0 or -1. */
int map_parse_u64(const char *s, uint64_t *out);
/* Pressure: "some avg10=1.23 ..." -> 123 (hundredths of a percent). */
int map_parse_psi_some_avg10(const char *s, uint64_t *hundredths);
/* Pressure: the "some" line's total= (microseconds stalled, cumulative):
 * a share over any window is its growth over the window's length. */
int map_parse_psi_some_total(const char *s, uint64_t *usec);
/* Pressure: the "some" (full false) or "full" line's total= in
 * microseconds. -1 when the line is not there (no "full" for cpu on old
 * kernels). */
int map_parse_psi_total(const char *s, bool full, uint64_t *usec);
/* v1 cpuacct.stat's user/system unit: USER_HZ (always 100 on Linux) -> ns. */
#define MAP_USER_HZ_NS 10000000ULL
/* Bytes read and written per device: v1 blkio "MAJ:MIN Read N" / "Write N"
 * lines, v2 io.stat "MAJ:MIN rbytes=N wbytes=N ..." lines. Calls fn once per
 * device, in the file's order. Returns the number of devices, or -1 when the
 * text is neither. */
struct map_io_dev {
	unsigned major, minor;
	uint64_t rbytes, wbytes;
};
int map_parse_io_devs(const char *s, bool v2, void (*fn)(void *data, const struct map_io_dev *d),
		      void *data);
/* Bytes read and written, all devices: v1 blkio "MAJ:MIN Read N" lines
 * (-1 when there is no such line and no "Total"), v2 io.stat
 * "MAJ:MIN rbytes=N wbytes=N" (empty: a group that did no io, 0). */
int map_parse_blkio_bytes(const char *s, uint64_t *rbytes, uint64_t *wbytes);
int map_parse_io_stat_bytes(const char *s, uint64_t *rbytes, uint64_t *wbytes);
/* v1 swap allowed above the memory limit, from memory.memsw.limit_in_bytes
 * and memory.limit_in_bytes as read: MAP_UNLIMITED when either has none. */
uint64_t map_v1_swap_from_memsw(uint64_t memsw, uint64_t limit);

#endif
