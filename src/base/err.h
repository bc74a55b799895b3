/* cgkit's one error convention.
 *
 * A function that can fail returns a negative number and fills a cg_err with
 * errno (0 when the error is not a system error) and a message. Callers add
 * context with cg_err_prefix() as the error travels up; only main() prints. */
#ifndef CGKIT_ERR_H
#define CGKIT_ERR_H

#include <stdarg.h>

#define CG_ERR_MSG_MAX 1024

typedef struct cg_err {
	int errnum;                 /* errno of the failing call, or 0 */
	char msg[CG_ERR_MSG_MAX];   /* what failed and why, for a user */
} cg_err;

/* Sets the error; returns -1 so that callers can `return cg_err_set(...)`. */
int cg_err_set(cg_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with errno and ": strerror(errno)" appended to the message. */
int cg_err_sys(cg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepends "context: " to the message. */
void cg_err_prefix(cg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cg_err_clear(cg_err *e);

#endif
