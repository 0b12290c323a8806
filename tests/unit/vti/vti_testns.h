/* Shared by the src/vti netlink tests: a private network namespace and a veth pair maker. */
#ifndef MGMTSEC_TEST_VTI_TESTNS_H
#define MGMTSEC_TEST_VTI_TESTNS_H

#include <stdint.h>

/* Moves this process into a fresh network namespace (nothing to clean up: it dies with us)
 * and brings lo up. Exits the process if that is impossible: these tests must never touch
 * the host's interfaces. */
void vt_netns_enter(void);

/* Creates veth pair a <-> b over netlink; 0 or -1 (message printed). */
int vt_veth_create(const char *a, const char *b);

/* Dotted IPv4 to network order (aborts the test on a typo). */
uint32_t vt_ip(const char *dotted);

#endif
