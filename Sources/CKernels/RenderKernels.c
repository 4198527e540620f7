// The renderer's inner loop: one atom's separable terms added to its box of the map.
// Refinement renders the whole model in most sweeps, so it is in C with an AVX2 + FMA path
// chosen at run time; the portable loop below is the reference and the fallback.
#include "RenderKernels.h"
#include "FilterKernels.h"
#include <math.h>

/// The first and last non-zero of g[0..<n] (a term's reach along one axis); 0 when none is.
static int reach_range(const float *g, long n, long *lo, long *hi) {
    long a = 0, b = n - 1;
    while (a < n && g[a] == 0.0f) a++;
    while (b >= a && g[b] == 0.0f) b--;
    *lo = a; *hi = b;
    return a <= b;
}

static void render_portable(const nanoatoms_atom_render *r) {
    for (long q = 0; q < r->terms; q++) {
        const float *gx = r->gx + q * r->sx, *gy = r->gy + q * r->wy, *gz = r->gz + q * r->wz;
        long x0, x1, y0, y1, z0, z1;
        if (!reach_range(gx, r->wx, &x0, &x1) || !reach_range(gy, r->wy, &y0, &y1) || !reach_range(gz, r->wz, &z0, &z1)) continue;
        for (long k = z0; k <= z1; k++) for (long j = y0; j <= y1; j++) {
            const float f = gz[k] * gy[j];
            float *row = r->map + (r->k0 + k) * r->nxy + (r->j0 + j) * r->nx + r->i0;
            for (long i = x0; i <= x1; i++) row[i] += f * gx[i];
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static void render_avx2(const nanoatoms_atom_render *r) {
    // Term by term, each over its own reach (the narrow terms cover a few rows), in whole
    // blocks of eight where the row has room: gx is zero past a term's reach and for eight
    // values past the box, so the voxels past the reach get 0 added (one thread owns the whole
    // row). Else the last voxels one at a time. (Not a masked store: on some CPUs, AMD's among
    // them, it is microcoded and slower than the scalar loop. Nor all terms of a row at once:
    // measured slower, the adds of one row then wait on each other.)
    for (long q = 0; q < r->terms; q++) {
        const float *gx = r->gx + q * r->sx, *gy = r->gy + q * r->wy, *gz = r->gz + q * r->wz;
        long x0, x1, y0, y1, z0, z1;
        if (!reach_range(gx, r->wx, &x0, &x1) || !reach_range(gy, r->wy, &y0, &y1) || !reach_range(gz, r->wz, &z0, &z1)) continue;
        const long n = x1 - x0 + 1;
        const long blocks = x0 + (n + 7) / 8 * 8 <= r->room ? (n + 7) / 8 : n / 8;
        const float *g = gx + x0;
        for (long k = z0; k <= z1; k++) for (long j = y0; j <= y1; j++) {
            const float f = gz[k] * gy[j];
            const __m256 F = _mm256_set1_ps(f);
            float *row = r->map + (r->k0 + k) * r->nxy + (r->j0 + j) * r->nx + r->i0 + x0;
            for (long b = 0; b < blocks; b++)
                _mm256_storeu_ps(row + 8 * b, _mm256_fmadd_ps(F, _mm256_loadu_ps(g + 8 * b), _mm256_loadu_ps(row + 8 * b)));
            for (long i = 8 * blocks; i < n; i++) row[i] = fmaf(f, g[i], row[i]);
        }
    }
}

void nanoatoms_render_atom(const nanoatoms_atom_render *r, int vector) {
    if (vector && nanoatoms_has_avx2_fma()) render_avx2(r);
    else render_portable(r);
}

#else

void nanoatoms_render_atom(const nanoatoms_atom_render *r, int vector) {
    (void)vector;
    render_portable(r);
}

#endif
