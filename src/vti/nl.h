/*
 * Internal to src/vti: one rtnetlink request/response round trip over libmnl, attribute
 * parsing that keeps only validated attributes, and the error-string helper.
 */
#ifndef MGMTSEC_VTI_NL_H
#define MGMTSEC_VTI_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>

/* Request buffers: every request we build is a header, a fixed struct and a few attributes. */
#define VTI_NL_REQLEN 512
/* Receive buffer: large enough that the kernel never truncates a dump message. */
#define VTI_NL_RCVLEN 32768

/* A receive buffer of VTI_NL_RCVLEN bytes for the calling thread, allocated at its first use
 * and freed when the thread ends; NULL if out of memory. Two per thread: requests
 * (VTI_BUF_TALK) and the link monitor (VTI_BUF_MONITOR). On the heap, not in thread-local
 * storage: every thread of the daemon (data plane, IKE workers, the saving thread) would
 * carry and clear that storage at its start, used or not. */
enum vti_buf {
	VTI_BUF_TALK,
	VTI_BUF_MONITOR,
	VTI_BUF_COUNT
};
char *vti_nl_buf(enum vti_buf which);

/* Writes "<what>: <strerror(errnum)>" to err, sets errno = errnum, returns -1. */
int vti_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes a plain message (no errno text), sets errno = errnum, returns -1. */
int vti_failmsg(char *err, size_t errlen, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Sends nlh (NLM_F_REQUEST is added; NLM_F_ACK too unless it is a dump) on a fresh socket and
 * runs cb (may be NULL) on every reply until the ACK or NLMSG_DONE. A kernel error becomes
 * -1 with errno set and "<what>: <reason>" in err, where what is the caller's text.
 */
int vti_nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what, char *err,
                size_t errlen);
/* Same; strict sets NETLINK_GET_STRICT_CHK, with which the kernel honours a dump request's
 * filter fields (an RTM_GETADDR dump's ifa_index). Callers still filter: older kernels
 * ignore the option and dump everything. */
int vti_nl_talk_strict(struct nlmsghdr *nlh, mnl_cb_t cb, void *data, bool strict, const char *what,
                       char *err, size_t errlen);

/* Requests reuse one netlink socket per thread, opened by its first request: it stays in the
 * network namespace the thread was in then (callers that unshare do so before any request). */

/* Copies the fixed header (ifinfomsg, ifaddrmsg, rtmsg...) of nlh's payload into out if the
 * message is long enough for it. */
bool vti_nl_fixed(const struct nlmsghdr *nlh, void *out, size_t len);

/* Fills tb[0..max] with the attributes after the fixed header of length hdrlen whose type has
 * a non-UNSPEC entry in types[] and that pass mnl_attr_validate for it; others stay NULL. */
void vti_nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const enum mnl_attr_data_type *types,
                  unsigned max, const struct nlattr **tb);

#endif
