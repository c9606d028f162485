/* scripted_server.h — what the unit tests that talk HTTP share (test_http.c,
 * test_client.c): a tiny scripted HTTP/1.1 server on loopback (a thread;
 * one connection at a time, keep-alive) that answers each request with the
 * next scripted reply and keeps the requests it received, and a
 * configuration pointing at it.  Define API_KEY and APP_KEY, and include
 * the system headers the test files include, first. */
#ifndef DDCI_TEST_SCRIPTED_SERVER_H
#define DDCI_TEST_SCRIPTED_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ddci/config.h"
#include "ddci/timeutil.h"


struct reply {
	int status;
	const char *headers; /* extra header lines, each ending in \r\n */
	const char *body;
	int hang;            /* read the request, never answer */
};

#define MAX_REQS 8

struct server {
	int lfd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	const struct reply *replies;
	int nreplies;
	int served, accepts;
	char reqs[MAX_REQS][4096];
	volatile int stop;
};

/* Waits until fd is readable or the server stops; 1 when readable. */
static inline int wait_readable(struct server *s, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (!s->stop) {
		int n = poll(&p, 1, 20);

		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
	}
	return 0;
}

static inline void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static inline void serve_conn(struct server *s, int fd)
{
	char buf[8192];
	size_t have = 0;

	for (;;) {
		char *end;
		size_t head, want = 0;
		const char *cl;
		const struct reply *r;
		char out[8192];
		int n;

		while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
			ssize_t got;

			if (have == sizeof(buf) || !wait_readable(s, fd))
				return;
			got = recv(fd, buf + have, sizeof(buf) - have, 0);
			if (got <= 0)
				return;
			have += (size_t)got;
		}
		head = (size_t)(end - buf) + 4;
		buf[head - 1] = '\0';
		cl = strcasestr(buf, "\r\ncontent-length:");
		if (cl)
			want = strtoul(cl + 17, NULL, 10);
		buf[head - 1] = '\n';
		while (have < head + want && have < sizeof(buf)) {
			ssize_t got;

			if (!wait_readable(s, fd))
				return;
			got = recv(fd, buf + have, sizeof(buf) - have, 0);
			if (got <= 0)
				return;
			have += (size_t)got;
		}
		pthread_mutex_lock(&s->lock);
		if (s->served < MAX_REQS) {
			size_t len = head + want < sizeof(s->reqs[0]) - 1 ? head + want : sizeof(s->reqs[0]) - 1;

			memcpy(s->reqs[s->served], buf, len);
			s->reqs[s->served][len] = '\0';
		}
		r = &s->replies[s->served < s->nreplies ? s->served : s->nreplies - 1];
		s->served++;
		pthread_mutex_unlock(&s->lock);
		memmove(buf, buf + head + want, have - head - want);
		have -= head + want;

		if (r->hang) {
			while (wait_readable(s, fd) && recv(fd, out, sizeof(out), 0) > 0)
				;
			return;
		}
		n = snprintf(out, sizeof(out), "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n%s\r\n%s",
			     r->status, r->body ? strlen(r->body) : 0, r->headers ? r->headers : "",
			     r->body ? r->body : "");
		write_all(fd, out, (size_t)n);
	}
}

static inline void *server_main(void *arg)
{
	struct server *s = arg;

	while (wait_readable(s, s->lfd)) {
		int fd = accept(s->lfd, NULL, NULL);

		if (fd < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		s->accepts++;
		pthread_mutex_unlock(&s->lock);
		serve_conn(s, fd);
		close(fd);
	}
	return NULL;
}

static inline int listen_loopback(int *port, int do_listen)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static inline void server_start(struct server *s, const struct reply *replies, int n)
{
	memset(s, 0, sizeof(*s));
	s->replies = replies;
	s->nreplies = n;
	pthread_mutex_init(&s->lock, NULL);
	s->lfd = listen_loopback(&s->port, 1);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static inline void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->lock);
}

struct fixture {
	struct ddci_config cfg;
	char url[96];
};

/* A configuration for `url` (API_KEY and APP_KEY, as the test defines them). */
static inline void fixture_init(struct fixture *f, const char *url, int64_t timeout_ms, int retries)
{
	struct ddci_config init = DDCI_CONFIG_INIT;

	f->cfg = init;
	snprintf(f->url, sizeof(f->url), "%s", url);
	f->cfg.prog = "ddci-test";
	f->cfg.api_url = f->url;
	f->cfg.api_key = API_KEY;
	f->cfg.app_key = APP_KEY;
	f->cfg.timeout_ms = timeout_ms;
	f->cfg.retries = retries;
	f->cfg.dry_run = 0;
	f->cfg.loopback = 1;
	f->cfg.deadline_mono_ns = ddci_time_mono_ns() + timeout_ms * 1000000;
}

/* The same for the scripted server on `port`. */
static inline void fixture_port(struct fixture *f, int port, int64_t timeout_ms, int retries)
{
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	fixture_init(f, url, timeout_ms, retries);
}

static inline int64_t elapsed_ms(int64_t t0)
{
	return (ddci_time_mono_ns() - t0) / 1000000;
}

#endif
