/* libFuzzer target for libcgroup's two files: any bytes go to the
 * cgconfig.conf tokenizer, parser and converter (each group parsed again as
 * a profile), and to the cgrules.conf converter (its output parsed as a
 * rules file); ASan/UBSan (make fuzz) catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cgconfig.h"
#include "convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct convert_sink docs = {0};
	struct diags d;
	cg_err e = {0};
	char *yaml = NULL;

	if (!sink)
		sink = fopen("/dev/null", "w");
	diags_init(&d, "fuzz.conf");
	(void)cgconfig_convert((const char *)data, size, "fuzz.conf", &d, &docs, &e);
	if (sink) {
		diags_print(&d, sink);
		for (size_t i = 0; i < docs.n_docs; i++)
			fputs(docs.docs[i].text, sink);
	}
	convert_sink_free(&docs);
	diags_init(&d, "fuzz.rules");
	(void)cgrules_convert((const char *)data, size, "fuzz.rules", &d, &yaml);
	if (sink)
		diags_print(&d, sink);
	free(yaml);
	return 0;
}
