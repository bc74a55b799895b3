/* The process-event connector and the /proc scan (see procev.h). */
#include "procev.h"

#include <dirent.h>
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "proc.h"
#include "sys.h"

/* An exec storm of 10,000 processes is some 40,000 messages of ~800 bytes
 * each as the kernel counts them: room for that before ENOBUFS. */
#define PROCEV_RCVBUF (16 * 1024 * 1024)
#define PROCEV_BUF 8192

struct procev_src {
	int fd;
	int rcvbuf;
	unsigned long lost;
	bool lost_unread;
	/* events that came while procev_open() waited for the answer */
	struct procev *pending;
	size_t npending, ipending;
};

/* ---- decoding ---- */

/* The acknowledgement procev_open() waits for: the kernel answers a
 * subscription with the ack number sent + 1 (the seq it puts there is its
 * own counter on recent kernels, not ours: not compared). */
struct ack_want {
	uint32_t seq, ack;
	bool seen;
	uint32_t err;
};

static bool decode_one(const struct proc_event *pe, size_t dlen, struct procev *out)
{
	size_t need = offsetof(struct proc_event, event_data);

	memset(out, 0, sizeof(*out));
	out->ts_ns = pe->timestamp_ns;
	switch (pe->what) {
	case PROC_EVENT_FORK:
		if (dlen < need + sizeof(pe->event_data.fork))
			return false;
		out->type = PROCEV_FORK;
		out->pid = pe->event_data.fork.child_pid;
		out->tgid = pe->event_data.fork.child_tgid;
		out->ppid = pe->event_data.fork.parent_pid;
		out->ptgid = pe->event_data.fork.parent_tgid;
		break;
	case PROC_EVENT_EXEC:
		if (dlen < need + sizeof(pe->event_data.exec))
			return false;
		out->type = PROCEV_EXEC;
		out->pid = pe->event_data.exec.process_pid;
		out->tgid = pe->event_data.exec.process_tgid;
		break;
	case PROC_EVENT_UID:
		if (dlen < need + sizeof(pe->event_data.id))
			return false;
		out->type = PROCEV_UID;
		out->pid = pe->event_data.id.process_pid;
		out->tgid = pe->event_data.id.process_tgid;
		out->ruid = pe->event_data.id.r.ruid;
		out->euid = pe->event_data.id.e.euid;
		break;
	case PROC_EVENT_EXIT:
		/* parent_pid/parent_tgid came in 4.x: older kernels send less */
		if (dlen < need + offsetof(struct exit_proc_event, parent_pid))
			return false;
		out->type = PROCEV_EXIT;
		out->pid = pe->event_data.exit.process_pid;
		out->tgid = pe->event_data.exit.process_tgid;
		out->exit_code = (int)pe->event_data.exit.exit_code;
		out->exit_signal = (int)pe->event_data.exit.exit_signal;
		if (dlen >= need + sizeof(pe->event_data.exit)) {
			out->ppid = pe->event_data.exit.parent_pid;
			out->ptgid = pe->event_data.exit.parent_tgid;
		}
		break;
	case PROC_EVENT_COMM:
		if (dlen < need + sizeof(pe->event_data.comm))
			return false;
		out->type = PROCEV_COMM;
		out->pid = pe->event_data.comm.process_pid;
		out->tgid = pe->event_data.comm.process_tgid;
		memcpy(out->comm, pe->event_data.comm.comm, sizeof(out->comm) - 1);
		break;
	default:
		return false;
	}
	out->thread = out->pid != out->tgid;
	return true;
}

static size_t decode(const void *buf, size_t len, struct procev *ev, size_t max,
		     struct ack_want *ack)
{
	size_t n = 0;
	int left = (int)len;

	for (const struct nlmsghdr *nh = buf; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		struct cn_msg cn;
		struct proc_event pe;
		size_t plen = NLMSG_PAYLOAD(nh, 0), dlen;

		if (nh->nlmsg_type == NLMSG_NOOP || nh->nlmsg_type == NLMSG_ERROR ||
		    plen < sizeof(cn))
			continue;
		/* the payload is 4-byte aligned only: copy it out */
		memcpy(&cn, NLMSG_DATA(nh), sizeof(cn));
		if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
			continue;
		dlen = cn.len;
		if (dlen > plen - sizeof(cn))
			dlen = plen - sizeof(cn);
		if (dlen < offsetof(struct proc_event, event_data))
			continue;
		memset(&pe, 0, sizeof(pe));
		memcpy(&pe, (const char *)NLMSG_DATA(nh) + sizeof(cn),
		       dlen < sizeof(pe) ? dlen : sizeof(pe));
		if (pe.what == PROC_EVENT_NONE) {
			if (ack && cn.ack == ack->ack + 1) {
				ack->seen = true;
				ack->err = dlen >= offsetof(struct proc_event, event_data) +
						       sizeof(pe.event_data.ack)
						   ? pe.event_data.ack.err
						   : 0;
			}
			continue;
		}
		if (n < max && decode_one(&pe, dlen, &ev[n]))
			n++;
	}
	return n;
}

size_t procev_decode(const void *buf, size_t len, struct procev *ev, size_t max)
{
	return decode(buf, len, ev, max, NULL);
}

/* ---- the socket ---- */

static int send_op(int fd, enum proc_cn_mcast_op op, uint32_t seq, uint32_t ack)
{
	struct {
		struct nlmsghdr nh;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) msg;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = NLMSG_DONE;
	msg.nh.nlmsg_pid = (uint32_t)getpid();
	msg.cn.id.idx = CN_IDX_PROC;
	msg.cn.id.val = CN_VAL_PROC;
	msg.cn.seq = seq;
	msg.cn.ack = ack;
	msg.cn.len = sizeof(op);
	msg.op = op;
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/* One datagram, from the kernel only (port 0: a process could send to our
 * port and make up events). 0: nothing now; -1 with errno (ENOBUFS). */
static ssize_t recv_kernel(int fd, void *buf, size_t len)
{
	for (;;) {
		struct sockaddr_nl from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (fl == sizeof(from) && from.nl_pid == 0)
			return n;
	}
}

static void set_rcvbuf(struct procev_src *s)
{
	int want = PROCEV_RCVBUF;
	socklen_t l = sizeof(s->rcvbuf);

	/* FORCE passes net.core.rmem_max (root only); plain SO_RCVBUF is capped by it */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &l) < 0)
		s->rcvbuf = 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int keep_pending(struct procev_src *s, const struct procev *ev, size_t n)
{
	struct procev *v;

	if (!n)
		return 0;
	v = realloc(s->pending, (s->npending + n) * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v + s->npending, ev, n * sizeof(*v));
	s->pending = v;
	s->npending += n;
	return 0;
}

/* Reads until the kernel's answer to the subscription comes or the time is up. */
static int wait_ack(struct procev_src *s, struct ack_want *ack, int timeout_ms, cg_err *e)
{
	long end = now_ms() + timeout_ms;
	char buf[PROCEV_BUF] __attribute__((aligned(8)));
	struct procev ev[PROCEV_BUF / 64];

	while (!ack->seen) {
		long left = end - now_ms();
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return cg_err_sys(e, "process events: poll");
		while (!ack->seen && (n = recv_kernel(s->fd, buf, sizeof(buf))) != 0) {
			if (n < 0) {
				if (errno != ENOBUFS)
					return cg_err_sys(e, "process events: recv");
				s->lost++;
				s->lost_unread = true;
				continue;
			}
			if (keep_pending(s, ev, decode(buf, (size_t)n, ev, sizeof(ev) / sizeof(ev[0]), ack)) < 0)
				return cg_err_set(e, ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* Why the kernel said nothing: name the namespace that makes it ignore us. */
static const char *silence_reason(void)
{
	char map[256] = "", st[4096];
	const char *ns;
	int a, b;
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (f) {
		if (!fgets(map, sizeof(map), f))
			map[0] = '\0';
		fclose(f);
	}
	if (map[0] && !strstr(map, "4294967295"))
		return "this process is in a user namespace other than the host's "
		       "(a container, unshare -U), and the kernel ignores subscriptions from there";
	if (sys_read_file("/proc/self/status", st, sizeof(st)) >= 0 &&
	    (ns = strstr(st, "\nNSpid:")) && sscanf(ns + 7, "%d %d", &a, &b) == 2)
		return "this process is in a pid namespace other than the host's "
		       "(a container, unshare -p), and the kernel ignores subscriptions from there";
	return "the kernel ignores subscriptions from a user or pid namespace other than "
	       "the host's (a container?), or it lacks CONFIG_PROC_EVENTS";
}

int procev_open(struct procev_src **out, int timeout_ms, cg_err *e)
{
	struct procev_src *s;
	struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	struct ack_want ack;
	struct timespec ts;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return cg_err_set(e, ENOMEM, "out of memory");
	s->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (s->fd < 0) {
		cg_err_sys(e, "process events: netlink connector socket (kernel without "
			      "CONFIG_CONNECTOR?)");
		procev_close(s);
		return -1;
	}
	set_rcvbuf(s);
	if (bind(s->fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		cg_err_sys(e, "process events: joining the connector's process group "
			      "(before Linux 6.6 this needs root)");
		procev_close(s);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ack.seq = (uint32_t)getpid() ^ (uint32_t)ts.tv_nsec;
	ack.ack = (uint32_t)ts.tv_sec ^ 0x63676b74U;
	ack.seen = false;
	ack.err = 0;
	if (send_op(s->fd, PROC_CN_MCAST_LISTEN, ack.seq, ack.ack) < 0) {
		cg_err_sys(e, "process events: subscribing");
		procev_close(s);
		return -1;
	}
	if (wait_ack(s, &ack, timeout_ms > 0 ? timeout_ms : 500, e) < 0) {
		procev_close(s);
		return -1;
	}
	if (!ack.seen || ack.err) {
		if (!ack.seen)
			cg_err_set(e, ENOTSUP, "process events: no answer from the kernel to the "
					       "subscription within %d ms: %s",
				   timeout_ms > 0 ? timeout_ms : 500, silence_reason());
		else
			cg_err_set(e, (int)ack.err, "process events: the kernel refused the "
						    "subscription: %s (before Linux 6.6 this needs root)",
				   strerror((int)ack.err));
		procev_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int procev_fd(const struct procev_src *s)
{
	return s->fd;
}

unsigned long procev_lost(const struct procev_src *s)
{
	return s->lost;
}

int procev_rcvbuf(const struct procev_src *s)
{
	return s->rcvbuf;
}

ssize_t procev_read(struct procev_src *s, struct procev *ev, size_t max, bool *lost, cg_err *e)
{
	char buf[PROCEV_BUF] __attribute__((aligned(8)));
	size_t n = 0;

	*lost = s->lost_unread;
	s->lost_unread = false;
	while (n < max && s->ipending < s->npending)
		ev[n++] = s->pending[s->ipending++];
	if (s->ipending == s->npending && s->pending) {
		free(s->pending);
		s->pending = NULL;
		s->npending = s->ipending = 0;
	}
	/* a datagram holds one event (the kernel sends each alone): stop
	 * while there is room for a whole one */
	while (n < max) {
		ssize_t r = recv_kernel(s->fd, buf, sizeof(buf));

		if (r == 0)
			break;
		if (r < 0) {
			if (errno != ENOBUFS)
				return cg_err_sys(e, "process events: recv");
			s->lost++;
			*lost = true;
			continue;
		}
		n += decode(buf, (size_t)r, ev + n, max - n, NULL);
	}
	return (ssize_t)n;
}

void procev_close(struct procev_src *s)
{
	if (!s)
		return;
	if (s->fd >= 0) {
		/* tell the kernel one listener fewer: it stops making events when none is left */
		send_op(s->fd, PROC_CN_MCAST_IGNORE, 0, 0);
		close(s->fd);
	}
	free(s->pending);
	free(s);
}

/* ---- the scan of /proc ---- */

void procscan_free(struct procscan *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].exe);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* One process into the list; 0 also when it is gone or a kernel thread. */
static int scan_one(struct procscan *out, pid_t pid, unsigned what, cg_err *e)
{
	struct cg_proc_stat st;
	struct procscan_ent *x;
	cg_err ignore;

	if (cg_proc_stat(pid, &st, &ignore) < 0 || (st.flags & CG_PF_KTHREAD))
		return 0;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 256;
		struct procscan_ent *v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return cg_err_set(e, ENOMEM, "out of memory");
		out->v = v;
		out->cap = cap;
	}
	x = &out->v[out->n];
	memset(x, 0, sizeof(*x));
	x->pid = pid;
	x->ppid = st.ppid;
	x->start = st.start;
	memcpy(x->comm, st.comm, sizeof(x->comm));
	x->ruid = x->euid = (uid_t)-1;
	if ((what & PROCSCAN_UID) && proc_uids(pid, &x->ruid, &x->euid, &ignore) < 0)
		return 0;   /* gone meanwhile */
	if (what & PROCSCAN_EXE) {
		char exe[4096];

		if (proc_exe(pid, exe, sizeof(exe), &ignore) == 0) {
			x->exe = strdup(exe);
			if (!x->exe)
				return cg_err_set(e, ENOMEM, "out of memory");
		} else if (ignore.errnum == ESRCH) {
			return 0;
		}
	}
	out->n++;
	return 0;
}

int procev_scan(struct procscan *out, unsigned what, cg_err *e)
{
	_cleanup_closedir_ DIR *d = opendir(cg_proc_root);
	struct dirent *de;

	memset(out, 0, sizeof(*out));
	if (!d)
		return cg_err_sys(e, "%s", cg_proc_root);
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (pid <= 0 || *end)
			continue;
		if (scan_one(out, (pid_t)pid, what, e) < 0) {
			procscan_free(out);
			return -1;
		}
	}
	return 0;
}
