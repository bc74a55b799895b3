/* Command-line overrides of a profile (--name --cpu --memory --pids --cpus
 * --io-weight, checks of --parent and -g), and the profile cgrun makes when
 * there is none (`cgrun --cpu 20% -- cmd`: a group named after the command).
 * Pure: no I/O. */
#ifndef CGKIT_LAUNCH_OVERRIDE_H
#define CGKIT_LAUNCH_OVERRIDE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "launch.h"
#include "profile.h"

/* What the host offers, for checking values. */
struct override_host {
	uint64_t ram;          /* bytes, for "--memory 25%" */
	unsigned max_cpu;      /* highest cpu id for --cpus */
};

/* Applies the overrides onto p. Each bad value is an error naming the
 * option, the value and what would be right. */
int launch_apply_overrides(struct profile *p, const struct launch_overrides *ov,
			   const struct override_host *h, cg_err *e);

/* A profile with no limits, named after the command (its base name, with
 * characters a group name cannot hold replaced by '_'); parent "cgkit". */
struct profile *launch_profile_for_command(const char *cmd, cg_err *e);

/* The group name for a command: "/usr/bin/python3" -> "python3". */
void launch_name_from_command(const char *cmd, char *out, size_t len);

#endif
