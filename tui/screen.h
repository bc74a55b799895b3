/* The curses screen (screen.c): drawing, and the questions actions ask. */
#ifndef CGTOP_SCREEN_H
#define CGTOP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgtop.h"

/* Whether TERM names a terminal the screen can be drawn on (known, with
 * cursor addressing); when not, why in why. */
bool screen_usable(char *why, size_t len);
int screen_start(void);
void screen_stop(void);
/* The next key, waiting up to timeout_ms: SCREEN_NO_KEY when none came,
 * SCREEN_RESIZE when the terminal changed size. */
#define SCREEN_NO_KEY (-1)
#define SCREEN_RESIZE (-2)
int screen_key(int timeout_ms);
/* The columns that fit on the screen, and the sort key's. */
uint32_t screen_columns(const struct cgtop *t);
/* Draws everything; help: the key bindings' names and what they do. */
void screen_draw(struct cgtop *t, const char *const (*help)[2], size_t nhelp);

/* Asks for a line of text at the bottom; returns false on Escape. */
bool screen_prompt(struct cgtop *t, const char *question, char *buf, size_t len);
/* A list to choose from; returns the index or -1 on Escape. */
int screen_menu(struct cgtop *t, const char *title, const char *const *items, size_t n);
bool screen_confirm(struct cgtop *t, const char *question);

#endif
