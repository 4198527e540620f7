/// The bounding box (inclusive voxel ranges) of the voxels of `volume` that are not zero,
/// or nil when every voxel is zero.
package func nonzeroBounds(of volume: Volume) -> (lo: SIMD3<Int>, hi: SIMD3<Int>)? {
    bounds(of: volume) { span(of: $0, count: volume.nx, { $0 .!= .zero }, { $0 != 0 }) }
}

/// The paper's denoised map C: the correlation of map M with one simulated atom
/// (a matched filter), with its mean removed and scaled to unit standard deviation.
///
/// The atom is a sum of isotropic Gaussians, so the correlation is done term by term with
/// three 1D passes each, and only over the part of the box where M is not zero (after
/// masking, the particle's sphere) plus the atom's reach. Outside, C is the constant that
/// the mean removal leaves. This equals an FFT correlation with a zero-mean template on a
/// masked map.
public func denoise(_ map: Volume, profile: AtomProfile, threads: Int = Parallel.availableCores) -> Volume {
    guard let bounds = nonzeroBounds(of: map) else { return Volume(sameGridAs: map) }
    let reach = Int((profile.cutoff / map.voxelSize).rounded(.up))
    // The input is the non-zero part, or the whole map when that is most of it (as after
    // cropping to the mask): then no copy of the input is made.
    let nonzero = VoxelBox(lo: bounds.lo, hi: bounds.hi)
    let input = 4 * nonzero.count >= 3 * map.count ? VoxelBox(wholeOf: map) : nonzero
    var region = correlateWithAtom(map, profile: profile, lo: bounds.lo &- reach, hi: bounds.hi &+ reach,
                                   inputBox: input, threads: threads)
    // Mean and SD over the whole box (zero outside the computed region).
    let st = VolumeStatistics(region.values)
    let total = Double(map.count)
    let mean = st.sum / total
    let sd = max(st.sumOfSquares / total - mean * mean, 1e-300).squareRoot()
    let fm = Float(mean), fs = Float(1 / sd)
    if region.lo == .zero && region.dims == map.dimensions {
        // The region is the whole grid: normalise it in place (taken out of `region`, so
        // that no second reference forces a copy).
        var values: [Float] = []
        swap(&values, &region.values)
        values.withUnsafeMutableBufferPointer { v in for q in v.indices { v[q] = (v[q] - fm) * fs } }
        return Volume(nx: map.nx, ny: map.ny, nz: map.nz, voxelSize: map.voxelSize, origin: map.origin, values: values)
    }
    var out = Volume(sameGridAs: map, fill: -fm * fs)
    let (lo, d) = (region.lo, region.dims)
    for k in 0..<d.z { for j in 0..<d.y {
        let dst = map.index(lo.x, lo.y + j, lo.z + k), src = d.x * (j + d.y * k)
        for i in 0..<d.x { out.values[dst + i] = (region.values[src + i] - fm) * fs }
    } }
    return out
}

/// A box-shaped part of a map: values with x fastest, the voxel of its first value in the
/// full map, and its dimensions.
package struct MapRegion: Sendable {
    /// Values, x fastest.
    package internal(set) var values: [Float]
    /// Voxel (in the full map) of `values[0]`.
    package let lo: SIMD3<Int>
    /// Voxels along x, y, z.
    package let dims: SIMD3<Int>
}

/// Σᵤ map(u)·t(xᵤ − xᵥ) for every voxel v of the box [lo, hi] (clamped to the map), with
/// the map taken as zero outside `inputBox` (default: the output box itself). Term by term,
/// three 1D passes each.
package func correlateWithAtom(_ map: Volume, profile: AtomProfile, lo requestedLo: SIMD3<Int>, hi requestedHi: SIMD3<Int>,
                              inputBox requestedInput: VoxelBox? = nil, threads: Int = Parallel.availableCores) -> MapRegion {
    let h = map.voxelSize
    let whole = VoxelBox(wholeOf: map)
    let output = VoxelBox(lo: pointwiseMax(requestedLo, .zero), hi: pointwiseMin(requestedHi, whole.hi))
    let input = requestedInput.map { VoxelBox(lo: pointwiseMax($0.lo, .zero), hi: pointwiseMin($0.hi, whole.hi)) } ?? output
    let terms = profile.weights.indices.map { k -> (scale: Float, kernel: [Float]) in
        let v = profile.variances[k]
        return (Float(profile.amplitude(k)), SeparableFilter.gaussianKernel(variance: v, voxelSize: h, radius: 4 * v.squareRoot()))
    }
    // The filter reads the input box x fastest: the whole map as it is, or a copy of the box.
    let source = input == whole ? map.values : map.cropped(to: input).values
    let result = source.withUnsafeBufferPointer {
        SeparableFilter.filter($0.baseAddress!, input: input, output: output, terms: terms, threads: threads)
    }
    return MapRegion(values: result, lo: output.lo, dims: output.dims)
}
