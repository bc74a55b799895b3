/* libFuzzer target for the profile parser: any bytes go to profile_parse,
 * whatever it returns is freed; ASan/UBSan (make fuzz) catch the rest.
 * Diagnostics are also printed, to a sink, so that their formatting runs. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	const struct profile_opts opts = {.host_ram = 8ULL << 30};
	struct diags d;
	struct profile *p;

	if (!sink)
		sink = fopen("/dev/null", "w");
	diags_init(&d, "fuzz.yaml");
	p = profile_parse((const char *)data, size, "fuzz.yaml", &opts, &d);
	if (sink)
		diags_print(&d, sink);
	if (p) {
		const struct group_spec *g;

		/* what other parts call on a parsed profile */
		(void)profile_cpu_quota_us(&p->group.cpu);
		(void)profile_cpu_period_us(&p->group.cpu);
		if (p->group.n_children && p->group.children[0].name.s)
			(void)profile_find_child(p, p->group.children[0].name.s, &g);
	}
	profile_free(p);
	return 0;
}
