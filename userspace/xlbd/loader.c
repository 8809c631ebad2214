// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loader.c - load, pin, attach and detach the balancer; contract in loader.h.
 */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "balancer.skel.h"
#include "dpmaps.h"
#include "log.h"

#define BPF_FS_MAGIC_NR 0xcafe4a11
#define PROG_NAME "xlb_balancer"

const char *loader_mode_str(enum loader_mode m)
{
	switch (m) {
	case LOADER_NATIVE: return "native";
	case LOADER_SKB: return "skb";
	}
	return "?";
}

static enum xdp_attach_mode xdp_mode(enum loader_mode m)
{
	return m == LOADER_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

static __u32 xdp_flags(enum loader_mode m)
{
	return m == LOADER_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static int check_bpffs(const char *pin_dir)
{
	char parent[PATH_MAX], *slash;
	struct statfs fs;

	snprintf(parent, sizeof(parent), "%s", pin_dir);
	if (!statfs(parent, &fs) && fs.f_type == BPF_FS_MAGIC_NR)
		return 0;
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &fs) || fs.f_type != BPF_FS_MAGIC_NR) {
		log_error("pin dir %s: %s is not a bpffs mount (mount -t bpf bpf %s; note that "
			  "`ip netns exec` hides /sys/fs/bpf: use nsenter --net=/run/netns/NAME)",
			  pin_dir, parent, parent);
		return -ENOTDIR;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		log_error("pin dir %s: %s", pin_dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Reuse a pinned map if its layout matches this build's; otherwise unpin it
 * (a new one is created and pinned by bpf_object__load via the pin path).
 */
static int prepare_map(struct loader *l, struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	const char *name = bpf_map__name(map);
	int fd, err;

	if (bpf_map__is_internal(map))
		return 0;	/* .rodata: per program, never shared */
	snprintf(path, sizeof(path), "%s/%s", l->pin_dir, name);
	if (map == l->skel->maps.vip_filter)
		/* A fresh filter per program: xlb_dp_vip_filter_attach() zeroes it
		 * before recounting, which a still-running previous program would
		 * see as "no VIP here" for those milliseconds. */
		unlink(path);
	fd = bpf_obj_get(path);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
		bool is_conns = map == l->skel->maps.conns;
		const char *why = NULL;

		if (is_conns && !l->opts.conn_max)
			bpf_map__set_max_entries(map, info.max_entries);	/* adopt the pinned size */
		__u32 flags = info.map_flags;

		/* the kernel marks every devmap BPF_F_RDONLY_PROG (and refuses it at
		 * creation); libbpf 1.1's reuse check compares flags as they are */
		if (info.type == BPF_MAP_TYPE_DEVMAP && bpf_map__type(map) == BPF_MAP_TYPE_DEVMAP &&
		    (flags & ~BPF_F_RDONLY_PROG) == bpf_map__map_flags(map))
			bpf_map__set_map_flags(map, flags);
		if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) || flags != bpf_map__map_flags(map))
			why = "layout differs (another xlb build)";
		else if (info.max_entries != bpf_map__max_entries(map))
			why = is_conns ? "--conn-table-size differs: established flows lose their backend pins"
				       : "size differs (another xlb build)";
		if (why) {
			log_warn("pinned map %s: %s: replacing it", path, why);
			unlink(path);
		} else {
			log_info("reusing pinned map %s", path);
		}
	}
	if (fd >= 0)
		close(fd);
	err = bpf_map__set_pin_path(map, path);
	if (err)
		log_error("map %s: pin path %s: %s", name, path, strerror(-err));
	return err;
}

static void fill_fds(struct loader *l)
{
	struct balancer *s = l->skel;
	struct dp_bpf_fds *f = &l->dp.fd;

	f->vips = bpf_map__fd(s->maps.vips);
	f->backends = bpf_map__fd(s->maps.backends);
	f->maglev_tables = bpf_map__fd(s->maps.maglev_tables);
	f->conns = bpf_map__fd(s->maps.conns);
	f->config = bpf_map__fd(s->maps.config);
	f->reasons = bpf_map__fd(s->maps.reasons);
	f->events = bpf_map__fd(s->maps.events);
	f->vip_stats = bpf_map__fd(s->maps.vip_stats);
	f->backend_stats = bpf_map__fd(s->maps.backend_stats);
	f->tx_ports = bpf_map__fd(s->maps.tx_ports);
	l->vip_filter_fd = bpf_map__fd(s->maps.vip_filter);
	l->dp.conn_max = bpf_map__max_entries(s->maps.conns);
}

static int pin_prog(struct loader *l)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/%s", l->pin_dir, PROG_NAME);
	unlink(path);	/* the old program stays attached until replaced */
	err = bpf_obj_pin(l->prog_fd, path);
	if (err)
		log_error("pin program %s: %s", path, strerror(-err));
	return err;
}

int loader_open(struct loader *l, const struct loader_opts *o)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map;
	int err;

	memset(l, 0, sizeof(*l));
	l->opts = *o;
	l->prog_fd = -1;
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", o->pin_dir);
	err = check_bpffs(l->pin_dir);
	if (err)
		return err;
	l->skel = balancer__open();
	if (!l->skel) {
		err = -errno;
		log_error("open balancer BPF object: %s", strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(l->skel->maps.conns, o->conn_max ? o->conn_max : XLB_CONN_DEFAULT_ENTRIES);
	l->skel->rodata->xlb_use_vip_filter = 1;	/* kept by dpmaps.c through our set/del */
	bpf_object__for_each_map(map, l->skel->obj) {
		err = prepare_map(l, map);
		if (err)
			goto err_destroy;
	}
	err = balancer__load(l->skel);
	if (err) {
		log_error("load balancer BPF program: %s (pinned maps from an incompatible build? "
			  "xlbd --detach removes them)", strerror(-err));
		goto err_destroy;
	}
	fill_fds(l);
	err = xlb_dp_vip_filter_attach(l->dp.fd.vips, l->vip_filter_fd);
	if (err) {
		log_error("vip filter: %s", strerror(-err));
		goto err_destroy;
	}
	l->prog_fd = bpf_program__fd(l->skel->progs.xlb_balancer);
	if (!bpf_obj_get_info_by_fd(l->prog_fd, &info, &len))
		l->prog_id = info.id;
	err = pin_prog(l);
	if (err)
		goto err_destroy;
	log_info("balancer loaded: program id %u, maps pinned under %s, conn table %u entries",
		 l->prog_id, l->pin_dir, l->dp.conn_max);
	return 0;
err_destroy:
	balancer__destroy(l->skel);
	l->skel = NULL;
	return err;
}

static bool is_xlb(const struct xdp_program *p)
{
	return p && !strcmp(xdp_program__name(p), PROG_NAME);
}

/*
 * What is attached to ifindex, from the kernel (libxdp's multiprog query
 * keeps an fd to a single-program mode program: not used for that case).
 * Returns XDP_ATTACHED_* and the program's id, name and mode.
 */
static int query_attached(int ifindex, uint32_t *id, char *name, size_t len, enum loader_mode *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd;

	name[0] = '\0';
	*id = 0;
	if (bpf_xdp_query(ifindex, 0, &q))
		return XDP_ATTACHED_NONE;
	*mode = q.skb_prog_id && !q.drv_prog_id ? LOADER_SKB : LOADER_NATIVE;
	*id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!*id)
		return q.attach_mode == XDP_ATTACHED_HW ? XDP_ATTACHED_HW : XDP_ATTACHED_NONE;
	fd = bpf_prog_get_fd_by_id(*id);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	if (fd >= 0)
		close(fd);
	return q.attach_mode;
}

/* libbpf's messages while libxdp tries its dispatcher: expected failures here, so debug only. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_debug("libbpf (libxdp attach): %s", buf);
	return 0;
}

/* Fresh attach: libxdp (dispatcher or its own fallback), then plain legacy attach. */
static int attach_fresh(struct loader *l, int ifindex, enum loader_mode mode, bool *dispatcher)
{
	struct xdp_program *p = xdp_program__from_fd(l->prog_fd);	/* libxdp dups the fd */
	enum loader_mode m;
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id;
	int err = libxdp_get_error(p);

	*dispatcher = false;
	if (!err) {
		libbpf_print_fn_t old_print = libbpf_set_print(quiet_print);

		err = xdp_program__attach(p, ifindex, xdp_mode(mode), 0);
		libbpf_set_print(old_print);
		xdp_program__close(p);
		if (!err) {
			query_attached(ifindex, &id, name, sizeof(name), &m);
			*dispatcher = id != l->prog_id;
			return 0;
		}
		if (err == -EEXIST || err == -EBUSY)
			return err;
		log_info("libxdp attach: %s: attaching in single-program mode", strerror(-err));
	}
	return bpf_xdp_attach(ifindex, l->prog_fd, xdp_flags(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
}

/* A previous xlbd's program (single-program mode): swap it for ours in one step. */
static int replace_legacy(struct loader *l, int ifindex, uint32_t old_id, enum loader_mode old_mode,
			  enum loader_mode mode)
{
	int old_fd = bpf_prog_get_fd_by_id(old_id), err;
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

	if (old_fd < 0)
		return old_fd;
	if (old_mode == mode) {
		err = bpf_xdp_attach(ifindex, l->prog_fd, xdp_flags(mode) | XDP_FLAGS_REPLACE, &opts);
	} else {
		/* the kernel cannot swap across modes: a short gap */
		log_warn("replacing the %s-mode xlb program with a %s-mode one: brief interruption",
			 loader_mode_str(old_mode), loader_mode_str(mode));
		err = bpf_xdp_detach(ifindex, xdp_flags(old_mode), NULL);
		if (!err)
			err = bpf_xdp_attach(ifindex, l->prog_fd, xdp_flags(mode), NULL);
	}
	close(old_fd);
	return err;
}

/* libxdp's dispatcher holds programs: add ours, then remove a previous xlb one. */
static int attach_dispatcher(struct loader *l, int ifindex, enum loader_mode mode, struct loader_iface *out)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p, *old = NULL;
	int err;

	if (libxdp_get_error(mp))
		mp = NULL;
	for (p = mp ? xdp_multiprog__next_prog(NULL, mp) : NULL; p; p = xdp_multiprog__next_prog(p, mp))
		if (is_xlb(p))
			old = p;
	err = attach_fresh(l, ifindex, mode, &out->dispatcher);
	if (!err && old) {
		int e = xdp_program__detach(old, ifindex, xdp_mode(mode), 0);

		if (e)
			log_warn("interface %s: removing the previous xlb program from the dispatcher: %s",
				 out->name, strerror(-e));
	}
	if (mp)
		xdp_multiprog__close(mp);
	return err;
}

/* Attach to one interface: replace a previous xlb program, else add ours. */
static int attach_mode(struct loader *l, int ifindex, enum loader_mode mode, struct loader_iface *out)
{
	char name[BPF_OBJ_NAME_LEN];
	enum loader_mode old_mode = LOADER_NATIVE;
	uint32_t old_id;
	int err, att = query_attached(ifindex, &old_id, name, sizeof(name), &old_mode);

	if (att == XDP_ATTACHED_NONE)
		return attach_fresh(l, ifindex, mode, &out->dispatcher);
	if (!strcmp(name, "xdp_dispatcher"))
		return attach_dispatcher(l, ifindex, mode, out);
	if (strcmp(name, PROG_NAME)) {
		log_error("interface %s: another XDP program is attached (%s, id %u): not replacing it",
			  out->name, name[0] ? name : "?", old_id);
		return -EBUSY;
	}
	err = replace_legacy(l, ifindex, old_id, old_mode, mode);
	if (!err)
		log_info("interface %s: replaced xlb program id %u by id %u%s", out->name, old_id,
			 l->prog_id, old_mode == mode ? " (atomic)" : "");
	return err;
}

int loader_attach(struct loader *l, const char *ifname)
{
	struct loader_iface *it;
	int ifindex, err;

	if (l->n_ifs == XLB_MAX_IFACES) {
		log_error("interface %s: at most %d interfaces", ifname, XLB_MAX_IFACES);
		return -E2BIG;
	}
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		log_error("interface %s: %s", ifname, strerror(errno));
		return -ENODEV;
	}
	it = &l->ifs[l->n_ifs];
	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", ifname);
	it->ifindex = ifindex;
	it->mode = l->opts.mode;
	err = attach_mode(l, ifindex, it->mode, it);
	if (err && err != -EBUSY && it->mode == LOADER_NATIVE && !l->opts.mode_given) {
		log_warn("interface %s: native XDP attach failed (%s): falling back to skb mode "
			 "(slower; --xdp-mode native makes this an error)", ifname, strerror(-err));
		it->mode = LOADER_SKB;
		err = attach_mode(l, ifindex, it->mode, it);
	}
	if (err) {
		log_error("Failed to attach XDP program to iface %s: %s", ifname, strerror(-err));
		return err;
	}
	it->prog_id = l->prog_id;
	l->n_ifs++;
	log_info("interface %s (ifindex %d): attached in %s mode%s", ifname, ifindex,
		 loader_mode_str(it->mode), it->dispatcher ? " (libxdp dispatcher)" : "");
	return 0;
}

void loader_close(struct loader *l)
{
	if (l->skel)
		balancer__destroy(l->skel);	/* pins and attachments keep the objects alive */
	l->skel = NULL;
}

/* ---- xlbd --detach ---- */

static int detach_iface(int ifindex, const char *name)
{
	char pname[BPF_OBJ_NAME_LEN];
	enum loader_mode mode = LOADER_NATIVE;
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	uint32_t id;
	int err = 0, n = 0;

	if (query_attached(ifindex, &id, pname, sizeof(pname), &mode) == XDP_ATTACHED_NONE)
		return 0;
	if (!strcmp(pname, PROG_NAME)) {
		err = bpf_xdp_detach(ifindex, xdp_flags(mode), NULL);
		n = !err;
	} else if (!strcmp(pname, "xdp_dispatcher")) {
		mp = xdp_multiprog__get_from_ifindex(ifindex);
		if (!libxdp_get_error(mp) && mp) {
			for (p = xdp_multiprog__next_prog(NULL, mp); p && !err; p = xdp_multiprog__next_prog(p, mp))
				if (is_xlb(p)) {
					err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
					n += !err;
				}
			xdp_multiprog__close(mp);
		}
	}
	if (err)
		log_error("interface %s: detach: %s", name, strerror(-err));
	else if (n)
		log_info("interface %s: xlb program detached", name);
	return err;
}

int loader_detach_all(const char *pin_dir)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	for (i = ifs; i && i->if_index; i++)
		if (detach_iface((int)i->if_index, i->if_name))
			err = -EIO;
	if (ifs)
		if_freenameindex(ifs);
	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? err : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		if (unlink(path)) {
			log_error("unpin %s: %s", path, strerror(errno));
			err = -errno;
		}
	}
	closedir(d);
	if (!err && rmdir(pin_dir))
		err = -errno;
	if (!err)
		log_info("pins under %s removed", pin_dir);
	return err;
}
