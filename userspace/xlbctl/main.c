// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xlbctl - xlb's operator CLI: a thin client of xlbd's HTTP+JSON API on a
 * Unix socket. Parse (parse.c), send (client.c), show (render.c).
 * Exit status: 0 success, 1 xlbd refused or unreachable (message on
 * stderr), 2 usage error (message and the command's usage on stderr).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "xlbctl.h"

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request; on success *reply holds the parsed JSON body. Returns a CTL_EXIT_* code. */
static int call(const char *socket, const struct ctl_request *req, json_t **reply)
{
	char err[CTL_ERR_LEN] = "";
	struct ctl_response resp;
	json_error_t jerr;
	json_t *j;

	*reply = NULL;
	if (ctl_http(socket, req, &resp, err) < 0) {
		fprintf(stderr, "xlbctl: %s\n", err);
		return CTL_EXIT_REFUSED;
	}
	j = json_loadb(resp.body, resp.len, JSON_DECODE_ANY, &jerr);
	if (resp.status >= 300) {
		const char *msg = json_string_value(json_object_get(j, "error"));

		/* xlbd names the text it was sent "config"; the operator knows it by its file name */
		if (msg && req->file && strcmp(req->file, "-") && !strncmp(msg, "config:", 7))
			fprintf(stderr, "xlbctl: %s:%s\n", req->file, msg + 7);
		else if (msg)
			fprintf(stderr, "xlbctl: %s\n", msg);
		else
			fprintf(stderr, "xlbctl: xlbd replied HTTP %ld: %.200s\n", resp.status, resp.body);
		json_decref(j);
		ctl_response_free(&resp);
		return CTL_EXIT_REFUSED;
	}
	if (!j) {
		fprintf(stderr, "xlbctl: xlbd's reply (HTTP %ld) is not JSON: %s: %.200s\n", resp.status,
			jerr.text, resp.body);
		ctl_response_free(&resp);
		return CTL_EXIT_REFUSED;
	}
	ctl_response_free(&resp);
	*reply = j;
	return CTL_EXIT_OK;
}

static int run(const struct ctl_parsed *p)
{
	json_t *reply, *before;
	struct timespec ts;
	double t0, secs;
	int rc;

	if ((rc = call(p->socket, &p->req, &reply)))
		return rc;
	if (p->req.render != CTL_R_STATS_RATE) {
		rc = ctl_render(&p->req, p->output, reply, stdout);
		json_decref(reply);
		return rc;
	}
	/* Rates: the same request again one interval later, divided by the time that passed. */
	before = reply;
	t0 = now_sec();
	ts.tv_sec = (time_t)p->req.interval_sec;
	ts.tv_nsec = (long)((p->req.interval_sec - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	if ((rc = call(p->socket, &p->req, &reply))) {
		json_decref(before);
		return rc;
	}
	secs = now_sec() - t0;
	rc = ctl_render_rate(p->output, before, reply, secs > 0 ? secs : p->req.interval_sec, stdout);
	json_decref(before);
	json_decref(reply);
	return rc;
}

int main(int argc, char **argv)
{
	char err[CTL_ERR_LEN] = "";
	struct ctl_parsed p;
	int ret;

	ret = ctl_parse(argc, argv, &p, err);
	if (ret == CTL_PARSE_HELP) {
		ctl_print_help(stdout, p.node, p.cmd_path);
		return CTL_EXIT_OK;
	}
	if (ret < 0) {
		fprintf(stderr, "xlbctl: %s\n", err);
		if (ret == -EINVAL)
			ctl_print_usage(stderr, p.node, p.cmd_path);
		return CTL_EXIT_USAGE;
	}
	ret = run(&p);
	ctl_parsed_free(&p);
	return ret;
}
