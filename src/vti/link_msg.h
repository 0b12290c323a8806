/* Internal to src/vti: decoding RTM_NEWLINK messages (shared by queries and the monitor). */
#ifndef MGMTSEC_VTI_LINK_MSG_H
#define MGMTSEC_VTI_LINK_MSG_H

#include <libmnl/libmnl.h>
#include <stdbool.h>

#include "vti/vti.h"

/* Fills out from an RTM_NEWLINK/RTM_DELLINK message; false if it is too short. */
bool vti_link_from_msg(const struct nlmsghdr *nlh, struct vti_link *out);

/* Deletes link name (RTM_DELLINK). */
int vti_link_delete(const char *name, char *err, size_t errlen);

#endif
