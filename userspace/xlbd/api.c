// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * api.c - the API's HTTP server: libevent evhttp on a Unix socket that
 * xlbd creates itself (parent directory made, a stale socket from a killed
 * xlbd removed, a live one refused, mode 0600 = root only). Each request is
 * handed to api_dispatch() (api_routes.c); this file only moves bytes.
 * Limits: headers API_MAX_HEADERS, body API_MAX_APPLY_BODY (evhttp answers
 * 413 itself beyond that; api_dispatch answers JSON 413 for smaller bodies
 * over a route's limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/http.h>

#include "api.h"
#include "log.h"
#include "persist.h"

static const char *method_str(enum evhttp_cmd_type c)
{
	switch (c) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "?";
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct api *api = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *out;
	const char *method = method_str(evhttp_request_get_command(req));
	const char *uri = evhttp_request_get_uri(req);
	const char *ctype = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	size_t len = evbuffer_get_length(in);
	const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
	struct api_reply rep;
	char *text;

	api_dispatch(api, method, uri, ctype, body ? body : "", body ? len : 0, &rep);
	text = json_dumps(rep.body, JSON_COMPACT);
	json_decref(rep.body);
	if (rep.status >= 400)
		log_info("api: %s %s -> %d %s", method, uri, rep.status, text ? text : "");
	else
		log_debug("api: %s %s -> %d", method, uri, rep.status);
	out = evbuffer_new();
	if (out) {
		evbuffer_add_printf(out, "%s\n", text ? text : "{\"error\":\"out of memory\"}");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
		evhttp_send_reply(req, rep.status, reason_of(rep.status), out);
		evbuffer_free(out);
	} else {
		evhttp_send_error(req, 500, NULL);
	}
	free(text);
}

/* A socket file left by a killed xlbd is removed; a live xlbd's is not. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd, live;

	if (lstat(path, &sb))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode)) {
		log_error("api socket %s: exists and is not a socket: not touching it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	if (live) {
		log_error("api socket %s: another xlbd is serving it (stop it first)", path);
		return -EADDRINUSE;
	}
	return unlink(path) ? -errno : 0;
}

static int make_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	mode_t old_mask;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("api socket %s: path too long (max %zu)", path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	err = persist_mkdir_p(dirname(dir), 0755);
	if (!err)
		err = clear_stale(path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old_mask = umask(0177);	/* no window where the socket is group/world accessible */
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old_mask);
	if (!err && chmod(path, 0600))
		err = -errno;
	if (!err && listen(fd, 128))
		err = -errno;
	if (err) {
		log_error("api socket %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

int api_start(struct api *api, struct event_base *base, const char *socket_path)
{
	int fd = make_socket(socket_path);

	if (fd < 0)
		return fd;
	api->http = evhttp_new(base);
	if (!api->http) {
		close(fd);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				   EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);	/* 405 JSON, not 501 */
	evhttp_set_max_body_size(api->http, API_MAX_APPLY_BODY);
	evhttp_set_max_headers_size(api->http, API_MAX_HEADERS);
	evhttp_set_timeout(api->http, 60);
	evhttp_set_gencb(api->http, on_request, api);
	if (!evhttp_accept_socket_with_handle(api->http, fd)) {
		log_error("api socket %s: evhttp cannot accept on it", socket_path);
		evhttp_free(api->http);
		api->http = NULL;
		close(fd);
		return -EIO;
	}
	snprintf(api->socket_path, sizeof(api->socket_path), "%s", socket_path);
	log_info("api: listening on %s", socket_path);
	return 0;
}

void api_stop(struct api *api)
{
	if (api->http)
		evhttp_free(api->http);	/* closes the listening socket */
	api->http = NULL;
	if (api->socket_path[0])
		unlink(api->socket_path);
	api->socket_path[0] = '\0';
}
