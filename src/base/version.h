/* The version and the installed paths, from one place: the Makefile passes
 * VERSION (the file) and PREFIX to version.c alone, so that a new version or
 * prefix rebuilds one object. */
#ifndef CGKIT_VERSION_H
#define CGKIT_VERSION_H

#include "err.h"

#include <stddef.h>

/* "0.1": the VERSION file's text. */
extern const char cgkit_version[];
/* PREFIX/share/cgkit/profiles: the profiles `make install` puts there. */
extern const char cgkit_profiles_dir[];
/* The administrator's own profiles, looked in before the installed ones. */
#define CGKIT_ETC_PROFILES_DIR "/etc/cgkit/profiles"

/* Finds a profile given by name (no '/': "web" or "web.yaml") in ./, then
 * /etc/cgkit/profiles, then the installed profiles; in each, NAME itself,
 * then NAME.yaml. A name with a '/' is a path and is returned as it is.
 * Fills out (len bytes); -1 and e naming every place looked in when none
 * holds it. */
int cgkit_profile_find(const char *name, char *out, size_t len, cg_err *e);

#endif
