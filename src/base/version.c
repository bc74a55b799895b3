/* The version and the installed paths: the only file built with them
 * (-DCGKIT_VERSION, -DCGKIT_PREFIX from the Makefile). */
#include "version.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef CGKIT_VERSION
#error "CGKIT_VERSION comes from the Makefile (the VERSION file)"
#endif
#ifndef CGKIT_PREFIX
#error "CGKIT_PREFIX comes from the Makefile (PREFIX)"
#endif

const char cgkit_version[] = CGKIT_VERSION;
const char cgkit_profiles_dir[] = CGKIT_PREFIX "/share/cgkit/profiles";

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cgkit_profile_find(const char *name, char *out, size_t len, cg_err *e)
{
	const char *const dirs[] = {".", CGKIT_ETC_PROFILES_DIR, cgkit_profiles_dir};
	size_t n = strlen(name);
	int yaml = n > 5 && strcmp(name + n - 5, ".yaml") == 0;

	if (strchr(name, '/')) {
		if ((size_t)snprintf(out, len, "%s", name) >= len)
			return cg_err_set(e, 0, "profile path too long: %s", name);
		return 0;
	}
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return cg_err_set(e, 0, "'%s' is not a profile name", name);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* ./NAME as the user typed it; elsewhere DIR/NAME */
		const char *sep = i == 0 ? "" : "/";
		const char *dir = i == 0 ? "" : dirs[i];

		if ((size_t)snprintf(out, len, "%s%s%s", dir, sep, name) < len && is_file(out))
			return 0;
		if (!yaml && (size_t)snprintf(out, len, "%s%s%s.yaml", dir, sep, name) < len &&
		    is_file(out))
			return 0;
	}
	return cg_err_set(e, 0,
			  "profile '%s' not found: looked for %s%s in ./, %s/ and %s/ (give a path "
			  "with a '/' for a file elsewhere)",
			  name, name, yaml ? "" : " and its .yaml", CGKIT_ETC_PROFILES_DIR,
			  cgkit_profiles_dir);
}
