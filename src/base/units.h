/* Units of the profile format: pure conversions, no I/O.
 * Each returns 0 and the value, or -1 with a short reason in *why
 * (a string saying what would be right, valid until the next call in the
 * same thread). */
#ifndef CGKIT_UNITS_H
#define CGKIT_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNIT_MAX UINT64_MAX   /* "max" */

/* "536870912", "512M", "1.5G", "512MiB", "64k"; "N%" of host_ram when
 * host_ram != 0; "max" -> UNIT_MAX when allow_max. */
int unit_parse_size(const char *s, uint64_t host_ram, bool allow_max, uint64_t *out,
		    const char **why);
/* "100000" (us), "100ms", "0.1s", "250us" -> microseconds. */
int unit_parse_duration(const char *s, uint64_t *out_us, const char **why);
/* The durations of cgkitd's rules: "200ms", "30s", "5m", "1.5h", "7d" ->
 * microseconds; a unit is required (except for 0), m is minutes. */
int unit_parse_span(const char *s, uint64_t *out_us, const char **why);
/* "20%", "0.2", "200m", "max" -> micro-cpus (1 cpu = 1000000), UNIT_MAX for max. */
int unit_parse_cpu(const char *s, uint64_t *out_ucpu, const char **why);
/* Plain non-negative integer. */
int unit_parse_uint(const char *s, uint64_t *out, const char **why);
/* Kernel list syntax "0-3,6": checks it and writes a normalised copy
 * (sorted, merged ranges) into out. max_id bounds the ids (inclusive). */
int unit_parse_list(const char *s, unsigned max_id, char *out, size_t outlen,
		    const char **why);
/* The host's memory page size (the kernel keeps memory limits in pages). */
uint64_t unit_page_size(void);
/* A memory limit above 0 and under one page, which the kernel would round
 * to 0 (a limit of nothing): -1 with why ("is below one page (4096 bytes):
 * the kernel would round it to 0; write at least 4K"); else 0. */
int unit_check_mem_size(uint64_t bytes, uint64_t page, const char **why);
/* A size as a profile writes it, in the largest unit that keeps it exact
 * (1G, 512M, 1536K, 4097 for bytes): never rounded. */
void unit_format_exact(uint64_t bytes, char *out, size_t outlen);
/* Human size for messages and --show: "64M", "1.5G", "512". */
void unit_format_size(uint64_t bytes, char *out, size_t outlen);
void unit_format_duration(uint64_t us, char *out, size_t outlen);

#endif
