/* A fake cgroup file system in a temporary directory, for unit tests.
 *
 * fake_tree(v2) makes a standard v1 or v2 tree (cg_layout_standard() points
 * at it). A test that says
 *   WRAP: sys_write_file sys_mkdir sys_rmdir   (in the test's WRAP comment line)
 * gets a small fake kernel: mkdir fills a new group with the files and
 * default values of its hierarchy; writes behave like cgroupfs (a new value
 * replaces the old; "+cpu"/"-cpu" in cgroup.subtree_control; a device line in
 * a v1 throttle file or io.max is merged, "0"/all-max removes it; v1 memory
 * "-1" reads back as the huge number; byte limits are page-rounded; v1
 * memsw below the limit is refused); rmdir takes a group with its files.
 * fake_fail_at = k makes the k-th mkdir-or-write fail (EINVAL), to test the
 * rollback; fake_snapshot() records every path and content for comparison. */
#ifndef CGKIT_FAKECG_H
#define CGKIT_FAKECG_H

#include <stdbool.h>
#include <sys/types.h>

/* test scaffolding: paths below fake_root are short */
#pragma GCC diagnostic ignored "-Wformat-truncation"

extern char fake_root[256];
extern bool fake_v2;
extern bool fake_v2_bfq;      /* v2 without blk-iocost: io.bfq.weight only */
extern int fake_steps;        /* mkdirs and writes so far */
extern int fake_fail_at;      /* 0: never */
extern char fake_failed_path[4096];

/* Writes value into dir/file (a plain file: no kernel rules). */
void fake_put(const char *dir, const char *file, const char *value);
/* The whole content of a file (a static buffer), or NULL. */
char *fake_get(const char *path);
/* The hierarchy (v1 controller directory) a path is in. */
const char *fake_hier(const char *path, char *out, size_t len);
/* Fills a new group (root: the hierarchy's root) with its files and defaults. */
void fake_fill(const char *dir, bool root);
/* Makes a standard v1 or v2 tree in a new temporary directory; returns its root. */
const char *fake_tree(bool v2);
/* Removes the tree. */
void fake_tree_free(void);
/* Is path the file `file` (by its last component)? */
bool fake_is(const char *path, const char *file);
/* Takes pid out of cgroup.procs of dir and of every group below it. */
void fake_drop_pid(const char *dir, const char *pid);
/* Counts a mkdir or write; true (errno EINVAL) when it is the fake_fail_at-th. */
bool fake_step_fails(const char *path);
/* Every path and content below the root, sorted: compare two with strcmp. */
char *fake_snapshot(void);
/* The content of a file given relative to the root. */
const char *fake_read(const char *rel);
/* The fake kernel's rules for a write (see above), without counting a step. */
int fake_write(const char *path, const char *value);
/* A write as the wrapped sys_write_file does it: a step that may fail, then
 * fake_write(). */
int fake_write_file(const char *path, const char *value);
/* The wrappers (weak where a test may bring its own). */
int __wrap_sys_write_file(const char *path, const char *value);
int __wrap_sys_mkdir(const char *path, mode_t mode);
int __wrap_sys_rmdir(const char *path);

#endif
