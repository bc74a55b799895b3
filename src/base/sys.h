/* The few system calls that touch cgroupfs, in one small file so that unit
 * tests can wrap them (-Wl,--wrap=sys_write_file) and fail them on purpose.
 * Each returns 0 (or a length) on success and -1 with errno set on failure. */
#ifndef CGKIT_SYS_H
#define CGKIT_SYS_H

#include <stddef.h>
#include <sys/types.h>

int sys_mkdir(const char *path, mode_t mode);
int sys_rmdir(const char *path);
/* Writes the whole value with one write(2), as cgroupfs wants. */
int sys_write_file(const char *path, const char *value);
/* Reads up to len-1 bytes and NUL-terminates; returns the length. */
ssize_t sys_read_file(const char *path, char *buf, size_t len);

/* ---- Processes: signals (cgops_signal.c; tests wrap them to record or fail) ---- */
int sys_kill(pid_t pid, int sig);
/* pidfd_open(2); -1 with ENOSYS on kernels before 5.3. */
int sys_pidfd_open(pid_t pid, unsigned flags);
int sys_pidfd_send_signal(int pidfd, int sig);

#endif
