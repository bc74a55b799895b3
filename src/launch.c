/* Placeholder until the launcher lands (issue 4). */
#include "launch.h"

#include <stdio.h>

int launch_run(const struct launch_opts *o)
{
	(void)o;
	fprintf(stderr, "cgrun: launching a command is not there yet\n");
	return CGRUN_EXIT_FAIL;
}

int launch_move_pid(const struct launch_opts *o)
{
	(void)o;
	fprintf(stderr, "cgrun: --pid is not there yet\n");
	return CGRUN_EXIT_FAIL;
}

int launch_gc(const struct launch_opts *o)
{
	(void)o;
	fprintf(stderr, "cgrun: --gc is not there yet\n");
	return CGRUN_EXIT_FAIL;
}
