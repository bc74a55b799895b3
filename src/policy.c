/* STUB: replaced by the cgroup layer work. */
#include "policy.h"
int policy_execute(const struct plan *pl, cg_err *e) { (void)pl; return cg_err_set(e, 0, "not implemented"); }
int policy_apply(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o, struct diags *d, cg_err *e)
{ (void)p; (void)l; (void)o; (void)d; return cg_err_set(e, 0, "not implemented"); }
int policy_remove(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o, bool force, cg_err *e)
{ (void)p; (void)l; (void)o; (void)force; return cg_err_set(e, 0, "not implemented"); }
int policy_show(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o, FILE *out, cg_err *e)
{ (void)p; (void)l; (void)o; (void)out; return cg_err_set(e, 0, "not implemented"); }
