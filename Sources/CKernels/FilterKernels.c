// The separable filter's inner loop for CPUs with AVX2 and FMA, chosen at run time so that
// the build itself stays portable (Swift has no per-function target features). The portable
// loop is SeparableFilter.weightedRowSum in the engine; both compute the same sums.
#include "FilterKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int nanoatoms_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma")))
void nanoatoms_weighted_row_sum_avx2(long n, const float *centre, float centreWeight,
                                     const float *const *first, const float *const *second,
                                     const float *weights, long pairs, float *dst, int accumulate) {
    const __m256 cw = _mm256_set1_ps(centreWeight);
    long i = 0;
    // 32 values at a time in four registers, so that the adds of one tap overlap.
    for (; i + 32 <= n; i += 32) {
        __m256 a0 = _mm256_mul_ps(cw, _mm256_loadu_ps(centre + i));
        __m256 a1 = _mm256_mul_ps(cw, _mm256_loadu_ps(centre + i + 8));
        __m256 a2 = _mm256_mul_ps(cw, _mm256_loadu_ps(centre + i + 16));
        __m256 a3 = _mm256_mul_ps(cw, _mm256_loadu_ps(centre + i + 24));
        if (accumulate) {
            a0 = _mm256_add_ps(a0, _mm256_loadu_ps(dst + i));
            a1 = _mm256_add_ps(a1, _mm256_loadu_ps(dst + i + 8));
            a2 = _mm256_add_ps(a2, _mm256_loadu_ps(dst + i + 16));
            a3 = _mm256_add_ps(a3, _mm256_loadu_ps(dst + i + 24));
        }
        for (long p = 0; p < pairs; p++) {
            const float *f = first[p] + i, *s = second[p] + i;
            const __m256 w = _mm256_set1_ps(weights[p]);
            a0 = _mm256_fmadd_ps(w, _mm256_add_ps(_mm256_loadu_ps(f), _mm256_loadu_ps(s)), a0);
            a1 = _mm256_fmadd_ps(w, _mm256_add_ps(_mm256_loadu_ps(f + 8), _mm256_loadu_ps(s + 8)), a1);
            a2 = _mm256_fmadd_ps(w, _mm256_add_ps(_mm256_loadu_ps(f + 16), _mm256_loadu_ps(s + 16)), a2);
            a3 = _mm256_fmadd_ps(w, _mm256_add_ps(_mm256_loadu_ps(f + 24), _mm256_loadu_ps(s + 24)), a3);
        }
        _mm256_storeu_ps(dst + i, a0);
        _mm256_storeu_ps(dst + i + 8, a1);
        _mm256_storeu_ps(dst + i + 16, a2);
        _mm256_storeu_ps(dst + i + 24, a3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_mul_ps(cw, _mm256_loadu_ps(centre + i));
        if (accumulate) a = _mm256_add_ps(a, _mm256_loadu_ps(dst + i));
        for (long p = 0; p < pairs; p++) {
            a = _mm256_fmadd_ps(_mm256_set1_ps(weights[p]),
                                _mm256_add_ps(_mm256_loadu_ps(first[p] + i), _mm256_loadu_ps(second[p] + i)), a);
        }
        _mm256_storeu_ps(dst + i, a);
    }
    for (; i < n; i++) {
        float s = centreWeight * centre[i] + (accumulate ? dst[i] : 0.0f);
        for (long p = 0; p < pairs; p++) s += weights[p] * (first[p][i] + second[p][i]);
        dst[i] = s;
    }
}

#else

int nanoatoms_has_avx2_fma(void) { return 0; }

void nanoatoms_weighted_row_sum_avx2(long n, const float *centre, float centreWeight,
                                     const float *const *first, const float *const *second,
                                     const float *weights, long pairs, float *dst, int accumulate) {
    // Never called where nanoatoms_has_avx2_fma() is false; kept portable all the same.
    for (long i = 0; i < n; i++) {
        float s = centreWeight * centre[i] + (accumulate ? dst[i] : 0.0f);
        for (long p = 0; p < pairs; p++) s += weights[p] * (first[p][i] + second[p][i]);
        dst[i] = s;
    }
}

#endif
