#ifndef NANOATOMS_FIT_KERNELS_H
#define NANOATOMS_FIT_KERNELS_H

/// One atom's window for a Gauss–Newton step of its (x, y, z, A, U): where it lies in the map,
/// its voxels' offsets from the atom per axis, and its separable terms. Term q at voxel (i, j, k)
/// is ez[q·wz + k] · ey[q·wy + j] · ex[q·wx + i] (ez holding the term's coefficient), with
/// inverse variance inverse[q]. Only voxels within `radiusSquared` of the atom count.
typedef struct {
    const float *map;          ///< the map M
    const float *model;        ///< the model S, holding this atom too; NULL: this atom alone
    long nx, nxy;              ///< the map's row and plane lengths
    long i0, j0, k0;           ///< the window's first voxel
    long wx, wy, wz;           ///< the window's size
    const double *dx, *dy, *dz;
    const double *ex, *ey, *ez;
    const double *inverse;
    long terms;
    double radiusSquared;
    double background;
    double amplitude;          ///< the atom's A (its model when `model` is NULL)
} nanoatoms_atom_window;

/// The sums of one atom's step: JᵀJ's upper triangle (row-major: xx, xy, xz, xA, xU, yy, …, UU),
/// Jᵀr, the residual sum of squares and the voxels used.
typedef struct {
    double jtj[15];
    double jtr[5];
    double rss;
    long voxels;
} nanoatoms_atom_sums;

/// Fills `out` with the sums over the window's voxels, where the residual is
/// r = M − background − S (S = A·t when `model` is NULL) and the Jacobian of A·t is
/// (A·∂t/∂x, A·∂t/∂y, A·∂t/∂z, t, A·∂t/∂U). With `vector` non-zero (only where
/// nanoatoms_has_avx2_fma() is true) four voxels go at a time; both paths agree to rounding.
void nanoatoms_atom_sums_compute(const nanoatoms_atom_window *w, int vector, nanoatoms_atom_sums *out);

#endif
