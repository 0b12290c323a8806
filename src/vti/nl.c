/* One rtnetlink round trip per call over libmnl, with the kernel's extended ack text. */
#include "vti/nl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static void vti_vfmt(char *err, size_t errlen, int errnum, bool with_errno, const char *fmt,
                     va_list ap)
{
	if (!err || errlen == 0)
		return;
	int n = vsnprintf(err, errlen, fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", strerror(errnum));
}

int vti_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vti_vfmt(err, errlen, errnum, true, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

int vti_failmsg(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vti_vfmt(err, errlen, errnum, false, fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

bool vti_nl_fixed(const struct nlmsghdr *nlh, void *out, size_t len)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN || mnl_nlmsg_get_payload_len(nlh) < len)
		return false;
	memcpy(out, mnl_nlmsg_get_payload(nlh), len);
	return true;
}

struct attr_ctx {
	const enum mnl_attr_data_type *types;
	unsigned max;
	const struct nlattr **tb;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attr_ctx *c = data;
	unsigned type = mnl_attr_get_type(a);
	if (type > c->max || c->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, c->types[type]) < 0)
		return MNL_CB_OK; /* malformed: leave it out rather than trust it */
	c->tb[type] = a;
	return MNL_CB_OK;
}

void vti_nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const enum mnl_attr_data_type *types,
                  unsigned max, const struct nlattr **tb)
{
	struct attr_ctx c = {types, max, tb};
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): tb is an array of attribute pointers */
	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return;
	mnl_attr_parse(nlh, (unsigned)hdrlen, attr_cb, &c);
}

struct talk {
	mnl_cb_t cb;
	void *data;
	int error;        /* positive errno from NLMSG_ERROR, 0 if none */
	char extack[128]; /* the kernel's NLMSGERR_ATTR_MSG, if any */
};

static int talk_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int extack_cb(const struct nlattr *a, void *data)
{
	struct talk *t = data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(t->extack, sizeof(t->extack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: error 0 is the ACK that ends a request; otherwise keep errno and ext-ack text. */
static int talk_error(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	struct nlmsgerr e;
	if (!vti_nl_fixed(nlh, &e, sizeof(e))) {
		t->error = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e.error == 0)
		return MNL_CB_STOP;
	t->error = -e.error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e.msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off <= mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, (unsigned)off, extack_cb, t);
	}
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump; its payload, when present, is the dump's error (0 or -errno). */
static int talk_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int32_t e = 0;
	if (vti_nl_fixed(nlh, &e, sizeof(e)) && e < 0) {
		t->error = -e;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int talk_noop(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static pthread_key_t buf_key[VTI_BUF_COUNT];
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;
static bool buf_keys_ok;

static void buf_keys_make(void)
{
	buf_keys_ok = pthread_key_create(&buf_key[VTI_BUF_TALK], free) == 0 &&
	              pthread_key_create(&buf_key[VTI_BUF_MONITOR], free) == 0;
}

char *vti_nl_buf(enum vti_buf which)
{
	pthread_once(&buf_once, buf_keys_make);
	if (!buf_keys_ok)
		return NULL;
	char *b = pthread_getspecific(buf_key[which]);
	if (!b && (b = malloc(VTI_NL_RCVLEN)) && pthread_setspecific(buf_key[which], b) != 0) {
		free(b);
		b = NULL;
	}
	return b;
}

static int talk_run(struct mnl_socket *s, struct nlmsghdr *nlh, struct talk *t)
{
	/* With a control array libmnl uses it alone for types below NLMSG_MIN_TYPE. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
	    [NLMSG_NOOP] = talk_noop,
	    [NLMSG_ERROR] = talk_error,
	    [NLMSG_DONE] = talk_done,
	    [NLMSG_OVERRUN] = talk_noop,
	};
	/* Per thread, not per request: a 32 KiB malloc and free per request was a tenth of the
	 * cost of bringing a link up. Callbacks never start another request. */
	char *buf = vti_nl_buf(VTI_BUF_TALK);
	unsigned portid = mnl_socket_get_portid(s);
	unsigned seq = nlh->nlmsg_seq;
	int ret = 0;
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s, buf, VTI_NL_RCVLEN);
		if (n < 0) {
			ret = -errno;
			break;
		}
		int r = mnl_cb_run2(buf, (size_t)n, seq, portid, talk_data, t, ctl, NLMSG_MIN_TYPE);
		if (r == MNL_CB_STOP)
			break;
		if (r < 0) {
			ret = t->error ? -t->error : -(errno ? errno : EPROTO);
			break;
		}
	}
	return ret;
}

int vti_nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what, char *err,
                size_t errlen)
{
	return vti_nl_talk_strict(nlh, cb, data, false, what, err, errlen);
}

/* One socket per thread and kind, kept between requests: opening, binding and closing one per
 * request was a third of a commit's netlink cost at 1000 tunnels. A socket is dropped after any
 * failed request, since replies of an aborted dump may still be queued on it. */
static __thread struct mnl_socket *cached[2];

static struct mnl_socket *nl_socket(bool strict, int *err)
{
	struct mnl_socket *s = cached[strict];
	if (s)
		return s;
	s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!s) {
		*err = errno;
		return NULL;
	}
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = errno;
		mnl_socket_close(s);
		return NULL;
	}
	int one = 1;
	/* Best effort: older kernels lack these and we only lose the detailed reason. */
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	if (strict) /* without it (kernels before 4.20) the dump is just not filtered */
		mnl_socket_setsockopt(s, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	cached[strict] = s;
	return s;
}

int vti_nl_talk_strict(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool strict, const char *what,
                       char *err, size_t errlen)
{
	static unsigned seq_counter;
	struct talk t = {.cb = cb, .data = data};
	int e = 0;
	struct mnl_socket *s = nl_socket(strict, &e);
	if (!s)
		return vti_fail(err, errlen, e, "%s: netlink socket", what);

	nlh->nlmsg_flags |= NLM_F_REQUEST;
	/* rtnetlink's own test for a dump (rtnetlink_rcv_msg): a GET with either dump bit. The
	 * bits alone would not do: NLM_F_REPLACE and NLM_F_EXCL reuse them on NEW requests. */
	bool dump = (nlh->nlmsg_type & 3) == 2 && (nlh->nlmsg_flags & NLM_F_DUMP);
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq =
	    (unsigned)time(NULL) + __atomic_add_fetch(&seq_counter, 1, __ATOMIC_RELAXED);
	int r = talk_run(s, nlh, &t);
	if (r != 0) {
		mnl_socket_close(s);
		cached[strict] = NULL;
	}
	if (r == 0)
		return 0;
	if (t.extack[0])
		return vti_failmsg(err, errlen, -r, "%s: %s (%s)", what, strerror(-r), t.extack);
	return vti_fail(err, errlen, -r, "%s", what);
}
