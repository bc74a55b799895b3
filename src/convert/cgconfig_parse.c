/* The tokenizer and parser of cgconfig.conf(5): comments (#), words, quoted
 * strings, braces, '=' and ';', into a tree of blocks and settings. It knows
 * the shape of the file, not what its sections mean (cgconfig.c does). */
#include "cgconfig.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_END, T_WORD, T_LBRACE, T_RBRACE, T_SEMI, T_EQ, T_ERR };

struct tok {
	enum tok_kind kind;
	char *text; /* T_WORD: the word or the string's contents */
	bool quoted;
	int line, col;
};

struct lexer {
	const char *buf;
	size_t len, pos;
	int line, col;
	struct diags *d;
	struct tok cur; /* the token looked at */
};

static void lex_advance_byte(struct lexer *lx)
{
	unsigned char c = (unsigned char)lx->buf[lx->pos++];

	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		lx->col++; /* columns count characters: UTF-8 continuation bytes do not */
	}
}

static bool word_byte(char c)
{
	return c && !strchr(" \t\r\n\v\f{};=\"#", c);
}

static void lex_error(struct lexer *lx, int line, int col, const char *msg)
{
	diags_error(lx->d, line, col, NULL, "%s", msg);
	lx->cur.kind = T_ERR;
}

/* A quoted string: "..." with \" and \\ as escapes; it may span lines. */
static void lex_string(struct lexer *lx)
{
	int line = lx->line, col = lx->col;
	size_t n = 0;
	char *s = malloc(lx->len - lx->pos + 1);

	if (!s) {
		lex_error(lx, line, col, "out of memory");
		return;
	}
	lex_advance_byte(lx);
	while (lx->pos < lx->len && lx->buf[lx->pos] != '"') {
		if (!lx->buf[lx->pos]) {
			free(s);
			lex_error(lx, lx->line, lx->col,
				  "a NUL byte in a quoted string: the file is not text");
			return;
		}
		if (lx->buf[lx->pos] == '\\' && lx->pos + 1 < lx->len &&
		    (lx->buf[lx->pos + 1] == '"' || lx->buf[lx->pos + 1] == '\\'))
			lex_advance_byte(lx);
		s[n++] = lx->buf[lx->pos];
		lex_advance_byte(lx);
	}
	if (lx->pos >= lx->len) {
		free(s);
		lex_error(lx, line, col,
			  "a quoted string is not closed: end it with '\"' before the end of the "
			  "file");
		return;
	}
	lex_advance_byte(lx);
	s[n] = '\0';
	lx->cur = (struct tok){T_WORD, s, true, line, col};
}

static void lex_next(struct lexer *lx)
{
	free(lx->cur.text);
	lx->cur = (struct tok){T_END, NULL, false, 0, 0};
	for (;;) {
		while (lx->pos < lx->len && strchr(" \t\r\n\v\f", lx->buf[lx->pos]) &&
		       lx->buf[lx->pos])
			lex_advance_byte(lx);
		if (lx->pos < lx->len && lx->buf[lx->pos] == '#') {
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lex_advance_byte(lx);
			continue;
		}
		break;
	}
	lx->cur.line = lx->line;
	lx->cur.col = lx->col;
	if (lx->pos >= lx->len)
		return;
	switch (lx->buf[lx->pos]) {
	case '\0':
		lex_error(lx, lx->line, lx->col, "a NUL byte: the file is not text");
		return;
	case '"':
		lex_string(lx);
		return;
	case '{':
		lx->cur.kind = T_LBRACE;
		break;
	case '}':
		lx->cur.kind = T_RBRACE;
		break;
	case ';':
		lx->cur.kind = T_SEMI;
		break;
	case '=':
		lx->cur.kind = T_EQ;
		break;
	default: {
		size_t start = lx->pos;

		while (lx->pos < lx->len && word_byte(lx->buf[lx->pos]))
			lex_advance_byte(lx);
		lx->cur.kind = T_WORD;
		lx->cur.text = strndup(lx->buf + start, lx->pos - start);
		if (!lx->cur.text)
			lex_error(lx, lx->cur.line, lx->cur.col, "out of memory");
		return;
	}
	}
	lex_advance_byte(lx);
}

static const char *tok_name(const struct tok *t)
{
	switch (t->kind) {
	case T_END:
		return "the end of the file";
	case T_WORD:
		return t->quoted ? "a quoted string" : "a word";
	case T_LBRACE:
		return "'{'";
	case T_RBRACE:
		return "'}'";
	case T_SEMI:
		return "';'";
	case T_EQ:
		return "'='";
	default:
		return "an error";
	}
}

static void parse_error(struct lexer *lx, const char *expected)
{
	if (lx->cur.kind == T_ERR)
		return;
	diags_error(lx->d, lx->cur.line, lx->cur.col, NULL, "expected %s, found %s", expected,
		    tok_name(&lx->cur));
	lx->cur.kind = T_ERR;
}

static struct cgc_node *add_kid(struct cgc_node *b)
{
	struct cgc_node *k;

	if (!(b->n_kids & (b->n_kids - 1))) { /* 0, 1, 2, 4, ...: room doubles */
		k = realloc(b->kids, (b->n_kids ? b->n_kids * 2 : 1) * sizeof(*k));
		if (!k)
			return NULL;
		b->kids = k;
	}
	k = &b->kids[b->n_kids++];
	memset(k, 0, sizeof(*k));
	return k;
}

/* Takes the current word's text. */
static char *take_word(struct lexer *lx)
{
	char *s = lx->cur.text;

	lx->cur.text = NULL;
	return s;
}

static int parse_items(struct lexer *lx, struct cgc_node *block, int depth, int bline, int bcol);

/* After WORD: `= VALUE ;`, `{ ... }` or `ARG { ... }`. */
static int parse_item(struct lexer *lx, struct cgc_node *n, int depth)
{
	int bline, bcol;

	n->line = lx->cur.line;
	n->col = lx->cur.col;
	n->word = take_word(lx);
	lex_next(lx);
	if (lx->cur.kind == T_EQ) {
		lex_next(lx);
		if (lx->cur.kind != T_WORD) {
			parse_error(lx, "a value after '='");
			return -1;
		}
		n->vline = lx->cur.line;
		n->vcol = lx->cur.col;
		n->value = take_word(lx);
		lex_next(lx);
		if (lx->cur.kind == T_SEMI) {
			lex_next(lx);
			return 0;
		}
		if (lx->cur.kind == T_RBRACE) /* the last setting of a block may omit it */
			return 0;
		parse_error(lx, "';' after the value");
		return -1;
	}
	if (lx->cur.kind == T_WORD) {
		n->vline = lx->cur.line;
		n->vcol = lx->cur.col;
		n->arg = take_word(lx);
		lex_next(lx);
	}
	if (lx->cur.kind != T_LBRACE) {
		parse_error(lx, n->arg ? "'{' after the name" : "'=' or '{' after the word");
		return -1;
	}
	if (depth + 1 > CGC_MAX_DEPTH) {
		diags_error(lx->d, lx->cur.line, lx->cur.col, NULL,
			    "blocks nested deeper than %d: cgconfig.conf needs 3 "
			    "(group { perm { task { } } })",
			    CGC_MAX_DEPTH);
		lx->cur.kind = T_ERR;
		return -1;
	}
	bline = lx->cur.line;
	bcol = lx->cur.col;
	lex_next(lx);
	if (parse_items(lx, n, depth + 1, bline, bcol) < 0)
		return -1;
	lex_next(lx); /* the '}' */
	return 0;
}

/* The items of a block opened at bline:bcol (0: the file's top level). */
static int parse_items(struct lexer *lx, struct cgc_node *block, int depth, int bline, int bcol)
{
	bool top = bline == 0;

	for (;;) {
		struct cgc_node *n;

		if (lx->cur.kind == T_ERR)
			return -1;
		if (lx->cur.kind == T_END) {
			if (top)
				return 0;
			diags_error(lx->d, bline, bcol, NULL,
				    "this block is not closed: add a '}' for this '{'");
			return -1;
		}
		if (lx->cur.kind == T_RBRACE) {
			if (!top)
				return 0;
			parse_error(lx, "a section (group, template, mount or default)");
			return -1;
		}
		if (lx->cur.kind != T_WORD) {
			parse_error(lx, top ? "a section (group, template, mount or default)"
					    : "a setting (KEY = VALUE;) or a block");
			return -1;
		}
		n = add_kid(block);
		if (!n) {
			diags_error(lx->d, lx->cur.line, lx->cur.col, NULL, "out of memory");
			return -1;
		}
		if (parse_item(lx, n, depth) < 0)
			return -1;
	}
}

static void node_free(struct cgc_node *n)
{
	for (size_t i = 0; i < n->n_kids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->word);
	free(n->arg);
	free(n->value);
}

void cgc_free(struct cgc_node *root)
{
	if (!root)
		return;
	node_free(root);
	free(root);
}

struct cgc_node *cgc_parse(const char *buf, size_t len, struct diags *d)
{
	struct lexer lx = {.buf = buf, .len = len, .line = 1, .col = 1, .d = d};
	struct cgc_node *root;

	if (len > CGC_MAX_BYTES) {
		diags_error(d, 0, 0, NULL, "the file is over 1 MiB: is it a cgconfig.conf?");
		return NULL;
	}
	root = calloc(1, sizeof(*root));
	if (!root) {
		diags_error(d, 0, 0, NULL, "out of memory");
		return NULL;
	}
	lex_next(&lx);
	if (parse_items(&lx, root, 0, 0, 0) < 0) {
		free(lx.cur.text);
		cgc_free(root);
		return NULL;
	}
	free(lx.cur.text);
	return root;
}
