// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * addr.c - the text forms of model.h (a contract shared by the config file,
 * the API and the CLI), their ordering, the BPF key of a VIP id and the
 * *_str() names of the model's enums.
 *
 *   ADDR     := inet_pton form ("203.0.113.10", "2001:db8::10")
 *   VIP      := ADDR:PORT/PROTO | [V6ADDR]:PORT/PROTO   (PORT 0 = all ports)
 *   CLIENT   := ADDR:PORT | [V6ADDR]:PORT
 *
 * Parsers return 0 or -EINVAL and write a message quoting the input into err
 * (XLB_ERR_LEN bytes; err may be NULL).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

/* Every parse error here is -EINVAL (xlb_errf: model.c). */
#define fail(err, ...) xlb_errf(err, -EINVAL, __VA_ARGS__)

/* Text in quotes is cut so that a long input still leaves room for the message. */
#define Q "%.80s"

/* inet_pton of s[0..len) in either family; 0 or -EINVAL (no message). */
static int addr_from(const char *s, size_t len, struct xlb_addr *out)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &out->addr[0]) == 1) {
		out->family = XLB_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = XLB_AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int xlb_addr_parse(const char *s, struct xlb_addr *out, char *err)
{
	if (!s || addr_from(s, strlen(s), out))
		return fail(err, "bad address '" Q "'", s ? s : "");
	return 0;
}

void xlb_addr_format(const struct xlb_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *r = NULL;

	if (a->family == XLB_AF_INET)
		r = inet_ntop(AF_INET, &a->addr[0], tmp, sizeof(tmp));
	else if (a->family == XLB_AF_INET6)
		r = inet_ntop(AF_INET6, a->addr, tmp, sizeof(tmp));
	snprintf(buf, len, "%s", r ? r : "?");
}

/* Decimal 0..65535, digits only; 0 or -EINVAL. */
static int port_from(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/*
 * Split "ADDR:PORT" / "[V6]:PORT" (s[0..len)) into address and port. what
 * names the form in messages ("VIP", "endpoint"), whole is the full input.
 */
static int hostport(const char *s, size_t len, const char *what, const char *whole,
		    const char *form, struct xlb_addr *addr, uint16_t *port, char *err)
{
	const char *a, *p;
	size_t alen, plen;

	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close || (size_t)(close - s) + 1 >= len || close[1] != ':')
			return fail(err, "bad %s '" Q "': expected %s", what, whole, form);
		a = s + 1;
		alen = (size_t)(close - a);
		p = close + 2;
	} else {
		const char *colon = memchr(s, ':', len);

		if (!colon)
			return fail(err, "bad %s '" Q "': expected %s", what, whole, form);
		if (memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)))
			return fail(err, "bad %s '" Q "': IPv6 addresses go in brackets: [ADDR]:PORT",
				    what, whole);
		a = s;
		alen = (size_t)(colon - s);
		p = colon + 1;
	}
	plen = len - (size_t)(p - s);
	if (addr_from(a, alen, addr))
		return fail(err, "bad address '%.*s' in %s '" Q "'", (int)(alen > 64 ? 64 : alen), a,
			    what, whole);
	if (s[0] == '[' && addr->family != XLB_AF_INET6)
		return fail(err, "bad %s '" Q "': brackets are only for IPv6 addresses", what, whole);
	if (port_from(p, plen, port))
		return fail(err, "bad port '%.*s' in %s '" Q "'", (int)(plen > 16 ? 16 : plen), p,
			    what, whole);
	return 0;
}

int xlb_vip_id_parse(const char *s, struct xlb_vip_id *out, char *err)
{
	static const char form[] = "ADDR:PORT/PROTO";
	const char *slash;
	struct xlb_vip_id v;

	memset(&v, 0, sizeof(v));
	if (!s)
		return fail(err, "bad VIP '': expected %s", form);
	slash = strrchr(s, '/');
	if (!slash)
		return fail(err, "bad VIP '" Q "': expected %s", s, form);
	if (!strcmp(slash + 1, "tcp"))
		v.proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		v.proto = IPPROTO_UDP;
	else
		return fail(err, "bad VIP '" Q "': unknown protocol '%.16s' (tcp|udp)", s, slash + 1);
	if (hostport(s, (size_t)(slash - s), "VIP", s, form, &v.addr, &v.port, err))
		return -EINVAL;
	*out = v;
	return 0;
}

void xlb_vip_id_format(const struct xlb_vip_id *v, char *buf, size_t len)
{
	char a[XLB_ADDR_STRLEN];
	const char *proto = v->proto == IPPROTO_TCP ? "tcp" : v->proto == IPPROTO_UDP ? "udp" : "?";

	xlb_addr_format(&v->addr, a, sizeof(a));
	if (v->addr.family == XLB_AF_INET6)
		snprintf(buf, len, "[%s]:%u/%s", a, v->port, proto);
	else
		snprintf(buf, len, "%s:%u/%s", a, v->port, proto);
}

int xlb_endpoint_parse(const char *s, struct xlb_addr *addr, uint16_t *port, char *err)
{
	struct xlb_addr a;
	uint16_t p;

	if (!s)
		return fail(err, "bad endpoint '': expected ADDR:PORT");
	if (hostport(s, strlen(s), "endpoint", s, "ADDR:PORT or [V6ADDR]:PORT", &a, &p, err))
		return -EINVAL;
	*addr = a;
	*port = p;
	return 0;
}

/* Family, then the address bytes (network order, so numeric order). */
int xlb_addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, a->family == XLB_AF_INET ? 4 : 16);
}

int xlb_vip_id_cmp(const struct xlb_vip_id *a, const struct xlb_vip_id *b)
{
	int r = xlb_addr_cmp(&a->addr, &b->addr);

	if (r)
		return r;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return 0;
}

void xlb_vip_id_to_key(const struct xlb_vip_id *v, struct xlb_vip_key *key)
{
	memset(key, 0, sizeof(*key));
	if (v->addr.family == XLB_AF_INET)
		key->addr[0] = v->addr.addr[0];
	else
		memcpy(key->addr, v->addr.addr, sizeof(key->addr));
	key->port = htons(v->port);
	key->proto = v->proto;
	key->family = v->addr.family;
}

const char *xlb_hash_mode_str(enum xlb_hash_mode h)
{
	switch (h) {
	case XLB_HASH_5TUPLE:
		return "5tuple";
	case XLB_HASH_SRC:
		return "src";
	}
	return "?";
}

const char *xlb_hc_type_str(enum xlb_hc_type t)
{
	switch (t) {
	case XLB_HC_NONE:
		return "none";
	case XLB_HC_TCP:
		return "tcp";
	case XLB_HC_HTTP:
		return "http";
	case XLB_HC_UDP:
		return "udp";
	}
	return "?";
}

const char *xlb_all_down_str(enum xlb_all_down a)
{
	switch (a) {
	case XLB_ALL_DOWN_KEEP:
		return "keep";
	case XLB_ALL_DOWN_DROP:
		return "drop";
	}
	return "?";
}

int xlb_hash_mode_parse(const char *s, enum xlb_hash_mode *out)
{
	if (!strcmp(s, "5tuple"))
		*out = XLB_HASH_5TUPLE;
	else if (!strcmp(s, "src"))
		*out = XLB_HASH_SRC;
	else
		return -EINVAL;
	return 0;
}

int xlb_hc_type_parse(const char *s, enum xlb_hc_type *out)
{
	if (!strcmp(s, "none"))
		*out = XLB_HC_NONE;
	else if (!strcmp(s, "tcp"))
		*out = XLB_HC_TCP;
	else if (!strcmp(s, "http"))
		*out = XLB_HC_HTTP;
	else if (!strcmp(s, "udp"))
		*out = XLB_HC_UDP;
	else
		return -EINVAL;
	return 0;
}

int xlb_all_down_parse(const char *s, enum xlb_all_down *out)
{
	if (!strcmp(s, "keep"))
		*out = XLB_ALL_DOWN_KEEP;
	else if (!strcmp(s, "drop"))
		*out = XLB_ALL_DOWN_DROP;
	else
		return -EINVAL;
	return 0;
}

/*
 * "500ms", "2s", "1.5s", "1m", "1h", or a bare number of seconds ("30").
 * Must be a whole number of milliseconds that fits 32 bits.
 */
int xlb_duration_parse(const char *s, uint32_t *ms)
{
	unsigned long long whole = 0, frac = 0, fdiv = 1, mult, total;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned long long)(*p - '0');
		if (whole > 0xffffffffull)
			return -EINVAL;
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (fdiv >= 1000000000ull)
				return -EINVAL;
			frac = frac * 10 + (unsigned long long)(*p - '0');
			fdiv *= 10;
		}
	}
	if (!strcmp(p, "ms"))
		mult = 1;
	else if (!strcmp(p, "s") || !*p)
		mult = 1000;
	else if (!strcmp(p, "m"))
		mult = 60 * 1000;
	else if (!strcmp(p, "h"))
		mult = 3600 * 1000;
	else
		return -EINVAL;
	if ((frac * mult) % fdiv)
		return -EINVAL;		/* not a whole number of milliseconds */
	total = whole * mult + frac * mult / fdiv;
	if (total > 0xffffffffull)
		return -EINVAL;
	*ms = (uint32_t)total;
	return 0;
}

/* The shortest exact form: "1h", "2m", "30s", "1500ms", "0s". */
void xlb_duration_format(uint32_t ms, char *buf, size_t len)
{
	if (ms == 0)
		snprintf(buf, len, "0s");
	else if (ms % 3600000 == 0)
		snprintf(buf, len, "%uh", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
}

/* "198.18.200.0/24", "2001:db8:ff::/64": host bits must be zero, length >= 1. */
int xlb_prefix_parse(const char *s, struct xlb_addr *addr, uint8_t *len, char *err)
{
	const char *slash = s ? strrchr(s, '/') : NULL;
	struct xlb_addr a;
	unsigned long l = 0;
	const char *p;
	unsigned max;

	if (!slash || !slash[1])
		return fail(err, "bad prefix '" Q "': expected ADDR/LEN", s ? s : "");
	if (addr_from(s, (size_t)(slash - s), &a))
		return fail(err, "bad address in prefix '" Q "'", s);
	max = a.family == XLB_AF_INET ? 32 : 128;
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9' || l > 128)
			return fail(err, "bad length in prefix '" Q "' (1..%u)", s, max);
		l = l * 10 + (unsigned long)(*p - '0');
	}
	if (l < 1 || l > max)
		return fail(err, "bad length in prefix '" Q "' (1..%u)", s, max);
	for (unsigned bit = (unsigned)l; bit < max; bit++) {
		const uint8_t *bytes = (const uint8_t *)a.addr;

		if (bytes[bit / 8] & (0x80 >> (bit % 8)))
			return fail(err, "prefix '" Q "' has host bits set", s);
	}
	*addr = a;
	*len = (uint8_t)l;
	return 0;
}

void xlb_prefix_format(const struct xlb_addr *addr, uint8_t len, char *buf, size_t buflen)
{
	char a[XLB_ADDR_STRLEN];

	xlb_addr_format(addr, a, sizeof(a));
	snprintf(buf, buflen, "%s/%u", a, len);
}
