/* The daemon's process events and /proc readers (procev.h, proc.h, and
 * cgops' stat parser): connector messages built in memory decode into
 * events (a thread's fork says so, an exit carries its parent, the kernel's
 * acknowledgements and other connectors are skipped, a short message is
 * not read past its end); the scan of a fake /proc lists processes with
 * their uid and exe, leaves kernel threads and a process that vanished
 * out; the single readers and the pure parsers. */
#include <errno.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgops.h"
#include "proc.h"
#include "procev.h"

/* ---- connector messages, as the kernel sends them ---- */

/* Appends one netlink message holding a cn_msg and data_len bytes of pe. */
static size_t put_msg(char *buf, size_t off, unsigned idx, const struct proc_event *pe,
		      size_t data_len)
{
	struct nlmsghdr nh = { 0 };
	struct cn_msg cn = { 0 };
	size_t len = NLMSG_LENGTH(sizeof(cn) + data_len);

	nh.nlmsg_len = (uint32_t)len;
	nh.nlmsg_type = NLMSG_DONE;
	cn.id.idx = idx;
	cn.id.val = CN_VAL_PROC;
	cn.len = (uint16_t)data_len;
	memcpy(buf + off, &nh, sizeof(nh));
	memcpy(buf + off + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(buf + off + NLMSG_HDRLEN + sizeof(cn), pe, data_len);
	return off + NLMSG_ALIGN(len);
}

static struct proc_event ev_of(unsigned what, uint64_t ts)
{
	struct proc_event pe;

	memset(&pe, 0, sizeof(pe));
	pe.what = what;
	pe.timestamp_ns = ts;
	return pe;
}

static void decodes_each_kind(void **state)
{
	char buf[4096] __attribute__((aligned(8)));
	struct procev ev[8];
	struct proc_event pe;
	size_t off = 0;
	(void)state;

	pe = ev_of(PROC_EVENT_FORK, 11);
	pe.event_data.fork.parent_pid = 100;
	pe.event_data.fork.parent_tgid = 100;
	pe.event_data.fork.child_pid = 101;
	pe.event_data.fork.child_tgid = 101;
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	/* a new thread of 100 */
	pe.event_data.fork.child_pid = 102;
	pe.event_data.fork.child_tgid = 100;
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_EXEC, 12);
	pe.event_data.exec.process_pid = 101;
	pe.event_data.exec.process_tgid = 101;
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_UID, 13);
	pe.event_data.id.process_pid = 101;
	pe.event_data.id.process_tgid = 101;
	pe.event_data.id.r.ruid = 1000;
	pe.event_data.id.e.euid = 0;
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_COMM, 14);
	pe.event_data.comm.process_pid = 101;
	pe.event_data.comm.process_tgid = 101;
	memcpy(pe.event_data.comm.comm, "miner\0\0\0\0\0\0\0\0\0\0", 16);
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_EXIT, 15);
	pe.event_data.exit.process_pid = 101;
	pe.event_data.exit.process_tgid = 101;
	pe.event_data.exit.exit_code = 9;
	pe.event_data.exit.exit_signal = 17;
	pe.event_data.exit.parent_pid = 100;
	pe.event_data.exit.parent_tgid = 100;
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));

	assert_int_equal(procev_decode(buf, off, ev, 8), 6);
	assert_int_equal(ev[0].type, PROCEV_FORK);
	assert_int_equal(ev[0].ts_ns, 11);
	assert_int_equal(ev[0].pid, 101);
	assert_int_equal(ev[0].ptgid, 100);
	assert_false(ev[0].thread);
	assert_int_equal(ev[1].type, PROCEV_FORK);
	assert_true(ev[1].thread);
	assert_int_equal(ev[1].tgid, 100);
	assert_int_equal(ev[2].type, PROCEV_EXEC);
	assert_int_equal(ev[2].tgid, 101);
	assert_int_equal(ev[3].type, PROCEV_UID);
	assert_int_equal(ev[3].ruid, 1000);
	assert_int_equal(ev[3].euid, 0);
	assert_int_equal(ev[4].type, PROCEV_COMM);
	assert_string_equal(ev[4].comm, "miner");
	assert_int_equal(ev[5].type, PROCEV_EXIT);
	assert_int_equal(ev[5].exit_code, 9);
	assert_int_equal(ev[5].exit_signal, 17);
	assert_int_equal(ev[5].ppid, 100);
	assert_int_equal(ev[5].ts_ns, 15);

	/* room for two: two */
	assert_int_equal(procev_decode(buf, off, ev, 2), 2);
}

static void skips_what_is_not_an_event(void **state)
{
	char buf[4096] __attribute__((aligned(8)));
	struct procev ev[4];
	struct proc_event pe;
	size_t off = 0;
	(void)state;

	pe = ev_of(PROC_EVENT_NONE, 1);   /* the kernel's acknowledgement */
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_EXEC, 2);   /* another connector's message */
	pe.event_data.exec.process_pid = pe.event_data.exec.process_tgid = 7;
	off = put_msg(buf, off, CN_IDX_PROC + 1, &pe, sizeof(pe));
	pe = ev_of(PROC_EVENT_SID, 3);    /* not used */
	off = put_msg(buf, off, CN_IDX_PROC, &pe, sizeof(pe));
	/* an exec cut short of its pids: not read past the message */
	pe = ev_of(PROC_EVENT_EXEC, 4);
	off = put_msg(buf, off, CN_IDX_PROC, &pe, offsetof(struct proc_event, event_data) + 4);
	assert_int_equal(procev_decode(buf, off, ev, 4), 0);
	/* a truncated datagram: nothing, no crash */
	assert_int_equal(procev_decode(buf, 10, ev, 4), 0);

	/* an exit from a kernel without the parent fields is still an exit */
	off = 0;
	pe = ev_of(PROC_EVENT_EXIT, 5);
	pe.event_data.exit.process_pid = pe.event_data.exit.process_tgid = 8;
	off = put_msg(buf, off, CN_IDX_PROC, &pe,
		      offsetof(struct proc_event, event_data) +
			      offsetof(struct exit_proc_event, parent_pid));
	assert_int_equal(procev_decode(buf, off, ev, 4), 1);
	assert_int_equal(ev[0].type, PROCEV_EXIT);
	assert_int_equal(ev[0].pid, 8);
	assert_int_equal(ev[0].ppid, 0);
}

/* ---- a fake /proc ---- */

static char proc_dir[4096];

static void put(const char *dir, const char *file, const char *text)
{
	char p[8192];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A process: stat (flags kthread or not), status with uids, exe -> target. */
static void fake_proc(int pid, int ppid, const char *comm, bool kthread, unsigned ruid,
		      unsigned euid, const char *exe)
{
	char d[4200], t[1024];

	snprintf(d, sizeof(d), "%s/%d", proc_dir, pid);
	mkdir(d, 0755);
	snprintf(t, sizeof(t),
		 "%d (%s) S %d %d %d 0 -1 %lu 0 0 0 0 250 150 0 0 20 0 3 0 %d 1000 25 18446744073709551615",
		 pid, comm, ppid, pid, pid, kthread ? 0x00208040UL : 0x00400100UL, 5000 + pid);
	put(d, "stat", t);
	snprintf(t, sizeof(t), "Name:\t%s\nUmask:\t0022\nState:\tS\nUid:\t%u\t%u\t%u\t%u\n", comm,
		 ruid, euid, euid, euid);
	put(d, "status", t);
	put(d, "cgroup", "3:cpu,cpuacct:/cgkit/users/alice\n0::/user.slice/user-1000.slice\n");
	put(d, "io", "rchar: 5\nwchar: 6\nsyscr: 1\nsyscw: 1\nread_bytes: 4096\n"
		     "write_bytes: 8192\ncancelled_write_bytes: 100\n");
	if (exe) {
		char l[4300];

		snprintf(l, sizeof(l), "%s/exe", d);
		assert_int_equal(symlink(exe, l), 0);
	}
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/procev-test.XXXXXX";
	(void)state;

	assert_non_null(mkdtemp(tmpl));
	snprintf(proc_dir, sizeof(proc_dir), "%s", tmpl);
	cg_proc_root = proc_dir;
	fake_proc(1, 0, "init", false, 0, 0, "/sbin/init");
	fake_proc(2, 0, "kthreadd", true, 0, 0, NULL);
	fake_proc(40, 1, "sshd", false, 0, 0, "/usr/sbin/sshd");
	fake_proc(4001, 40, "my (odd) name", false, 1000, 1000, "/tmp/miner (deleted)");
	fake_proc(4002, 4001, "su", false, 1000, 0, "/usr/bin/su");
	/* a process gone between the readdir and the read: a directory without files */
	{
		char d[4200];

		snprintf(d, sizeof(d), "%s/4003", proc_dir);
		mkdir(d, 0755);
		snprintf(d, sizeof(d), "%s/self", proc_dir);   /* not a pid */
		mkdir(d, 0755);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[4200];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc_dir);
	assert_int_equal(system(cmd), 0);
	cg_proc_root = "/proc";
	return 0;
}

static const struct procscan_ent *find(const struct procscan *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].pid == pid)
			return &s->v[i];
	return NULL;
}

static void scan_lists_processes_not_kernel_threads(void **state)
{
	struct procscan s;
	const struct procscan_ent *x;
	cg_err e;
	(void)state;

	assert_int_equal(procev_scan(&s, PROCSCAN_UID | PROCSCAN_EXE, &e), 0);
	assert_int_equal(s.n, 4);   /* 1, 40, 4001, 4002: not kthreadd, not the vanished 4003 */
	assert_null(find(&s, 2));
	x = find(&s, 4001);
	assert_non_null(x);
	assert_int_equal(x->ppid, 40);
	assert_int_equal(x->start, 9001);
	assert_string_equal(x->comm, "my (odd) name");
	assert_int_equal(x->ruid, 1000);
	assert_string_equal(x->exe, "/tmp/miner (deleted)");
	x = find(&s, 4002);
	assert_int_equal(x->ruid, 1000);
	assert_int_equal(x->euid, 0);
	procscan_free(&s);

	/* nothing asked beyond stat: no uid, no exe */
	assert_int_equal(procev_scan(&s, 0, &e), 0);
	x = find(&s, 4002);
	assert_int_equal(x->ruid, (uid_t)-1);
	assert_null(x->exe);
	procscan_free(&s);
}

static void info_reads_what_is_asked(void **state)
{
	struct proc_info p;
	cg_err e;
	long page = sysconf(_SC_PAGESIZE), hz = sysconf(_SC_CLK_TCK);
	(void)state;

	assert_int_equal(proc_info_read(4001, PROC_STAT | PROC_UIDS | PROC_EXE | PROC_IO | PROC_CGROUP,
					&p, &e),
			 0);
	assert_int_equal(p.ppid, 40);
	assert_int_equal(p.start, 9001);
	assert_false(p.kthread);
	assert_int_equal(p.cpu_ns, (uint64_t)400 * (1000000000ULL / (uint64_t)hz));
	assert_int_equal(p.rss_bytes, (uint64_t)25 * (uint64_t)page);
	assert_int_equal(p.threads, 3);
	assert_int_equal(p.ruid, 1000);
	assert_string_equal(p.exe, "/tmp/miner (deleted)");
	assert_true(p.have_io);
	assert_int_equal(p.io_bytes, 4096 + 8192);
	assert_true(proc_cgroup_under(p.cgroup, "/cgkit/users"));
	assert_true(proc_cgroup_under(p.cgroup, "/user.slice"));
	assert_false(proc_cgroup_under(p.cgroup, "/cgkit/user"));
	assert_false(proc_cgroup_under(p.cgroup, "/system.slice"));
	proc_info_free(&p);

	/* a kernel thread: flagged, and no exe (not an error) */
	assert_int_equal(proc_info_read(2, PROC_STAT | PROC_EXE, &p, &e), 0);
	assert_true(p.kthread);
	assert_null(p.exe);
	proc_info_free(&p);

	/* gone: ESRCH, nothing held */
	assert_int_equal(proc_info_read(4003, PROC_STAT, &p, &e), -1);
	assert_int_equal(e.errnum, ESRCH);
	assert_int_equal(proc_info_read(777, PROC_UIDS, &p, &e), -1);
	assert_int_equal(e.errnum, ESRCH);
	assert_null(p.exe);
}

static void parsers(void **state)
{
	struct cg_proc_stat st;
	struct proc_cgline l;
	const char *cur = "7:freezer:/\n3:cpu,cpuacct:/a/b\n0::/u\n";
	char scratch[256];
	uid_t r, u;
	uint64_t b;
	(void)state;

	/* old kernels stop at field 22 or so: still read */
	assert_int_equal(cg_proc_stat_parse("5 (a) b) R 1 5 5 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 77",
					    &st),
			 0);
	assert_string_equal(st.comm, "a) b");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.start, 77);
	assert_int_equal(st.rss_pages, 0);
	assert_int_equal(cg_proc_stat_parse("5 (a) R 1 5", &st), -1);
	assert_int_equal(cg_proc_stat_parse("garbage", &st), -1);

	assert_int_equal(proc_parse_uids("Name:\tx\nUid:\t1\t2\t2\t2\n", &r, &u), 0);
	assert_int_equal(r, 1);
	assert_int_equal(u, 2);
	assert_int_equal(proc_parse_uids("Name:\tx\n", &r, &u), -1);
	assert_int_equal(proc_parse_io("read_bytes: 1\nwrite_bytes: 2\ncancelled_write_bytes: 9\n", &b), 0);
	assert_int_equal(b, 3);
	assert_int_equal(proc_parse_io("cancelled_write_bytes: 9\n", &b), -1);

	assert_int_equal(proc_cgroup_next(&cur, &l, scratch, sizeof(scratch)), 1);
	assert_string_equal(l.ctrls, "freezer");
	assert_int_equal(proc_cgroup_next(&cur, &l, scratch, sizeof(scratch)), 1);
	assert_int_equal(l.id, 3);
	assert_string_equal(l.path, "/a/b");
	assert_int_equal(proc_cgroup_next(&cur, &l, scratch, sizeof(scratch)), 1);
	assert_string_equal(l.ctrls, "");
	assert_string_equal(l.path, "/u");
	assert_int_equal(proc_cgroup_next(&cur, &l, scratch, sizeof(scratch)), 0);
	assert_true(proc_cgroup_under("0::/\n", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_each_kind),
		cmocka_unit_test(skips_what_is_not_an_event),
		cmocka_unit_test_setup_teardown(scan_lists_processes_not_kernel_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(info_reads_what_is_asked, setup, teardown),
		cmocka_unit_test(parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
