// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * client.c - one HTTP/1.1 request to xlbd over its Unix socket, with
 * libcurl (CURLOPT_UNIX_SOCKET_PATH): the host part of the URL is ignored,
 * so "http://xlb/v1/..." reaches the socket. Returns 0 when any HTTP reply
 * came back (resp->status says which), else a negative errno with err set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "xlbctl.h"

#define CTL_TIMEOUT_SEC		60	/* apply of a large config builds many tables */
#define CTL_MAX_REPLY		(64u << 20)

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ctl_response *r = arg;
	size_t n = size * nmemb;
	char *nb;

	if (r->len + n + 1 > CTL_MAX_REPLY)
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	nb = realloc(r->body, r->len + n + 1);
	if (!nb)
		return 0;
	memcpy(nb + r->len, data, n);
	r->body = nb;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY: return -ENOMEM;
	default: return -EIO;
	}
}

int ctl_http(const char *socket, const struct ctl_request *req, struct ctl_response *resp, char *err)
{
	static bool inited;
	struct curl_slist *hdrs = NULL;
	char url[CTL_PATH_LEN + 16], ctype[64];
	CURL *c;
	CURLcode rc;
	int ret = 0;

	memset(resp, 0, sizeof(*resp));
	if (!inited) {
		curl_global_init(CURL_GLOBAL_NOTHING);
		inited = true;
	}
	c = curl_easy_init();
	if (!c) {
		snprintf(err, CTL_ERR_LEN, "cannot initialise libcurl");
		return -ENOMEM;
	}
	snprintf(url, sizeof(url), "http://xlb%s", req->path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CTL_TIMEOUT_SEC);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* No "Expect: 100-continue" round trip for big apply bodies. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (req->body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", req->content_type);
		hdrs = curl_slist_append(hdrs, ctype);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else if (strcmp(req->method, "GET")) {
		/* An explicit "Content-Length: 0", so the server never waits for a body. */
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		ret = curl_errno(rc);
		snprintf(err, CTL_ERR_LEN, "cannot reach xlbd at %s: %s (is xlbd running? see --socket, XLB_SOCKET)",
			 socket, curl_easy_strerror(rc));
		ctl_response_free(resp);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		if (!resp->body)
			resp->body = strdup("");
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return ret;
}

void ctl_response_free(struct ctl_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
