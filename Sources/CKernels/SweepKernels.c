// The component sweep's inner loop (ComponentSweep.centres in the engine): adding one
// threshold level's voxels to a union-find over 26-connected components. Written in C so
// that the neighbour test can use SSE4.1's integer maximum, chosen at run time; the
// portable loop does the same steps in the same order, so the sums agree to the bit.
#include "SweepKernels.h"

/// How many voxels ahead the vector loop prefetches the neighbours' labels.
enum { prefetchDistance = 6 };

static inline int32_t find_root(int32_t *parent, int32_t x) {
    while (parent[x] != x) {
        int32_t p = parent[parent[x]];
        parent[x] = p;
        x = p;
    }
    return x;
}

/// Joins seed `s`'s component to `root` (or makes it the root when there is none yet).
static inline int32_t join(nanoatoms_sweep_state *st, int32_t root, int32_t s) {
    int32_t r = find_root(st->parent, s);
    if (root < 0) return r;
    if (r != root) {
        st->parent[r] = root;
        double *a = st->sums + 8 * (long)root, *b = st->sums + 8 * (long)r;
        for (int t = 0; t < 8; t++) a[t] += b[t];
    }
    return root;
}

/// Labels the voxel at `cell` with `root` (a new seed when negative) and adds its values.
static inline void settle(nanoatoms_sweep_state *st, const nanoatoms_sweep_entry *e, long cell, int32_t root) {
    if (root < 0) {
        root = (int32_t)st->seeds;
        st->parent[root] = root;
        for (int t = 0; t < 8; t++) st->sums[8 * (long)root + t] = 0;
        st->seeds++;
    }
    st->label[cell] = root;
    double w = e->weight, cw = e->denoised, di = e->i, dj = e->j, dk = e->k;
    double *b = st->sums + 8 * (long)root;
    b[0] += w; b[1] += w * di; b[2] += w * dj; b[3] += w * dk;
    b[4] += cw; b[5] += cw * di; b[6] += cw * dj; b[7] += cw * dk;
}

static inline long cell_of(const nanoatoms_sweep_state *st, const nanoatoms_sweep_entry *e) {
    return (e->i - st->lox + 1) + st->bx * ((e->j - st->loy + 1) + st->by * (e->k - st->loz + 1));
}

/// The portable loop: the 27 labels around the voxel, their distinct seeds taken largest first.
static void add_portable(nanoatoms_sweep_state *st, const nanoatoms_sweep_entry *entries, long count) {
    for (long q = 0; q < count; q++) {
        const nanoatoms_sweep_entry *e = entries + q;
        long cell = cell_of(st, e);
        int32_t v[27];
        for (int r = 0; r < 9; r++)
            for (int t = 0; t < 3; t++) v[3 * r + t] = st->label[cell + st->rowOffsets[r] - 1 + t];
        int32_t root = -1;
        for (;;) {
            int32_t s = -1;
            for (int n = 0; n < 27; n++) if (v[n] > s) s = v[n];
            if (s < 0) break;
            root = join(st, root, s);
            for (int n = 0; n < 27; n++) if (v[n] == s) v[n] = -1;
        }
        settle(st, e, cell, root);
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int nanoatoms_has_sse41(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.1");
}

__attribute__((target("sse4.1")))
static void add_sse41(nanoatoms_sweep_state *st, const nanoatoms_sweep_entry *entries, long count) {
    // Each row of three neighbours is loaded as four labels with the fourth set to −1.
    const __m128i fourth = _mm_set_epi32(-1, 0, 0, 0);
    for (long q = 0; q < count; q++) {
        const nanoatoms_sweep_entry *e = entries + q;
        long cell = cell_of(st, e);
        // A level's voxels are scattered over the label grid, so their neighbours are
        // mostly not in cache: ask for those of a voxel a few places ahead.
        if (q + prefetchDistance < count) {
            long ahead = cell_of(st, e + prefetchDistance);
            for (int r = 0; r < 9; r++) __builtin_prefetch(st->label + ahead + st->rowOffsets[r] - 1);
        }
        __m128i v[9];
        for (int r = 0; r < 9; r++)
            v[r] = _mm_or_si128(_mm_loadu_si128((const __m128i *)(st->label + cell + st->rowOffsets[r] - 1)), fourth);
        int32_t root = -1;
        for (;;) {
            __m128i m = _mm_max_epi32(_mm_max_epi32(_mm_max_epi32(v[0], v[1]), _mm_max_epi32(v[2], v[3])),
                                      _mm_max_epi32(_mm_max_epi32(v[4], v[5]), _mm_max_epi32(_mm_max_epi32(v[6], v[7]), v[8])));
            m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
            m = _mm_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
            int32_t s = _mm_cvtsi128_si32(m);
            if (s < 0) break;
            root = join(st, root, s);
            // Erase s: lanes equal to it become all ones, that is −1.
            for (int r = 0; r < 9; r++) v[r] = _mm_or_si128(v[r], _mm_cmpeq_epi32(v[r], m));
        }
        settle(st, e, cell, root);
    }
}

void nanoatoms_sweep_add(nanoatoms_sweep_state *state, const nanoatoms_sweep_entry *entries, long count, int vector) {
    if (vector) add_sse41(state, entries, count);
    else add_portable(state, entries, count);
}

#else

int nanoatoms_has_sse41(void) { return 0; }

void nanoatoms_sweep_add(nanoatoms_sweep_state *state, const nanoatoms_sweep_entry *entries, long count, int vector) {
    (void)vector;
    add_portable(state, entries, count);
}

#endif
