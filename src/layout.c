/* STUB: replaced by the cgroup layer work. */
#include "layout.h"
#include <stddef.h>
const char *cg_ctrl_name(enum cg_ctrl c, bool v2) { (void)c; (void)v2; return "?"; }
const char *cg_mode_name(enum cg_mode m) { (void)m; return "?"; }
int cg_layout_parse(const char *mi, const char *pc, struct cg_layout *out, cg_err *e)
{ (void)mi; (void)pc; (void)out; return cg_err_set(e, 0, "not implemented"); }
int cg_layout_detect(struct cg_layout *out, cg_err *e) { (void)out; return cg_err_set(e, 0, "not implemented"); }
int cg_layout_standard(enum cg_mode mode, const char *root, struct cg_layout *out, cg_err *e)
{ (void)mode; (void)root; (void)out; return cg_err_set(e, 0, "not implemented"); }
void cg_layout_free(struct cg_layout *l) { (void)l; }
bool cg_layout_is_v2(const struct cg_layout *l, enum cg_ctrl c) { (void)l; (void)c; return false; }
const char *cg_layout_mount(const struct cg_layout *l, enum cg_ctrl c) { (void)l; (void)c; return NULL; }
const char *cg_layout_self(const struct cg_layout *l, enum cg_ctrl c) { (void)l; (void)c; return ""; }
