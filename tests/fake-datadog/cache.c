/* cache.c — search results kept per request key (see cache.h). */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "fd.h"

int *fd_cache_get(struct fd_cache *c, const char *key, int *n)
{
	for (int i = 0; i < FD_CACHE_SLOTS; i++) {
		if (c->slot[i].key && c->slot[i].gen == c->gen && strcmp(c->slot[i].key, key) == 0) {
			*n = c->slot[i].n;
			return c->slot[i].idx;
		}
	}
	return NULL;
}

void fd_cache_put(struct fd_cache *c, char *key, int *idx, int n)
{
	int s = c->next++ % FD_CACHE_SLOTS;

	free(c->slot[s].key);
	free(c->slot[s].idx);
	c->slot[s].key = key;
	c->slot[s].gen = c->gen;
	c->slot[s].idx = idx;
	c->slot[s].n = n;
}

int fd_cache_search(struct fd_cache *c, char *key, const char *query, fd_cache_fill fill, void *ctx, int **idx,
		    int *n, char *err, size_t errlen)
{
	struct fd_search q;

	if ((*idx = fd_cache_get(c, key, n))) {
		free(key);
		return 0;
	}
	if (fd_search_parse(&q, query, err, errlen) != 0) {
		free(key);
		return -1;
	}
	*idx = fill(&q, ctx, n);
	fd_search_release(&q);
	fd_cache_put(c, key, *idx, *n);
	return 0;
}

void fd_cache_stale(struct fd_cache *c)
{
	c->gen++;
}

void fd_cache_clear(struct fd_cache *c)
{
	for (int i = 0; i < FD_CACHE_SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].idx);
		memset(&c->slot[i], 0, sizeof c->slot[i]);
	}
	c->gen++;
}
