/*
 * Privilege reduction for mgmtsecd. The daemon stays uid 0 (the configuration file and the
 * control socket belong to root) but keeps only the capabilities its work needs:
 *   CAP_NET_ADMIN         TUN devices, addresses, routes and links over netlink (also on later
 *                         commits), SO_RCVBUFFORCE, net sysctls
 *   CAP_NET_RAW           the raw ESP socket (IP protocol 50)
 *   CAP_NET_BIND_SERVICE  UDP 500 (and 4500)
 * Everything else goes from the effective, permitted and inheritable sets, the bounding set
 * (so no exec, even of a setuid-root file, gets it back) and the ambient set, and no_new_privs
 * is set. Capabilities are per thread and inherited at thread creation: call privdrop_apply()
 * before the first thread exists, so that every thread of the daemon holds only these.
 */
#ifndef MGMTSEC_DAEMON_PRIVDROP_H
#define MGMTSEC_DAEMON_PRIVDROP_H

#include <stddef.h>
#include <stdint.h>

/* The capability bits kept (1 << CAP_x), as /proc/PID/status shows CapEff. */
uint64_t privdrop_kept_mask(void);

/* Reduces the calling thread's capabilities to the kept set. Returns 0, or -1 with the reason
 * in err. When the process does not hold all three kept capabilities (not root) it fails:
 * the daemon cannot work without them anyway. */
int privdrop_apply(char *err, size_t len);

#endif
