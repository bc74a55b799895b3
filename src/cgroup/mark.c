/* cgkit's marks on the group directories it made (see mark.h). */
#include "mark.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include "cleanup.h"
#include "sys.h"

bool mark_has(const char *dir, const char *value)
{
	char v[16];
	ssize_t n = getxattr(dir, MARK_XATTR, v, sizeof(v) - 1);

	if (n < 0)
		return false;
	v[n] = '\0';
	return !strcmp(v, value);
}

int mark_set(const char *dir, const char *value)
{
	return setxattr(dir, MARK_XATTR, value, strlen(value), 0);
}

void mark_clear(const char *dir)
{
	(void)removexattr(dir, MARK_XATTR);
}

void mark_remove_ancestors(const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);
	char *slash;

	while (p && (slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if (!mark_has(p, MARK_ANCESTOR) || sys_rmdir(p) < 0)
			break;
	}
}

bool mark_is_launch_leaf(const char *name)
{
	if (strncmp(name, "run-", 4) != 0 || !name[4])
		return false;
	return strspn(name + 4, "0123456789") == strlen(name + 4);
}
