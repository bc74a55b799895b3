/* STUB: replaced by the parser work. */
#include "profile.h"
#include <stdlib.h>
struct profile *profile_parse(const char *buf, size_t len, const char *path, const struct profile_opts *opts, struct diags *d)
{ (void)buf; (void)len; (void)path; (void)opts; diags_error(d, 0, 0, "", "parser not implemented"); return NULL; }
struct profile *profile_load(const char *path, const struct profile_opts *opts, struct diags *d)
{ return profile_parse("", 0, path, opts, d); }
void profile_free(struct profile *p) { free(p); }
const char *profile_name_invalid(const char *name) { (void)name; return "not implemented"; }
const char *profile_parent_invalid(const char *parent) { (void)parent; return "not implemented"; }
uint64_t profile_cpu_quota_us(const struct cpu_spec *cpu) { (void)cpu; return UINT64_MAX; }
uint64_t profile_cpu_period_us(const struct cpu_spec *cpu) { (void)cpu; return PROFILE_DEFAULT_PERIOD_US; }
