// The joint fit's inner loop: one atom's normal equations over its window. Refinement spends
// most of its time here (every atom, every sweep), so it is in C with an AVX2 + FMA path chosen
// at run time; the portable loop below is the reference and the fallback.
#include "FitKernels.h"
#include "FilterKernels.h"
#include <math.h>
#include <string.h>

/// The first and last voxel of row `dx` (increasing offsets) within `half` of the atom;
/// returns 0 when none is.
static int row_range(const double *dx, long wx, double half, long *lo, long *hi) {
    long a = 0, b = wx - 1;
    while (a < wx && fabs(dx[a]) > half) a++;
    while (b >= a && fabs(dx[b]) > half) b--;
    *lo = a; *hi = b;
    return a <= b;
}

/// Adds one voxel's Jacobian row g and residual r to the sums.
static inline void add_voxel(nanoatoms_atom_sums *s, const double g[5], double r) {
    int p = 0;
    for (int x = 0; x < 5; x++) {
        s->jtr[x] += g[x] * r;
        for (int y = x; y < 5; y++) s->jtj[p++] += g[x] * g[y];
    }
    s->rss += r * r;
}

static void sums_portable(const nanoatoms_atom_window *w, nanoatoms_atom_sums *out) {
    const double a = w->amplitude;
    for (long k = 0; k < w->wz; k++) for (long j = 0; j < w->wy; j++) {
        const double ryz = w->dy[j] * w->dy[j] + w->dz[k] * w->dz[k];
        if (ryz > w->radiusSquared) continue;
        long lo, hi;
        if (!row_range(w->dx, w->wx, sqrt(w->radiusSquared - ryz), &lo, &hi)) continue;
        const long row = (w->j0 + j) * w->nx + (w->k0 + k) * w->nxy + w->i0;
        for (long i = lo; i <= hi; i++) {
            const double d2 = w->dx[i] * w->dx[i] + ryz;
            double t = 0, dtdr = 0, dtdu = 0;
            for (long q = 0; q < w->terms; q++) {
                const double e = w->ez[q * w->wz + k] * w->ey[q * w->wy + j] * w->ex[q * w->wx + i];
                const double iv = w->inverse[q];
                t += e;
                dtdr += e * iv;
                dtdu += e * iv * (0.5 * d2 * iv - 1.5);
            }
            const double S = w->model ? (double)w->model[row + i] : a * t;
            const double r = (double)w->map[row + i] - w->background - S;
            const double g[5] = { a * dtdr * w->dx[i], a * dtdr * w->dy[j], a * dtdr * w->dz[k], t, a * dtdu };
            add_voxel(out, g, r);
        }
        out->voxels += hi - lo + 1;
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static inline double lane_sum(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

__attribute__((target("avx2,fma")))
static void sums_avx2(const nanoatoms_atom_window *w, nanoatoms_atom_sums *out) {
    const __m256d a = _mm256_set1_pd(w->amplitude), half1 = _mm256_set1_pd(0.5), three2 = _mm256_set1_pd(1.5);
    const __m256d background = _mm256_set1_pd(w->background);
    __m256d jtj[15], jtr[5], rss = _mm256_setzero_pd();
    for (int p = 0; p < 15; p++) jtj[p] = _mm256_setzero_pd();
    for (int p = 0; p < 5; p++) jtr[p] = _mm256_setzero_pd();
    double eyz[64];
    const long terms = w->terms < 64 ? w->terms : 64;
    for (long k = 0; k < w->wz; k++) for (long j = 0; j < w->wy; j++) {
        const double ryz = w->dy[j] * w->dy[j] + w->dz[k] * w->dz[k];
        if (ryz > w->radiusSquared) continue;
        long lo, hi;
        if (!row_range(w->dx, w->wx, sqrt(w->radiusSquared - ryz), &lo, &hi)) continue;
        for (long q = 0; q < terms; q++) eyz[q] = w->ez[q * w->wz + k] * w->ey[q * w->wy + j];
        const long row = (w->j0 + j) * w->nx + (w->k0 + k) * w->nxy + w->i0;
        const __m256d vyz = _mm256_set1_pd(ryz), vdy = _mm256_set1_pd(w->dy[j]), vdz = _mm256_set1_pd(w->dz[k]);
        for (long i = lo; i <= hi; i += 4) {
            const long n = hi - i + 1 < 4 ? hi - i + 1 : 4;
            // Lanes past the row's end load zeros: their terms, and so their Jacobian, vanish,
            // and their residual is masked to zero below.
            const __m256i m64 = _mm256_set_epi64x(n > 3 ? -1 : 0, n > 2 ? -1 : 0, n > 1 ? -1 : 0, -1);
            const __m128i m32 = _mm_set_epi32(n > 3 ? -1 : 0, n > 2 ? -1 : 0, n > 1 ? -1 : 0, -1);
            const __m256d dx = _mm256_maskload_pd(w->dx + i, m64);
            const __m256d d2 = _mm256_fmadd_pd(dx, dx, vyz);
            __m256d t = _mm256_setzero_pd(), dtdr = t, dtdu = t;
            for (long q = 0; q < terms; q++) {
                const __m256d e = _mm256_mul_pd(_mm256_set1_pd(eyz[q]), _mm256_maskload_pd(w->ex + q * w->wx + i, m64));
                const __m256d iv = _mm256_set1_pd(w->inverse[q]);
                const __m256d ei = _mm256_mul_pd(e, iv);
                t = _mm256_add_pd(t, e);
                dtdr = _mm256_add_pd(dtdr, ei);
                dtdu = _mm256_fmadd_pd(ei, _mm256_fmsub_pd(_mm256_mul_pd(half1, d2), iv, three2), dtdu);
            }
            const __m256d M = _mm256_cvtps_pd(_mm_maskload_ps(w->map + row + i, m32));
            const __m256d S = w->model ? _mm256_cvtps_pd(_mm_maskload_ps(w->model + row + i, m32)) : _mm256_mul_pd(a, t);
            const __m256d r = _mm256_and_pd(_mm256_sub_pd(_mm256_sub_pd(M, background), S), _mm256_castsi256_pd(m64));
            const __m256d adr = _mm256_mul_pd(a, dtdr);
            const __m256d g[5] = { _mm256_mul_pd(adr, dx), _mm256_mul_pd(adr, vdy), _mm256_mul_pd(adr, vdz), t, _mm256_mul_pd(a, dtdu) };
            int p = 0;
            for (int x = 0; x < 5; x++) {
                jtr[x] = _mm256_fmadd_pd(g[x], r, jtr[x]);
                for (int y = x; y < 5; y++) { jtj[p] = _mm256_fmadd_pd(g[x], g[y], jtj[p]); p++; }
            }
            rss = _mm256_fmadd_pd(r, r, rss);
        }
        out->voxels += hi - lo + 1;
    }
    for (int p = 0; p < 15; p++) out->jtj[p] = lane_sum(jtj[p]);
    for (int p = 0; p < 5; p++) out->jtr[p] = lane_sum(jtr[p]);
    out->rss = lane_sum(rss);
}
#endif

void nanoatoms_atom_sums_compute(const nanoatoms_atom_window *w, int vector, nanoatoms_atom_sums *out) {
    memset(out, 0, sizeof *out);
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    // More terms than the vector path holds per row (no element has): the portable loop.
    if (vector && w->terms <= 64 && nanoatoms_has_avx2_fma()) { sums_avx2(w, out); return; }
#endif
    (void)vector;
    sums_portable(w, out);
}
