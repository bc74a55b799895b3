#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void vset(cg_err *e, int errnum, const char *fmt, va_list ap)
{
	e->errnum = errnum;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int cg_err_set(cg_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vset(e, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int cg_err_sys(cg_err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vset(e, saved, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

void cg_err_prefix(cg_err *e, const char *fmt, ...)
{
	char head[CG_ERR_MSG_MAX];
	char old[CG_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	size_t hl;

	memcpy(old, e->msg, sizeof(old));
	hl = strlen(head);
	if (hl > sizeof(e->msg) - 3)
		hl = sizeof(e->msg) - 3;
	memcpy(e->msg, head, hl);
	memcpy(e->msg + hl, ": ", 2);
	snprintf(e->msg + hl + 2, sizeof(e->msg) - hl - 2, "%.*s", (int)(sizeof(e->msg) - hl - 3), old);
}

void cg_err_clear(cg_err *e)
{
	if (!e)
		return;
	e->errnum = 0;
	e->msg[0] = '\0';
}
