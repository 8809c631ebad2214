/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cp_http.c - what the control-plane benchmark needs around xlbd: HTTP
 * requests over its Unix socket (libcurl), its CPU time and peak RSS from
 * /proc, and an accept-and-close TCP listener that health checks hit.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <curl/curl.h>
#include "bench.h"
#include "cp.h"

struct buf {
	char *p;
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *p = realloc(b->p, b->len + size * n + 1);

	if (!p)
		return 0;
	memcpy(p + b->len, data, size * n);
	b->p = p;
	b->len += size * n;
	b->p[b->len] = 0;
	return size * n;
}

int cp_http(const char *sock, const char *method, const char *path, const char *body,
	    const char *ctype, long *status, char **reply)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct buf b = { 0 };
	char url[1024], hdr[128];
	CURLcode rc;

	if (!c)
		return -ENOMEM;
	snprintf(url, sizeof(url), "http://xlb%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	/* a mutation may take long (that is measured); a read should not */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, strcmp(method, "GET") ? 120L : 15L);
	if (body) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", ctype ? ctype : "application/json");
		hdrs = curl_slist_append(hdrs, hdr);
		hdrs = curl_slist_append(hdrs, "Expect:");	/* no 100-continue round trip */
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (rc == CURLE_PARTIAL_FILE) {
		/* the daemon answered, but closed before the whole body: its
		 * status line counts, the caller decides and says so */
		fprintf(stderr, "cp: %s %s: reply cut short (%zu bytes of body)\n", method, path, b.len);
		if (reply)
			*reply = b.p ? b.p : strdup("");
		else
			free(b.p);
		return -EPIPE;
	}
	if (rc != CURLE_OK) {
		fprintf(stderr, "cp: %s %s on %s: %s\n", method, path, sock, curl_easy_strerror(rc));
		free(b.p);
		return -EIO;
	}
	if (reply)
		*reply = b.p ? b.p : strdup("");
	else
		free(b.p);
	return 0;
}

int cp_proc_cpu_ticks(int pid, uint64_t *ticks)
{
	char path[64], line[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	p = p ? strrchr(line, ')') : NULL;	/* comm may hold spaces */
	/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p)
		return -EIO;
	n = sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
	if (n != 2)
		return -EIO;
	*ticks = ut + st;
	return 0;
}

int cp_proc_kib(int pid, const char *field, uint64_t *kib)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			*kib = strtoull(line + flen + 1, NULL, 10);
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

static volatile sig_atomic_t listen_stop;

static void on_term(int sig)
{
	(void)sig;
	listen_stop = 1;
}

/*
 * Accept and close on 0.0.0.0:port until SIGTERM; every second write the
 * number of connections accepted so far to stdout (bench.sh redirects it
 * to a file the benchmark reads). Returns 0 or -errno.
 */
int bench_listen(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 0, 200000 };
	unsigned long long accepted = 0;
	uint64_t last = 0;
	int one = 1, s;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4096)) {
		int err = -errno;

		fprintf(stderr, "listen: cannot listen on port %d: %s\n", port, strerror(-err));
		return err;
	}
	while (!listen_stop) {
		int c = accept(s, NULL, NULL);
		uint64_t now;

		if (c >= 0) {
			close(c);
			accepted++;
		}
		now = bench_now_ns();
		if (now - last > 1000000000ull) {
			printf("%llu\n", accepted);
			fflush(stdout);
			last = now;
		}
	}
	printf("%llu\n", accepted);
	close(s);
	return 0;
}
