/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model.h - the desired state of an xlb host: what the operator asked for
 * (config file, API, persisted state). Pure data, no BPF and no I/O, so the
 * config parser, the JSON codec, the daemon and the CLI share one definition.
 *
 * Runtime state (health results, next hops, backend ids) is NOT here: it
 * lives in the daemon, keyed by the identities defined here, so a reload
 * diffs configurations and keeps runtime state.
 *
 * Functions return 0 or a negative errno; on a validation error they also
 * write a message naming the field ("vips[1].backends[0].weight: must be
 * 0..65535") into err (size XLB_ERR_LEN).
 */
#ifndef XLB_MODEL_H
#define XLB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xlb_types.h"

#define XLB_ERR_LEN		256
#define XLB_MAX_IFACES		16
#define XLB_MAX_WEIGHT		65535
#define XLB_DEFAULT_WEIGHT	100
#define XLB_HC_PATH_LEN		128
#define XLB_HC_HOST_LEN		128
#define XLB_HC_PAYLOAD_LEN	256
#define XLB_HC_MAX_STATUS	8

/* An IP address, either family. IPv4 in addr[0], words 1..3 zero. */
struct xlb_addr {
	uint32_t addr[4];	/* network byte order */
	uint8_t family;		/* XLB_AF_INET / XLB_AF_INET6 */
};

/* A VIP's identity: ADDR:PORT/PROTO (port 0 = all ports). */
struct xlb_vip_id {
	struct xlb_addr addr;
	uint16_t port;		/* host byte order */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
};

enum xlb_hash_mode { XLB_HASH_5TUPLE = 0, XLB_HASH_SRC = 1 };

enum xlb_hc_type { XLB_HC_NONE = 0, XLB_HC_TCP, XLB_HC_HTTP, XLB_HC_UDP };

/* What to do when every backend of a VIP is down. */
enum xlb_all_down {
	XLB_ALL_DOWN_KEEP = 0,	/* default: keep serving the last non-empty set */
	XLB_ALL_DOWN_DROP,	/* empty the table: packets dropped and counted */
};

/* Which fields of a health spec were given (for backend-level overrides). */
enum xlb_hc_field {
	XLB_HCF_TYPE = 1 << 0, XLB_HCF_PORT = 1 << 1, XLB_HCF_PATH = 1 << 2,
	XLB_HCF_HOST = 1 << 3, XLB_HCF_STATUS = 1 << 4, XLB_HCF_PAYLOAD = 1 << 5,
	XLB_HCF_EXPECT = 1 << 6, XLB_HCF_INTERVAL = 1 << 7, XLB_HCF_TIMEOUT = 1 << 8,
	XLB_HCF_RISE = 1 << 9, XLB_HCF_FALL = 1 << 10, XLB_HCF_TUNNEL = 1 << 11,
};

struct xlb_health_spec {
	uint32_t set;			/* enum xlb_hc_field: fields given */
	enum xlb_hc_type type;		/* default none */
	uint16_t port;			/* 0 = the VIP's port */
	char path[XLB_HC_PATH_LEN];	/* http; default "/" */
	char host[XLB_HC_HOST_LEN];	/* http Host header; default: backend address */
	uint16_t status[XLB_HC_MAX_STATUS]; /* http: accepted codes; default {200} */
	uint8_t n_status;
	uint8_t payload[XLB_HC_PAYLOAD_LEN]; /* udp: request bytes */
	uint16_t payload_len;
	uint8_t expect[XLB_HC_PAYLOAD_LEN];  /* udp: reply must start with these (0 = any reply) */
	uint16_t expect_len;
	uint32_t interval_ms;		/* default 2000 */
	uint32_t timeout_ms;		/* default 1000 */
	uint8_t rise;			/* default 2 */
	uint8_t fall;			/* default 3 */
	bool tunnel;			/* probe the VIP through the encapsulation */
};

struct xlb_backend_spec {
	struct xlb_addr addr;
	uint32_t weight;		/* 0..XLB_MAX_WEIGHT; 0 = drain */
	struct xlb_health_spec health;	/* overrides; .set says which */
};

struct xlb_vip_spec {
	struct xlb_vip_id id;
	enum xlb_hash_mode hash;
	uint32_t table_size;		/* prime; default XLB_MAGLEV_DEFAULT_SIZE */
	enum xlb_all_down all_down;
	struct xlb_health_spec health;	/* VIP-level defaults */
	struct xlb_backend_spec *backends;
	size_t n_backends;
};

/* Host-wide settings (config file top level; not changed by the API). */
struct xlb_settings {
	char interfaces[XLB_MAX_IFACES][16];
	size_t n_interfaces;
	/* per-flow outer source prefixes; family 0 = not set (use route's source) */
	struct xlb_addr src4_prefix; uint8_t src4_len;
	struct xlb_addr src6_prefix; uint8_t src6_len;
	uint32_t udp_idle_sec;		/* default XLB_DEFAULT_UDP_IDLE_SEC */
	uint32_t new_flows_per_cpu;	/* default XLB_DEFAULT_NEW_FLOWS_PER_CPU */
	uint8_t ttl;			/* default XLB_DEFAULT_TTL */
};

struct xlb_model {
	struct xlb_settings settings;
	struct xlb_vip_spec *vips;
	size_t n_vips;
};

/* ---- lifecycle ---- */
void xlb_model_init(struct xlb_model *m);		/* empty model, defaults set */
void xlb_model_free(struct xlb_model *m);		/* frees arrays; m reusable after init */
int xlb_model_copy(struct xlb_model *dst, const struct xlb_model *src);
void xlb_health_defaults(struct xlb_health_spec *h);	/* interval 2s, timeout 1s, rise 2, fall 3 */
/* Effective spec of a backend: VIP defaults, then the backend's set fields. */
void xlb_health_effective(const struct xlb_vip_spec *v, const struct xlb_backend_spec *b,
			  struct xlb_health_spec *out);

/* ---- lookup and edit (API handlers use these on a copy, then validate) ---- */
struct xlb_vip_spec *xlb_model_find_vip(const struct xlb_model *m, const struct xlb_vip_id *id);
struct xlb_backend_spec *xlb_vip_find_backend(const struct xlb_vip_spec *v, const struct xlb_addr *a);
int xlb_model_add_vip(struct xlb_model *m, const struct xlb_vip_spec *v, char *err);
int xlb_model_del_vip(struct xlb_model *m, const struct xlb_vip_id *id, char *err);
int xlb_vip_add_backend(struct xlb_vip_spec *v, const struct xlb_backend_spec *b, char *err);
int xlb_vip_del_backend(struct xlb_vip_spec *v, const struct xlb_addr *a, char *err);

/* Whole-model validation: duplicates, families, primes, ranges, limits. */
int xlb_model_validate(const struct xlb_model *m, char *err);

/* ---- text forms (contract: CLI and API use exactly these) ---- */
/* "203.0.113.10" / "2001:db8::1" */
int xlb_addr_parse(const char *s, struct xlb_addr *out, char *err);
void xlb_addr_format(const struct xlb_addr *a, char *buf, size_t len);
/* "203.0.113.10:80/tcp", "[2001:db8::10]:443/udp", port 0 = all ports */
int xlb_vip_id_parse(const char *s, struct xlb_vip_id *out, char *err);
void xlb_vip_id_format(const struct xlb_vip_id *v, char *buf, size_t len);
/* CLIENT := "198.18.0.5:40000" / "[2001:db8::5]:40000" */
int xlb_endpoint_parse(const char *s, struct xlb_addr *addr, uint16_t *port, char *err);
int xlb_addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b);
int xlb_vip_id_cmp(const struct xlb_vip_id *a, const struct xlb_vip_id *b);
/* The BPF map key for a VIP id. */
void xlb_vip_id_to_key(const struct xlb_vip_id *v, struct xlb_vip_key *key);
const char *xlb_hash_mode_str(enum xlb_hash_mode h);
const char *xlb_hc_type_str(enum xlb_hc_type t);
const char *xlb_all_down_str(enum xlb_all_down a);

#define XLB_ADDR_STRLEN	48	/* enough for any address */
#define XLB_VIP_STRLEN	64	/* enough for any VIP id */

/* ---- additions (model library): helpers for the codecs, the API and tests ---- */
void xlb_settings_defaults(struct xlb_settings *s);	/* udp_idle, new_flows, ttl defaults */
void xlb_vip_spec_init(struct xlb_vip_spec *v);		/* 5tuple, default size, keep, no backends */
void xlb_backend_spec_init(struct xlb_backend_spec *b);	/* weight XLB_DEFAULT_WEIGHT, no overrides */
void xlb_vip_spec_free(struct xlb_vip_spec *v);		/* frees backends */
int xlb_vip_spec_copy(struct xlb_vip_spec *dst, const struct xlb_vip_spec *src); /* deep; dst overwritten */
/* Copy the fields `from->set` names into `to` (and mark them set in to->set). */
void xlb_health_overlay(struct xlb_health_spec *to, const struct xlb_health_spec *from);
/* Semantic equality (health: only set fields count). */
bool xlb_model_equal(const struct xlb_model *a, const struct xlb_model *b);
bool xlb_settings_equal(const struct xlb_settings *a, const struct xlb_settings *b);
bool xlb_vip_spec_equal(const struct xlb_vip_spec *a, const struct xlb_vip_spec *b);
/*
 * Partial validation; messages are relative paths ("weight: ...",
 * "backends[0].health.timeout: ...", "settings.ttl: ..."). xlb_health_validate
 * checks one complete spec (use xlb_health_effective first).
 */
int xlb_health_validate(const struct xlb_health_spec *h, char *err);
int xlb_backend_validate(const struct xlb_vip_spec *v, const struct xlb_backend_spec *b, char *err);
int xlb_vip_validate(const struct xlb_vip_spec *v, char *err);
int xlb_settings_validate(const struct xlb_settings *s, char *err);
/* Write a printf message into err (XLB_ERR_LEN; err may be NULL); returns ret. */
int xlb_errf(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* snprintf into buf[n] that may truncate on purpose (messages, field paths):
 * gcc's -Wformat-truncation does not see through the va_list. */
void xlb_strf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Text forms of enums and values; 0 or -EINVAL (no message). */
int xlb_hash_mode_parse(const char *s, enum xlb_hash_mode *out);	/* "5tuple" | "src" */
int xlb_hc_type_parse(const char *s, enum xlb_hc_type *out);	/* "none" | "tcp" | "http" | "udp" */
int xlb_all_down_parse(const char *s, enum xlb_all_down *out);	/* "keep" | "drop" */
/* "500ms" "2s" "1.5s" "1m" "1h", bare number = seconds; whole milliseconds only */
int xlb_duration_parse(const char *s, uint32_t *ms);
void xlb_duration_format(uint32_t ms, char *buf, size_t len);	/* shortest exact: "2s", "1500ms" */
/* "198.18.200.0/24": host bits zero, LEN 1..32/128; writes err like the other parsers */
int xlb_prefix_parse(const char *s, struct xlb_addr *addr, uint8_t *len, char *err);
void xlb_prefix_format(const struct xlb_addr *addr, uint8_t len, char *buf, size_t buflen);

#define XLB_DURATION_STRLEN	16
#define XLB_HC_MIN_INTERVAL_MS	100
#define XLB_HC_MAX_INTERVAL_MS	3600000
#define XLB_HC_MAX_RISE_FALL	100
#define XLB_MAX_UDP_IDLE_SEC	86400

#endif /* XLB_MODEL_H */
