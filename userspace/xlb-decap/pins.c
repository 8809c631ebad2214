// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pins.c - the decap program and its maps on bpffs: load through the
 * skeleton and pin (first attach), or open what is pinned (every later
 * command, from any network namespace of the same mount namespace).
 * Pin names: include/xlb_decap.h. Contract: xlb_decap_tool.h.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "decap.skel.h"
#include "log.h"
#include "xlb_decap.h"
#include "xlb_decap_tool.h"

static const char *const map_pins[] = { "local_addrs", "decap_cfg", "decap_reasons" };

void decap_handle_init(struct decap_handle *h, const char *pin_dir)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->pin_dir, sizeof(h->pin_dir), "%s", pin_dir);
	h->prog_fd = h->local_fd = h->cfg_fd = h->reasons_fd = -1;
}

static void pin_path(const struct decap_handle *h, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", h->pin_dir, name);
}

static int *map_fd_slot(struct decap_handle *h, int i)
{
	int *slots[] = { &h->local_fd, &h->cfg_fd, &h->reasons_fd };

	return slots[i];
}

static int prog_id_of(int fd, uint32_t *id, char *name, size_t name_len)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	if (name)
		snprintf(name, name_len, "%s", info.name);
	return 0;
}

int decap_open_pinned(struct decap_handle *h)
{
	char path[320], name[BPF_OBJ_NAME_LEN];
	int err;

	pin_path(h, "prog", path, sizeof(path));
	h->prog_fd = bpf_obj_get(path);
	if (h->prog_fd < 0)
		return -errno;
	err = prog_id_of(h->prog_fd, &h->prog_id, name, sizeof(name));
	if (err)
		goto close_all;
	if (strcmp(name, DECAP_PROG_NAME) != 0) {
		log_error("%s is program '%s', not %s: refusing to use it", path, name, DECAP_PROG_NAME);
		err = -EINVAL;
		goto close_all;
	}
	for (int i = 0; i < (int)(sizeof(map_pins) / sizeof(map_pins[0])); i++) {
		pin_path(h, map_pins[i], path, sizeof(path));
		*map_fd_slot(h, i) = bpf_obj_get(path);
		if (*map_fd_slot(h, i) < 0) {
			err = -errno;
			log_error("Program pinned in %s, but map %s is missing: %s", h->pin_dir, path,
				  strerror(-err));
			goto close_all;
		}
	}
	return 0;

close_all:
	decap_handle_close(h);
	return err;
}

/* Maps pinned by an earlier run (program gone) keep their counters and allow-list. */
static int reuse_pinned_maps(struct decap_handle *h, struct decap *skel)
{
	struct bpf_map *maps[] = { skel->maps.local_addrs, skel->maps.decap_cfg, skel->maps.decap_reasons };
	char path[320];

	for (int i = 0; i < (int)(sizeof(maps) / sizeof(maps[0])); i++) {
		int fd, err;

		pin_path(h, map_pins[i], path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		err = bpf_map__reuse_fd(maps[i], fd);
		close(fd);
		if (err) {
			log_error("Failed to reuse pinned map %s: %s", path, strerror(-err));
			return err;
		}
		log_debug("reusing pinned map %s", path);
	}
	return 0;
}

/* Pin the maps not pinned yet and the program; on failure remove the pins
 * this call made (reused ones stay). */
static int pin_all(struct decap_handle *h)
{
	char path[320];
	int fds[] = { h->local_fd, h->cfg_fd, h->reasons_fd };
	bool made[3] = {};
	int err = 0, i;

	if (mkdir(h->pin_dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_error("Failed to create pin directory %s: %s", h->pin_dir, strerror(-err));
		return err;
	}
	for (i = 0; i < 3; i++) {
		pin_path(h, map_pins[i], path, sizeof(path));
		if (access(path, F_OK) == 0)
			continue;	/* reused */
		if (bpf_obj_pin(fds[i], path)) {
			err = -errno;
			if (err != -EEXIST)	/* a concurrent attach won: the caller reuses its pins */
				log_error("Failed to pin map %s: %s", path, strerror(-err));
			goto unpin_made;
		}
		made[i] = true;
	}
	pin_path(h, "prog", path, sizeof(path));
	if (bpf_obj_pin(h->prog_fd, path)) {
		err = -errno;
		if (err != -EEXIST)
			log_error("Failed to pin program %s: %s", path, strerror(-err));
		goto unpin_made;
	}
	return 0;

unpin_made:
	for (i = 0; i < 3; i++) {
		if (!made[i])
			continue;
		pin_path(h, map_pins[i], path, sizeof(path));
		unlink(path);
	}
	rmdir(h->pin_dir);	/* only succeeds when empty */
	return err;
}

int decap_open_or_create(struct decap_handle *h)
{
	struct decap *skel;
	int err;

	err = decap_open_pinned(h);
	if (err != -ENOENT) {
		if (err)
			log_error("Failed to open the program pinned in %s: %s", h->pin_dir, strerror(-err));
		return err;
	}
	skel = decap__open();
	if (!skel) {
		err = -errno;
		log_error("Failed to open the decap BPF object: %s", strerror(-err));
		return err;
	}
	err = reuse_pinned_maps(h, skel);
	if (err)
		goto destroy;
	err = decap__load(skel);
	if (err) {
		log_error("Failed to load the decap BPF program: %s", strerror(-err));
		goto destroy;
	}
	h->skel = skel;
	h->created = true;
	h->prog_fd = bpf_program__fd(skel->progs.xlb_decap);
	h->local_fd = bpf_map__fd(skel->maps.local_addrs);
	h->cfg_fd = bpf_map__fd(skel->maps.decap_cfg);
	h->reasons_fd = bpf_map__fd(skel->maps.decap_reasons);
	err = prog_id_of(h->prog_fd, &h->prog_id, NULL, 0);
	if (!err)
		err = pin_all(h);
	if (err)
		decap_handle_close(h);
	if (err == -EEXIST) {
		/* another xlb-decap pinned its program first: use that one */
		char dir[sizeof(h->pin_dir)];

		memcpy(dir, h->pin_dir, sizeof(dir));
		decap_handle_init(h, dir);
		err = decap_open_pinned(h);
		if (!err)
			log_info("using the program another xlb-decap just pinned in %s", h->pin_dir);
	}
	return err;

destroy:
	decap__destroy(skel);
	return err;
}

int decap_unpin(struct decap_handle *h)
{
	char path[320];
	int err = 0;

	pin_path(h, "prog", path, sizeof(path));
	if (unlink(path) && errno != ENOENT)
		err = -errno;
	for (int i = 0; i < (int)(sizeof(map_pins) / sizeof(map_pins[0])); i++) {
		pin_path(h, map_pins[i], path, sizeof(path));
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	if (rmdir(h->pin_dir) && errno != ENOENT)
		err = -errno;
	return err;
}

void decap_handle_close(struct decap_handle *h)
{
	if (h->skel) {
		/* the skeleton owns the fds */
		decap__destroy(h->skel);
		h->skel = NULL;
	} else {
		int fds[] = { h->prog_fd, h->local_fd, h->cfg_fd, h->reasons_fd };

		for (int i = 0; i < 4; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	h->prog_fd = h->local_fd = h->cfg_fd = h->reasons_fd = -1;
}

int decap_allow_add(struct decap_handle *h, const struct xlb_addr_key *k, bool *added)
{
	uint8_t one = 1, v;

	*added = false;
	if (bpf_map_lookup_elem(h->local_fd, k, &v) == 0)
		return 0;
	if (bpf_map_update_elem(h->local_fd, k, &one, BPF_NOEXIST))
		return errno == E2BIG ? -ENOSPC : -errno;
	*added = true;
	return 0;
}

int decap_allow_del(struct decap_handle *h, const struct xlb_addr_key *k)
{
	return bpf_map_delete_elem(h->local_fd, k) ? -errno : 0;
}

int decap_allow_list(struct decap_handle *h, struct xlb_addr_key *keys, int max)
{
	struct xlb_addr_key k, next;
	int n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(h->local_fd, prev, &next) == 0) {
		if (n < max)
			keys[n] = next;
		n++;
		k = next;
		prev = &k;
	}
	if (errno != ENOENT)
		return -errno;
	return n;
}

int decap_allow_recount(struct decap_handle *h, uint32_t *n)
{
	int cnt = decap_allow_list(h, NULL, 0);

	if (cnt < 0)
		return cnt;
	if (n)
		*n = (uint32_t)cnt;
	return decap_cfg_set(h, XLB_DECAP_CFG_N_LOCAL, (uint32_t)cnt);
}

int decap_cfg_get(struct decap_handle *h, uint32_t slot, uint32_t *val)
{
	return bpf_map_lookup_elem(h->cfg_fd, &slot, val) ? -errno : 0;
}

int decap_cfg_set(struct decap_handle *h, uint32_t slot, uint32_t val)
{
	return bpf_map_update_elem(h->cfg_fd, &slot, &val, BPF_ANY) ? -errno : 0;
}

int decap_counters(struct decap_handle *h, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu > 0 ? ncpu : 1];

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	for (uint32_t r = 0; r < XLB_D__COUNT; r++) {
		out[r] = 0;
		if (bpf_map_lookup_elem(h->reasons_fd, &r, vals))
			return -errno;
		for (int c = 0; c < ncpu; c++)
			out[r] += vals[c];
	}
	return 0;
}
