// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * persist.c - the state file; contract in persist.h.
 */
#include "persist.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_json.h"

#define STATE_VERSION 1

int persist_mkdir_p(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, mode) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

static json_t *ids_to_json(const struct state *st)
{
	json_t *vips = json_array(), *bes = json_array();
	char vip[XLB_VIP_STRLEN], addr[XLB_ADDR_STRLEN];

	for (size_t i = 0; i < st->n_vips; i++) {
		const struct state_vip *v = &st->vips[i];

		xlb_vip_id_format(&v->id, vip, sizeof(vip));
		json_array_append_new(vips, json_pack("{s:s,s:I}", "vip", vip, "id", (json_int_t)v->vip_id));
		for (size_t j = 0; j < v->n_be; j++) {
			xlb_addr_format(&v->be[j].addr, addr, sizeof(addr));
			json_array_append_new(bes, json_pack("{s:s,s:s,s:I,s:I}", "vip", vip, "address", addr,
							     "id", (json_int_t)v->be[j].id,
							     "gen", (json_int_t)v->be[j].gen));
		}
	}
	return json_pack("{s:I,s:o,s:o}", "next_gen", (json_int_t)st->next_gen, "vips", vips,
			 "backends", bes);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int persist_save(const char *dir, const struct state *st, char *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *root;
	char *text = NULL;
	int fd = -1, dfd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, PERSIST_FILE);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, PERSIST_FILE);
	ret = persist_mkdir_p(dir, 0700);
	if (ret) {
		snprintf(err, XLB_ERR_LEN, "state dir %.150s: %s", dir, strerror(-ret));
		return ret;
	}
	root = json_pack("{s:i,s:o,s:o}", "version", STATE_VERSION, "model", xlb_model_to_json(&st->model),
			 "ids", ids_to_json(st));
	text = root ? json_dumps(root, JSON_COMPACT) : NULL;	/* compact: less to encode and write at 100k backends */
	json_decref(root);
	if (!text) {
		snprintf(err, XLB_ERR_LEN, "state file %.150s: cannot encode the state", path);
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = write_all(fd, text, strlen(text));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		goto fail;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {	/* the rename itself is durable only once the directory is */
		fsync(dfd);
		close(dfd);
	}
	free(text);
	return 0;
fail:
	snprintf(err, XLB_ERR_LEN, "state file %.150s: %s", fd < 0 ? tmp : path, strerror(-ret));
	unlink(tmp);
	free(text);
	return ret;
}

static int load_ids(const json_t *ids, struct state *st, char *err)
{
	const json_t *e;
	size_t i;

	if (!json_is_object(ids))
		return 0;	/* no ids: fresh ones (conns re-hash once) */
	if (json_is_integer(json_object_get(ids, "next_gen")))
		state_hint_next_gen(st, (uint32_t)json_integer_value(json_object_get(ids, "next_gen")));
	json_array_foreach(json_object_get(ids, "vips"), i, e) {
		struct xlb_vip_id vip;
		const char *s = json_string_value(json_object_get(e, "vip"));
		json_int_t id = json_integer_value(json_object_get(e, "id"));

		if (!s || xlb_vip_id_parse(s, &vip, err) || id < 0 || id >= XLB_MAX_VIPS) {
			snprintf(err, XLB_ERR_LEN, "ids.vips[%zu]: bad entry", i);
			return -EINVAL;
		}
		state_hint_vip(st, &vip, (uint32_t)id);
	}
	json_array_foreach(json_object_get(ids, "backends"), i, e) {
		struct xlb_vip_id vip;
		struct xlb_addr addr;
		const char *v = json_string_value(json_object_get(e, "vip"));
		const char *a = json_string_value(json_object_get(e, "address"));
		json_int_t id = json_integer_value(json_object_get(e, "id"));
		json_int_t gen = json_integer_value(json_object_get(e, "gen"));

		if (!v || !a || xlb_vip_id_parse(v, &vip, err) || xlb_addr_parse(a, &addr, err) ||
		    id < 0 || id >= XLB_MAX_BACKENDS || gen < 0 || gen > UINT32_MAX - 1) {
			snprintf(err, XLB_ERR_LEN, "ids.backends[%zu]: bad entry", i);
			return -EINVAL;
		}
		state_hint_backend(st, &vip, &addr, (uint32_t)id, (uint32_t)gen);
	}
	return 0;
}

int persist_load(const char *dir, struct state *st, struct xlb_model *out, char *err)
{
	char path[PATH_MAX], e[XLB_ERR_LEN] = "";
	json_error_t jerr;
	json_t *root;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, PERSIST_FILE);
	if (access(path, F_OK))
		return -errno;
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		snprintf(err, XLB_ERR_LEN, "%.100s:%d:%d: %.120s", path, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (json_integer_value(json_object_get(root, "version")) != STATE_VERSION) {
		snprintf(err, XLB_ERR_LEN, "%.150s: version: expected %d", path, STATE_VERSION);
		json_decref(root);
		return -EINVAL;
	}
	ret = xlb_model_from_json(json_object_get(root, "model"), out, e);
	if (ret)
		snprintf(err, XLB_ERR_LEN, "%.100s: model: %.140s", path, e);
	else if ((ret = load_ids(json_object_get(root, "ids"), st, e)))
		snprintf(err, XLB_ERR_LEN, "%.100s: %.150s", path, e);
	json_decref(root);
	return ret;
}
