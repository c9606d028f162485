/*
 * cache.h — the fake's cache of search results, shared by the APIs that
 * page through large data sets (api_flaky.c, api_tests.c): a few sorted
 * index lists, each under the request key that produced it, valid while
 * the data's generation stays the same, so walking 1,000 pages stays fast.
 */
#ifndef FD_CACHE_H
#define FD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define FD_CACHE_SLOTS 8

struct fd_cache {
	struct {
		char *key;
		uint64_t gen;
		int *idx;
		int n;
	} slot[FD_CACHE_SLOTS];
	int next;
	uint64_t gen; /* bumped whenever the data changes */
};

/* The index list kept for key in the current generation, or NULL. */
int *fd_cache_get(struct fd_cache *c, const char *key, int *n);

/* Keeps idx (n entries) for key; both are taken over (free()d later). */
void fd_cache_put(struct fd_cache *c, char *key, int *idx, int n);

struct fd_search;

/* Makes the sorted index list for a parsed query (*n entries, malloc'd). */
typedef int *(*fd_cache_fill)(const struct fd_search *q, void *ctx, int *n);

/* A search through the cache: the list kept under key, or the one fill()
 * makes for `query` (kept for next time).  0 with *idx and *n set (the
 * cache's memory), or -1 with err set when the query does not parse.  key
 * is taken over. */
int fd_cache_search(struct fd_cache *c, char *key, const char *query, fd_cache_fill fill, void *ctx, int **idx,
		    int *n, char *err, size_t errlen);

/* The data changed: what is kept is stale. */
void fd_cache_stale(struct fd_cache *c);

/* The data was replaced: stale, and the memory is given back. */
void fd_cache_clear(struct fd_cache *c);

#endif
