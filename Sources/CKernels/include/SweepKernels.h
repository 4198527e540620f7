#ifndef NANOATOMS_SWEEP_KERNELS_H
#define NANOATOMS_SWEEP_KERNELS_H

#include <stdint.h>

/// One voxel above the floor of a component sweep: its grid position, the raw map's value
/// (the weight of the centre of mass) and the denoised map's.
typedef struct {
    uint16_t i, j, k;
    float weight, denoised;
} nanoatoms_sweep_entry;

/// The sweep's state: a label grid over its bounding box padded by one voxel on every side
/// (and four spare values at the end), the union-find parents and, per seed, the sums
/// Σw, Σw·i, Σw·j, Σw·k, Σc, Σc·i, Σc·j, Σc·k (w the raw value, c the denoised).
typedef struct {
    int32_t *label;
    int32_t *parent;
    double *sums;
    /// Offsets, in the label grid, of the nine rows of three neighbours (dk, dj = −1...1).
    long rowOffsets[9];
    /// The box's first voxel and the padded grid's row and plane lengths.
    long lox, loy, loz, bx, by;
    /// Seeds made so far.
    long seeds;
} nanoatoms_sweep_state;

/// Adds `count` voxels, in order, to the sweep: each joins the components of its labelled
/// 26 neighbours (merged in the union-find, largest seed first) or starts a new one, and
/// adds its values to its component's sums. Uses SSE4.1 where `vector` is non-zero (only
/// where nanoatoms_has_sse41() is true); both paths give identical results.
void nanoatoms_sweep_add(nanoatoms_sweep_state *state, const nanoatoms_sweep_entry *entries, long count, int vector);

/// Whether this CPU has SSE4.1 (x86-64; false elsewhere).
int nanoatoms_has_sse41(void);

#endif
