/* Internal to src/vti: IPv4 address messages (RTM_NEWADDR/RTM_DELADDR) and the address dump. */
#ifndef MGMTSEC_VTI_ADDR_MSG_H
#define MGMTSEC_VTI_ADDR_MSG_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

struct vti_addr_ent {
	int ifindex;
	uint32_t addr_be; /* IFA_LOCAL: our address (IFA_ADDRESS is the peer on p2p links) */
	int prefix;
	bool secondary;
};

/* Decodes an IPv4 address message; false if it is too short, not IPv4 or has no address. */
bool vti_addr_from_msg(const struct nlmsghdr *nlh, struct vti_addr_ent *out);

/* Calls fn for every IPv4 address in the namespace, in the kernel's order (primary first
 * per interface). */
typedef void (*vti_addr_visit)(const struct vti_addr_ent *a, void *arg);
int vti_addr_dump(vti_addr_visit fn, void *arg, char *err, size_t errlen);

#endif
