/* hash.h — SHA-256, for deterministic event ids and spool file names; and
 * a 32-bit integer mixer for the random spreads of retries and waits. */
#ifndef DDCI_HASH_H
#define DDCI_HASH_H

#include <stddef.h>
#include <stdint.h>

struct ddci_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t used;
};

void ddci_sha256_init(struct ddci_sha256 *c);
void ddci_sha256_update(struct ddci_sha256 *c, const void *data, size_t len);
void ddci_sha256_final(unsigned char out[32], struct ddci_sha256 *c);
/* Hex of SHA-256 over `data`, 64 chars + NUL. */
void ddci_sha256_hex(char out[65], const void *data, size_t len);

/* A 32-bit integer hash with good avalanche (not cryptographic): seeds and
 * steps the jitter of waits. */
uint32_t ddci_hash_mix32(uint32_t x);

#endif
