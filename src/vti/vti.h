/*
 * Tunnel interfaces: one TUN device per `interface tunnel-ipN`, and everything the daemon
 * asks of the kernel about it and about the outer interface, over rtnetlink (libmnl). Nothing
 * here runs `ip`.
 *
 * Conventions for every function below, unless it says otherwise:
 *   - returns 0 (or a file descriptor / a value >= 0) on success, -1 on failure;
 *   - on failure errno is set and, when err is not NULL, a one-line reason naming the object
 *     and the kernel's words ("tunnel-ip7: set MTU 9000: Invalid argument") is written to
 *     err (errlen bytes, always NUL-terminated, truncated if needed). VTI_ERRLEN is enough;
 *   - interface names are Linux names (at most IFNAMSIZ-1 bytes); IPv4 addresses are uint32_t
 *     in network byte order ("_be");
 *   - pointers are borrowed for the duration of the call; nothing is kept;
 *   - each call opens its own netlink socket in the caller's network namespace and closes it
 *     before returning, so the functions keep no state and may be called from any thread.
 *     They block for one kernel round trip: control plane only, never the packet path.
 *
 * Kernel behaviour callers must know:
 *   - the connected route of an address exists only while the link is up;
 *   - the kernel deletes routes through an interface when the link goes down: re-add them
 *     (vti_route_add) after each vti_link_set_up(.., true);
 *   - a route through an interface can only be added while the link is up (ENETDOWN).
 */
#ifndef MGMTSEC_VTI_VTI_H
#define MGMTSEC_VTI_VTI_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTI_ERRLEN 160

/* ---- names ---------------------------------------------------------------------------- */

/* True if name can be a Linux interface name: 1..15 bytes, no '/', ':', '%' or whitespace,
 * not "." or "..". Pure. */
bool vti_ifname_valid(const char *name);

/* Writes "tunnel-ipN" to out. Returns 0, or -1 if it does not fit in len. Pure. */
int vti_tunnel_name(uint32_t n, char *out, size_t len);

/* ---- TUN devices ---------------------------------------------------------------------- */

/*
 * Creates TUN device `name` (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE, not persistent) and
 * returns its first queue: a non-blocking, close-on-exec fd that reads and writes bare IPv4
 * packets. The caller owns the fd. Fails with EEXIST if an interface of that name exists
 * (so a restart never silently attaches to someone else's device). The device starts down.
 */
int vti_tun_create(const char *name, char *err, size_t errlen);

/* Opens one more queue of existing multi-queue TUN device `name` (for another data-plane
 * thread). Same fd flags and ownership as vti_tun_create. ENODEV if it does not exist. */
int vti_tun_open_queue(const char *name, char *err, size_t errlen);

/*
 * Closes queue fd (if >= 0) and, when name is not NULL and the device still exists because
 * other queues are open, deletes the device. The kernel removes a non-persistent TUN when
 * its last queue closes, so with name == NULL this is just close(fd). Other holders of
 * queues of a deleted device see their reads fail and must close them.
 */
int vti_tun_destroy(int fd, const char *name, char *err, size_t errlen);

/* The link group of every device vti_tun_create makes (`ip link show group 7296` lists them). */
#define VTI_LINK_GROUP 7296

/* Deletes every device of VTI_LINK_GROUP in one request: the kernel unregisters them as one
 * batch, one RCU grace period in all instead of one per device (about 20 ms each on a VM:
 * 20 s for 1000 tunnels). Queue fds stay valid; close them (vti_tun_destroy) afterwards. */
int vti_tun_destroy_all(char *err, size_t errlen);

/* ---- links ---------------------------------------------------------------------------- */

struct vti_link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned mtu;
	bool up;      /* IFF_UP: administratively up */
	bool running; /* IFF_RUNNING: up with carrier (operationally usable) */
};

/* Looks up a link by name. ENODEV if there is none. */
int vti_link_query(const char *name, struct vti_link *out, char *err, size_t errlen);
/* Same by ifindex. */
int vti_link_query_index(int ifindex, struct vti_link *out, char *err, size_t errlen);
/* Returns the ifindex (> 0) of name, or -1. */
int vti_ifindex(const char *name, char *err, size_t errlen);
/* Sets or clears IFF_UP. */
int vti_link_set_up(const char *name, bool up, char *err, size_t errlen);
int vti_mtu_set(const char *name, unsigned mtu, char *err, size_t errlen);
int vti_mtu_get(const char *name, unsigned *mtu, char *err, size_t errlen);

/*
 * Tunnel MTU: the largest inner IPv4 packet whose ESP tunnel-mode encapsulation fits in
 * outer_mtu. The encapsulation is outer IPv4 header (20) + UDP (8, only if natt) + ESP header
 * (SPI + sequence, 8) + iv_len + the inner packet + padding + pad length and next header (2)
 * + icv_len, where padding brings (inner + 2) to a multiple of block_len and always of 4
 * (RFC 4303 §2.4): block_len 16 for AES-CBC, 1 (or 0) for GCM, a stream mode. Returns 0 when
 * not even an empty packet fits, and never more than outer_mtu. Pure.
 */
unsigned vti_tunnel_mtu(unsigned outer_mtu, unsigned iv_len, unsigned block_len, unsigned icv_len,
                        bool natt);

/* The smallest MTU the kernel accepts for IPv4 on a device (RFC 791's 68). */
#define VTI_MIN_IPV4_MTU 68

/* ---- addresses ------------------------------------------------------------------------ */

/* Prefix length of a netmask in network byte order: 0..32, or -1 if the mask is not a run
 * of ones followed by zeros. Pure. */
int vti_mask_to_prefix(uint32_t mask_be);
/* Same from dotted text ("255.255.255.0" -> 24); -1 if not a dotted quad or not contiguous. */
int vti_parse_mask(const char *dotted);
/* Network byte order mask for a prefix length 0..32. Pure. */
uint32_t vti_prefix_to_mask(int prefix);

/*
 * Makes addr/prefix the only IPv4 address of interface name: other IPv4 addresses on it are
 * removed first, then addr/prefix is added (kept if already there). With the link up the
 * kernel adds the connected route addr&mask/prefix through the interface.
 */
int vti_addr_set(const char *name, uint32_t addr_be, int prefix, char *err, size_t errlen);
/* Removes addr/prefix from name. ENOENT-like kernel error (EADDRNOTAVAIL) if it is not there. */
int vti_addr_del(const char *name, uint32_t addr_be, int prefix, char *err, size_t errlen);
/* Removes every IPv4 address of name (no error when there is none). */
int vti_addr_flush(const char *name, char *err, size_t errlen);
/* The primary (first non-secondary) IPv4 address of name. ENOENT if it has none. */
int vti_addr_get(const char *name, uint32_t *addr_be, int *prefix, char *err, size_t errlen);

/* ---- routes (main table, scope link, protocol static) ---------------------------------- */

/* dst_be/prefix must be a network address (no host bits). metric 0 = kernel default. */
int vti_route_add(const char *name, uint32_t dst_be, int prefix, uint32_t metric, char *err,
                  size_t errlen);
int vti_route_del(const char *name, uint32_t dst_be, int prefix, uint32_t metric, char *err,
                  size_t errlen);
/* Looks in the main table for dst/prefix through name; *found tells, *metric (if not NULL)
 * gets its metric. The connected route of an address is found here too. */
int vti_route_find(const char *name, uint32_t dst_be, int prefix, bool *found, uint32_t *metric,
                   char *err, size_t errlen);

/* ---- tunnel source -------------------------------------------------------------------- */

/* One `interface-name-map IOSXR-NAME LINUX-IFNAME` line. Strings borrowed from the config. */
struct vti_name_map {
	const char *iosxr;        /* e.g. "MgmtEth0/RP0/CPU0/0"; matched ignoring ASCII case */
	const char *linux_ifname; /* e.g. "eth0" */
};

/*
 * Resolves `tunnel source SRC` to the outer source address and the Linux interface that
 * holds it (whose MTU bounds the tunnel MTU). Rules, in order (docs/interface-names.md):
 *   1. SRC is a dotted IPv4 address: it must be configured on a local interface, which is
 *      the one returned;
 *   2. SRC matches a map entry's IOS XR name: the entry's Linux interface is used;
 *   3. SRC is a Linux interface name: that interface;
 * and for 2 and 3 the address is the interface's primary IPv4 address. A name that is not
 * mapped and is no Linux interface fails; if Linux could not even hold it ('/', too long),
 * the error names the missing `interface-name-map` line.
 * linux_ifname_out (len >= IFNAMSIZ) may be NULL.
 */
int vti_resolve_source(const char *src, const struct vti_name_map *map, size_t n, uint32_t *addr_be,
                       char *linux_ifname_out, size_t len, char *err, size_t errlen);

/* One IPv4 address dump kept sorted for lookups: a commit resolving many tunnel sources takes
 * one instead of a dump per tunnel (O(N^2) work at 1000 tunnels with 1000 addresses). It also
 * remembers the few outer links it was asked about, so 1000 tunnels over one interface cost one
 * link query, not two each. A snapshot is a moment's view: take a new one per commit. */
struct vti_addr_snap;
struct vti_addr_snap *vti_addr_snap_take(char *err, size_t errlen);
void vti_addr_snap_free(struct vti_addr_snap *snap);

/* vti_resolve_source with rule 1 looked up in snap; snap NULL: a dump of its own. */
int vti_resolve_source_snap(struct vti_addr_snap *snap, const char *src,
                            const struct vti_name_map *map, size_t n, uint32_t *addr_be,
                            char *linux_ifname_out, size_t len, char *err, size_t errlen);
/* vti_link_query through snap's memory of links (snap NULL: always asks the kernel). */
int vti_snap_link(struct vti_addr_snap *snap, const char *name, struct vti_link *out, char *err,
                  size_t errlen);

/* ---- link and address events ---------------------------------------------------------- */

enum vti_event_kind {
	VTI_EV_LINK,     /* link appeared or changed (flags, MTU) */
	VTI_EV_LINK_DEL, /* link removed */
	VTI_EV_ADDR_ADD, /* IPv4 address added */
	VTI_EV_ADDR_DEL, /* IPv4 address removed */
	VTI_EV_OVERRUN,  /* events were lost (socket buffer full): re-query what you watch */
};

struct vti_event {
	enum vti_event_kind kind;
	int ifindex;
	char ifname[IFNAMSIZ]; /* "" when the message did not carry it (addresses may not) */
	/* VTI_EV_LINK / VTI_EV_LINK_DEL */
	bool up, running;
	unsigned mtu;
	/* VTI_EV_ADDR_* */
	uint32_t addr_be;
	int prefix;
};

typedef void (*vti_event_cb)(const struct vti_event *ev, void *arg);

/* Opens a netlink socket subscribed to link and IPv4 address changes in the caller's network
 * namespace. Returns a non-blocking, close-on-exec fd for the caller's event loop (EPOLLIN);
 * the caller owns it and closes it with close(2). */
int vti_monitor_open(char *err, size_t errlen);

/* Reads the pending messages on fd (at most 64 datagrams per call, so an event storm cannot
 * starve the loop: with level-triggered EPOLLIN the rest comes on the next wake-up) and calls
 * cb once per event (ev is valid during the call only). Returns the number of events
 * delivered (0 if nothing was pending), or -1. */
int vti_monitor_read(int fd, vti_event_cb cb, void *arg, char *err, size_t errlen);

#endif
