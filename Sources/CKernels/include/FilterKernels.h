#ifndef NANOATOMS_FILTER_KERNELS_H
#define NANOATOMS_FILTER_KERNELS_H

/// Whether this CPU runs the AVX2 + FMA row kernel (x86-64 with both; false elsewhere).
int nanoatoms_has_avx2_fma(void);

/// dst[i] = (accumulate ? dst[i] : 0) + centreWeight * centre[i]
///          + sum over p < pairs of weights[p] * (first[p][i] + second[p][i]),  for i < n.
/// The weighted sum of a symmetric filter's rows, eight floats per instruction with fused
/// multiply-adds. Call only when nanoatoms_has_avx2_fma() is true.
void nanoatoms_weighted_row_sum_avx2(long n, const float *centre, float centreWeight,
                                     const float *const *first, const float *const *second,
                                     const float *weights, long pairs, float *dst, int accumulate);

#endif
