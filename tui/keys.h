/* The key bindings (keys.c): one table, each key an action that says what
 * must be redone (CGTOP_*), also shown as the help screen. */
#ifndef CGTOP_KEYS_H
#define CGTOP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "cgtop.h"

struct key_binding {
	int key;
	const char *keyname;
	const char *help;
	unsigned (*run)(struct cgtop *t);
	unsigned modes;           /* 1 << enum cgtop_mode where it works */
};
extern const struct key_binding key_bindings[];
extern const size_t n_key_bindings;
/* Runs the binding for key in the current mode; what to redo (0 when
 * there is none). */
unsigned keys_dispatch(struct cgtop *t, int key);
/* The help lines (key names, what they do), at most max; returns how many. */
size_t keys_help(const char *(*out)[2], size_t max);

#endif
