#ifndef NANOATOMS_RENDER_KERNELS_H
#define NANOATOMS_RENDER_KERNELS_H

/// One isotropic atom to add to a map: a sum of separable terms over a box of the map. Term q
/// adds gz[q·wz + k] · gy[q·wy + j] · gx[q·sx + i] at voxel (i0 + i, j0 + j, k0 + k); a zero
/// factor marks where the term does not reach (each term's factors are non-zero over one
/// interval per axis, and only that box of it is visited). `sx` (≥ wx + 8) is the stride of
/// gx's terms, whose values from wx on are zero, so that the vector path can read whole blocks
/// of eight.
typedef struct {
    float *map;                ///< the map the atom is added to
    long nx, nxy;              ///< the map's row and plane lengths
    long i0, j0, k0;           ///< the box's first voxel
    long wx, wy, wz;           ///< the box's size
    long sx;                   ///< gx's stride per term
    long room;                 ///< voxels from the box's first to its row's end (≥ wx)
    const float *gx, *gy, *gz;
    long terms;
} nanoatoms_atom_render;

/// Adds the atom to its map. With `vector` non-zero (only where nanoatoms_has_avx2_fma() is
/// true) eight voxels of a row go at a time with fused multiply-adds; the portable loop adds
/// in the same order.
void nanoatoms_render_atom(const nanoatoms_atom_render *r, int vector);

#endif
