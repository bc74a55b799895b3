/* OCI: the runtime spec's linux.resources (config-linux.md). */
#include <errno.h>

#include "convert.h"

int convert_to_oci(const struct profile *p, const struct convert_opts *o, FILE *out,
		   struct diags *d, cg_err *err)
{
	(void)p, (void)o, (void)out, (void)d;
	return cg_err_set(err, ENOSYS, "not implemented yet");
}

int convert_from_oci(const char *const *files, size_t n, const struct convert_opts *o,
		     struct convert_sink *sink, struct diags *d, cg_err *err)
{
	(void)files, (void)n, (void)o, (void)sink, (void)d;
	return cg_err_set(err, ENOSYS, "not implemented yet");
}
