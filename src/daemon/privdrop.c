#include "daemon/privdrop.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int kept[] = {CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE};
#define N_KEPT (sizeof(kept) / sizeof(kept[0]))

uint64_t privdrop_kept_mask(void)
{
	uint64_t m = 0;
	for (size_t i = 0; i < N_KEPT; i++)
		m |= 1ull << kept[i];
	return m;
}

/* capget/capset through the raw syscalls: no libcap dependency. */
static int caps_get(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

static int caps_set(uint64_t mask)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)mask;
	d[1].effective = d[1].permitted = (uint32_t)(mask >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

/* Highest capability the kernel knows (newer than our headers possibly). */
static int last_cap(void)
{
	int v = CAP_LAST_CAP;
	char line[16];
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			char *end;
			long n = strtol(line, &end, 10);
			if (end != line && n >= 0 && n <= 63)
				v = (int)n;
		}
		fclose(f);
	}
	return v;
}

/* Removes every capability but the kept ones from the bounding set (needs CAP_SETPCAP, so
 * this runs before capset drops it). */
static int drop_bounding(uint64_t keep, char *err, size_t len)
{
	int last = last_cap();
	for (int c = 0; c <= last; c++) {
		if (keep & (1ull << c))
			continue;
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in == 0 || (in < 0 && errno == EINVAL))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			snprintf(err, len, "cannot drop capability %d from the bounding set: %s", c,
			         strerror(errno));
			return -1;
		}
	}
	return 0;
}

int privdrop_apply(char *err, size_t len)
{
	uint64_t keep = privdrop_kept_mask(), eff, prm;

	if (caps_get(&eff, &prm) < 0) {
		snprintf(err, len, "capget: %s", strerror(errno));
		return -1;
	}
	if ((prm & keep) != keep) {
		snprintf(err, len,
		         "missing capabilities (have %#llx, need CAP_NET_ADMIN, CAP_NET_RAW, "
		         "CAP_NET_BIND_SERVICE): run as root",
		         (unsigned long long)prm);
		return -1;
	}
	/* Without CAP_SETPCAP (started with a reduced set, e.g. by systemd) the bounding set is
	 * whatever the starter left: it cannot be changed, and need not be. */
	if ((eff & (1ull << CAP_SETPCAP)) && drop_bounding(keep, err, len) < 0)
		return -1;
	/* Ambient capabilities would survive an exec: none. EINVAL on kernels without them. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, len, "cannot clear ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (caps_set(keep) < 0) {
		snprintf(err, len, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, len, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* Verify rather than trust: a kernel that ignored part of the request must not pass. */
	if (caps_get(&eff, &prm) < 0 || eff != keep || prm != keep) {
		snprintf(err, len, "capabilities not reduced (effective %#llx)",
		         (unsigned long long)eff);
		return -1;
	}
	return 0;
}
