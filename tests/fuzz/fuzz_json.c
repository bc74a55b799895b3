/* libFuzzer target for the JSON side of cgrun --from oci: any bytes go
 * through the strict reader (src/convert/jread.c) and, when they are JSON,
 * through the linux.resources mapping into a profile that is emitted and
 * read back; ASan/UBSan (make fuzz) catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	const struct profile_opts po = {.host_ram = 8ULL << 30};
	struct convert_sink s = {0};
	struct diags d;
	cg_err e = {0};

	if (!sink)
		sink = fopen("/dev/null", "w");
	diags_init(&d, "fuzz/config.json");
	(void)convert_oci_from_text((const char *)data, size, "fuzz/config.json", &po, &s, &d, &e);
	if (sink) {
		diags_print(&d, sink);
		for (size_t i = 0; i < s.n_docs; i++)
			fputs(s.docs[i].text, sink);
	}
	convert_sink_free(&s);
	return 0;
}
