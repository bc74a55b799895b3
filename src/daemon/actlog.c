/* cgkitd's action log and notify command (see actlog.h). */
#include "actlog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "sys.h"

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int actlog_open(struct actlog *lg, const char *path, bool dry_run, cg_err *e)
{
	char dir[PATH_MAX], *slash;

	memset(lg, 0, sizeof(*lg));
	lg->fd = -1;
	lg->dry_run = dry_run;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir) < 0)
			return cg_err_sys(e, "making the log's directory %s", dir);
	}
	lg->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (lg->fd < 0)
		return cg_err_sys(e, "opening the action log %s", path);
	lg->path = strdup(path);
	if (!lg->path) {
		close(lg->fd);
		lg->fd = -1;
		return cg_err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

void actlog_close(struct actlog *lg)
{
	for (size_t i = 0; i < lg->n_kids; i++)
		close(lg->kids[i].pidfd);
	lg->n_kids = 0;
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = -1;
	free(lg->path);
	lg->path = NULL;
}

char *actlog_format(const struct actlog *lg, const struct actlog_entry *en)
{
	struct json j;
	char action[64];
	const char *t;
	char *out = NULL;
	size_t len;

	snprintf(action, sizeof(action), "%s%s", lg->dry_run ? "would-" : "", en->action);
	json_init(&j);
	json_obj_begin(&j);
	json_key(&j, "time");
	json_time(&j, en->time);
	json_key(&j, "action");
	json_str(&j, action);
	json_key(&j, "rule");
	json_str(&j, en->rule);
	json_key(&j, "scope");
	json_str(&j, en->scope);
	json_key(&j, "user");
	json_str(&j, en->user);
	json_key(&j, "uid");
	json_uint(&j, en->uid);
	json_key(&j, "pid");
	if (en->pid > 0)
		json_int(&j, en->pid);
	else
		json_null(&j);
	json_key(&j, "comm");
	json_str(&j, en->comm);
	json_key(&j, "exe");
	json_str(&j, en->exe);
	json_key(&j, "offence");
	if (en->offence)
		json_uint(&j, en->offence);
	else
		json_null(&j);
	json_key(&j, "measures");
	json_obj_begin(&j);
	for (int m = 0; m < JM_N; m++)
		if (!isnan(en->measures[m])) {
			json_key(&j, judge_measure_name((enum judge_measure)m));
			json_double(&j, en->measures[m]);
		}
	json_obj_end(&j);
	json_key(&j, "limits");
	/* the limits text is JSON already: spliced in after the key */
	if (!en->limits)
		json_null(&j);
	else
		json_str(&j, "\x01");
	json_key(&j, "until");
	if (en->until)
		json_time(&j, en->until);
	else
		json_null(&j);
	json_key(&j, "groups");
	json_arr_begin(&j);
	for (const char *s = en->groups; s && *s;) {
		size_t n = strcspn(s, ",");

		json_strn(&j, s, n);
		s += n;
		s += *s == ',';
	}
	json_arr_end(&j);
	if (en->why) {
		json_key(&j, "why");
		json_str(&j, en->why);
	}
	if (en->error) {
		json_key(&j, "error");
		json_str(&j, en->error);
	}
	json_obj_end(&j);
	t = json_text(&j, &len);
	if (t) {
		const char *mark = en->limits ? strstr(t, "\"\\u0001\"") : NULL;

		if (mark) {
			size_t pre = (size_t)(mark - t), ll = strlen(en->limits);

			out = malloc(len + ll + 2);
			if (out) {
				memcpy(out, t, pre);
				memcpy(out + pre, en->limits, ll);
				snprintf(out + pre + ll, len - pre - 8 + 2, "%s\n", mark + 8);
			}
		} else if ((out = malloc(len + 2))) {
			memcpy(out, t, len);
			memcpy(out + len, "\n", 2);
		}
	}
	json_free(&j);
	return out;
}

static void notify_run(struct actlog *lg, const char *cmd, const char *line)
{
	int p[2];
	pid_t pid;
	int fd;
	struct actlog_child *k;

	if (lg->n_kids >= ACTLOG_CHILDREN_MAX) {
		fprintf(stderr, "cgkitd: notify %s not run: %d are still running\n", cmd,
			ACTLOG_CHILDREN_MAX);
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "cgkitd: notify %s: pipe: %s\n", cmd, strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cgkitd: notify %s: fork: %s\n", cmd, strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		dup2(p[0], 0);
		execl(cmd, cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* one line fits in the pipe (64 KiB): no wait here */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	if (write(p[1], line, strlen(line)) < 0)
		fprintf(stderr, "cgkitd: notify %s: writing its stdin: %s\n", cmd, strerror(errno));
	close(p[1]);
	fd = sys_pidfd_open(pid, 0);
	k = &lg->kids[lg->n_kids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->pidfd = fd;
	snprintf(k->cmd, sizeof(k->cmd), "%s", cmd);
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		k->deadline = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000 +
			      ACTLOG_NOTIFY_TIMEOUT_US;
	}
}

void actlog_write(struct actlog *lg, const struct actlog_entry *en, const char *notify)
{
	char *line = actlog_format(lg, en);
	size_t len;

	if (!line) {
		fprintf(stderr, "cgkitd: the action log: out of memory\n");
		return;
	}
	len = strlen(line);
	/* one line a penalty for the journal; a process put into its user's
	 * group is too common to say there (the action log has it) */
	if (strcmp(en->action, "classify") != 0)
		fprintf(stderr, "cgkitd: %s%s rule=%s %s=%s%s%s pid=%d%s%s\n", lg->dry_run ? "would-" : "",
		en->action, en->rule ? en->rule : "-", "user", en->user ? en->user : "?",
		en->groups && *en->groups ? " groups=" : "", en->groups ? en->groups : "",
		(int)en->pid, en->error ? " failed: " : "", en->error ? en->error : "");
	if (lg->fd >= 0 && write(lg->fd, line, len) != (ssize_t)len)
		fprintf(stderr, "cgkitd: writing the action log %s: %s\n", lg->path, strerror(errno));
	if (notify && *notify)
		notify_run(lg, notify, line);
	free(line);
}

size_t actlog_fds(const struct actlog *lg, int *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < lg->n_kids && n < max; i++)
		if (lg->kids[i].pidfd >= 0)
			fds[n++] = lg->kids[i].pidfd;
	return n;
}

uint64_t actlog_reap(struct actlog *lg, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < lg->n_kids;) {
		struct actlog_child *k = &lg->kids[i];
		int status;
		pid_t r = waitpid(k->pid, &status, WNOHANG);

		if (r == k->pid || (r < 0 && errno == ECHILD)) {
			if (r == k->pid && k->killed)
				fprintf(stderr, "cgkitd: notify %s: killed after %llu s\n", k->cmd,
					(unsigned long long)(ACTLOG_NOTIFY_TIMEOUT_US / 1000000));
			else if (r == k->pid && WIFEXITED(status) && WEXITSTATUS(status) != 0)
				fprintf(stderr, "cgkitd: notify %s: exit status %d\n", k->cmd,
					WEXITSTATUS(status));
			else if (r == k->pid && WIFSIGNALED(status))
				fprintf(stderr, "cgkitd: notify %s: killed by signal %d\n", k->cmd,
					WTERMSIG(status));
			if (k->pidfd >= 0)
				close(k->pidfd);
			lg->kids[i] = lg->kids[--lg->n_kids];
			continue;
		}
		if (!k->killed && now >= k->deadline) {
			kill(-k->pid, SIGKILL);
			kill(k->pid, SIGKILL);
			k->killed = true;
		}
		if (!k->killed && (!next || k->deadline < next))
			next = k->deadline;
		i++;
	}
	return next;
}
