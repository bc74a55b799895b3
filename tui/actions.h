/* What cgtop's keys do to a group (actions.c): each asks first, says what
 * it did (or why not) in t->msg, and returns what must be redone. */
#ifndef CGTOP_ACTIONS_H
#define CGTOP_ACTIONS_H

#include "cgtop.h"

unsigned action_signal(struct cgtop *t);
unsigned action_freeze(struct cgtop *t);
unsigned action_edit_limit(struct cgtop *t);
unsigned action_cap(struct cgtop *t);

#endif
