#ifndef NANOATOMS_CHECKSUM_H
#define NANOATOMS_CHECKSUM_H

#include <stdint.h>
#include <stddef.h>

/// The running state of a SHA-256 digest (FIPS 180-4): what provenance records of each input,
/// so that anyone can check a file with `sha256sum`.
typedef struct {
    uint32_t h[8];
    uint8_t block[64];
    uint64_t length;      // bytes hashed so far
    size_t filled;        // bytes waiting in `block`
} nanoatoms_sha256;

/// Starts a digest.
void nanoatoms_sha256_init(nanoatoms_sha256 *s);
/// Adds `n` bytes.
void nanoatoms_sha256_update(nanoatoms_sha256 *s, const uint8_t *bytes, size_t n);
/// Finishes the digest into `out` (32 bytes); the state is spent.
void nanoatoms_sha256_final(nanoatoms_sha256 *s, uint8_t out[32]);

/// Whether the digest uses the CPU's SHA extensions: `choice` 0 turns them off, 1 on where the
/// CPU has them, -1 only asks. Tests compare both paths.
int nanoatoms_sha256_hardware(int choice);

#endif
