/* A struct profile written back as a profile file (docs/cgprofile.5) that
 * profile_parse() reads to an equal profile: every value exact (sizes in
 * bytes or whole K/M/G/T, cpu amounts in %, m or cpus, never rounded). */
#ifndef CGKIT_PROFILE_EMIT_H
#define CGKIT_PROFILE_EMIT_H

#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* Writes p as YAML to out; `comment` (NULL: none) opens the file as "# "
 * lines. Returns 0, or -1 when out failed (errno). */
int profile_emit(const struct profile *p, const char *comment, FILE *out);
/* The same into a string the caller frees; NULL when out of memory. */
char *profile_emit_str(const struct profile *p, const char *comment);

/* The exact texts the emitter writes, for the converters' messages too:
 * a cpu amount in micro-cpus ("150%", "250m", "0.000001"), a YAML
 * double-quoted string (sizes: units.h's unit_format_exact). */
void profile_fmt_cpu(uint64_t ucpu, char *out, size_t len);
void profile_put_quoted(const char *s, FILE *out);

#endif
