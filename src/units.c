/* STUB: replaced by the parser work. */
#include "units.h"
#include <stdio.h>
int unit_parse_size(const char *s, uint64_t host_ram, bool allow_max, uint64_t *out, const char **why)
{ (void)s; (void)host_ram; (void)allow_max; (void)out; *why = "not implemented"; return -1; }
int unit_parse_duration(const char *s, uint64_t *out_us, const char **why)
{ (void)s; (void)out_us; *why = "not implemented"; return -1; }
int unit_parse_cpu(const char *s, uint64_t *out_ucpu, const char **why)
{ (void)s; (void)out_ucpu; *why = "not implemented"; return -1; }
int unit_parse_uint(const char *s, uint64_t *out, const char **why)
{ (void)s; (void)out; *why = "not implemented"; return -1; }
int unit_parse_list(const char *s, unsigned max_id, char *out, size_t outlen, const char **why)
{ (void)s; (void)max_id; (void)out; (void)outlen; *why = "not implemented"; return -1; }
void unit_format_size(uint64_t bytes, char *out, size_t outlen) { snprintf(out, outlen, "%llu", (unsigned long long)bytes); }
void unit_format_duration(uint64_t us, char *out, size_t outlen) { snprintf(out, outlen, "%llu", (unsigned long long)us); }
