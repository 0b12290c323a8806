/* Internal to src/vti: decoding RTM_NEWLINK messages (shared by queries and the monitor). */
#ifndef MGMTSEC_VTI_LINK_MSG_H
#define MGMTSEC_VTI_LINK_MSG_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#include "vti/vti.h"

/* Fills out from an RTM_NEWLINK/RTM_DELLINK message; false if it is too short. */
bool vti_link_from_msg(const struct nlmsghdr *nlh, struct vti_link *out);

/* Deletes link name (RTM_DELLINK). */
int vti_link_delete(const char *name, char *err, size_t errlen);

/* Puts link name in group (IFLA_GROUP); deletes every link of a group in one request. */
int vti_link_set_group(const char *name, uint32_t group, char *err, size_t errlen);
int vti_link_delete_group(uint32_t group, char *err, size_t errlen);

#endif
