// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach.c - put the decap program on an interface, take it off, and find
 * where it runs, through libxdp. libxdp prefers its multi-program
 * dispatcher (xlb then shares the NIC with other XDP programs); kernels
 * that refuse freplace programs (lockdown, as on xlb's CI host) get the
 * single-program attach instead: libxdp falls back by itself, and if it
 * does not, we retry once with LIBXDP_SKIP_DISPATCHER=1.
 * The program is loaded by pins.c through the skeleton; libxdp only gets
 * its fd (a libxdp-loaded object would leave the skeleton's pointers stale).
 * Contract: xlb_decap_tool.h.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "xlb_decap_tool.h"

const char *decap_mode_str(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_UNSPEC: return "auto";
	case XDP_MODE_NATIVE: return "native";
	case XDP_MODE_SKB: return "skb";
	case XDP_MODE_HW: return "hw";
	}
	return "unknown";
}

static bool is_ours(struct xdp_program *p, uint32_t want_id)
{
	if (!p)
		return false;
	if (want_id)
		return xdp_program__id(p) == want_id;
	return strcmp(xdp_program__name(p), DECAP_PROG_NAME) == 0;
}

/* The multiprog on ifindex, or NULL when no XDP program is attached. */
static struct xdp_multiprog *get_mp(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (libxdp_get_error(mp))
		return NULL;
	return mp;
}

int decap_iface_query(int ifindex, uint32_t want_id, struct decap_iface *out)
{
	struct xdp_multiprog *mp = get_mp(ifindex);
	struct xdp_program *p, *found = NULL;
	int err = -ENOENT;

	if (!mp)
		return -ENOENT;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (is_ours(p, want_id))
			found = p;
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
			if (is_ours(p, want_id)) {
				found = p;
				break;
			}
	}
	if (found) {
		memset(out, 0, sizeof(*out));
		out->ifindex = ifindex;
		if (!if_indextoname(ifindex, out->name))
			snprintf(out->name, sizeof(out->name), "if%d", ifindex);
		out->mode = xdp_multiprog__attach_mode(mp);
		out->dispatcher = !xdp_multiprog__is_legacy(mp);
		out->prog_id = xdp_program__id(found);
		err = 0;
	}
	xdp_multiprog__close(mp);
	return err;
}

/* Another program alone on the interface: name it, libxdp would only say EEXIST. */
static int check_not_taken(const char *ifname, int ifindex)
{
	struct xdp_multiprog *mp = get_mp(ifindex);
	struct xdp_program *p;
	int err = 0;

	if (!mp)
		return 0;
	p = xdp_multiprog__main_prog(mp);
	if (xdp_multiprog__is_legacy(mp) && p) {
		log_error("Failed to attach XDP program to iface %s: XDP program '%s' (id %u) is already "
			  "attached there in single-program mode; detach it first", ifname,
			  xdp_program__name(p), xdp_program__id(p));
		err = -EBUSY;
	}
	xdp_multiprog__close(mp);
	return err;
}

static int attach_fd(int prog_fd, int ifindex, enum xdp_attach_mode mode)
{
	struct xdp_program *p;
	int fd = dup(prog_fd);	/* libxdp may close the fd it was given */
	int err;

	if (fd < 0)
		return -errno;
	p = xdp_program__from_fd(fd);
	err = libxdp_get_error(p);
	if (err) {
		close(fd);
		return err;
	}
	err = xdp_program__attach(p, ifindex, mode, 0);
	xdp_program__close(p);
	return err;
}

int decap_attach_iface(struct decap_handle *h, const char *ifname, enum xdp_attach_mode mode)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct decap_iface cur;
	int err;

	if (!ifindex) {
		log_error("Failed to attach XDP program to iface %s: no such interface in this network "
			  "namespace", ifname);
		return -ENODEV;
	}
	if (decap_iface_query(ifindex, h->prog_id, &cur) == 0) {
		log_info("already attached to %s (prog id %u, %s mode)", ifname, cur.prog_id,
			 decap_mode_str(cur.mode));
		return -EALREADY;
	}
	err = check_not_taken(ifname, ifindex);
	if (err)
		return err;
	err = attach_fd(h->prog_fd, ifindex, mode);
	if (err && err != -EEXIST && err != -EBUSY && !getenv("LIBXDP_SKIP_DISPATCHER")) {
		log_debug("attach through libxdp failed (%s); retrying without the dispatcher",
			  strerror(-err));
		setenv("LIBXDP_SKIP_DISPATCHER", "1", 1);
		err = attach_fd(h->prog_fd, ifindex, mode);
	}
	if (err) {
		log_error("Failed to attach XDP program to iface %s: %s%s", ifname, strerror(-err),
			  mode == XDP_MODE_NATIVE && err == -EOPNOTSUPP ?
			  " (the driver has no native XDP: try --mode skb)" : "");
		return err;
	}
	return 0;
}

int decap_detach_iface(const struct decap_iface *q)
{
	struct xdp_program *p = xdp_program__from_id(q->prog_id);
	int err = libxdp_get_error(p);

	if (err)
		return err;
	err = xdp_program__detach(p, q->ifindex, q->mode, 0);
	xdp_program__close(p);
	return err;
}
