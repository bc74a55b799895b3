/* libFuzzer target for cgkitd's rules parser: any bytes go to rules_parse,
 * whatever it returns is freed; ASan/UBSan (make fuzz) catch the rest.
 * Diagnostics are printed to a sink, so that their formatting runs, and a
 * parsed file goes through what the daemon calls on it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "match.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	const struct rules_opts opts = {.host_ram = 8ULL << 30, .no_pressure = size & 1};
	struct diags d;
	struct rules *r;

	if (!sink)
		sink = fopen("/dev/null", "w");
	diags_init(&d, "fuzz.yaml");
	r = rules_parse((const char *)data, size, "fuzz.yaml", &opts, &d);
	if (sink)
		diags_print(&d, sink);
	if (r) {
		char group[256];
		const char *why;

		(void)match_uid(&r->exempt.users, 1000, "alice");
		(void)match_commands(&r->exempt.commands, "/tmp/x/miner (deleted)", "miner");
		(void)match_cgroups(&r->exempt.cgroups, "/system.slice/x");
		if (r->users.present)
			(void)match_expand_group(r->users.group.s, "alice", 1000, group,
						 sizeof(group), &why);
		for (size_t i = 0; i < r->n_rules; i++) {
			(void)rules_find(r, r->rules[i].name.s);
			(void)rule_penalty_for(&r->rules[i], 7);
		}
	}
	rules_free(r);
	return 0;
}
