import Foundation

/// Separable 3D convolution with zero padding: the workhorse of denoising and smoothing.
///
/// A 3D kernel that factors as k(i)·k(j)·k(k) is applied as three 1D passes. Each pass
/// computes an output row as a weighted sum of input rows (for x, of shifted copies of one
/// padded row) with the partial sums kept in registers, so each output value is stored once
/// per pass rather than once per tap.
public enum SeparableFilter {
    /// A symmetric 1D Gaussian kernel exp(−(n·h)²/2v) for n = −r...r, with r = ceil(`radius`/h).
    public static func gaussianKernel(variance: Double, voxelSize h: Double, radius: Double) -> [Float] {
        let r = max(0, Int((radius / h).rounded(.up)))
        var kernel: [Float] = []
        for n in -r...r {
            let x = Double(n) * h
            kernel.append(Float(exp(-x * x / (2 * variance))))
        }
        return kernel
    }

    /// Σₖ scaleₖ · (input ⋆ (kₖ ⊗ kₖ ⊗ kₖ)) over the voxels of `output`, for an input known on
    /// the box `input` (values x fastest) and zero outside it. Kernels are symmetric with odd
    /// lengths, so correlation and convolution agree. The two boxes are in the same voxel
    /// grid and may differ: an output box larger than the input gives the filter's full reach,
    /// a smaller one computes only what is needed.
    public static func filter(_ values: UnsafePointer<Float>, input: VoxelBox, output: VoxelBox,
                              terms: [(scale: Float, kernel: [Float])], threads: Int) -> [Float] {
        var result = [Float](repeating: 0, count: output.count)
        guard input.count > 0, output.count > 0 else { return result }
        let oi = output.dims, ii = input.dims
        var s1 = [Float](repeating: 0, count: oi.x * ii.y * ii.z)
        var s2 = [Float](repeating: 0, count: oi.x * oi.y * ii.z)
        let inp = UncheckedSendable(values)
        result.withUnsafeMutableBufferPointer { resultBuffer in
            s1.withUnsafeMutableBufferPointer { s1Buffer in
                s2.withUnsafeMutableBufferPointer { s2Buffer in
                    let out = UncheckedSendable(resultBuffer.baseAddress!)
                    let a = UncheckedSendable(s1Buffer.baseAddress!), b = UncheckedSendable(s2Buffer.baseAddress!)
                    for term in terms {
                        let kernel = term.kernel, r = kernel.count / 2
                        // x: input rows -> s1 (output's x range, input's y and z ranges).
                        Parallel.forEach(chunks: ii.z, threads: threads) { k in
                            let padLength = oi.x + 2 * r
                            var padded = [Float](repeating: 0, count: padLength)
                            var taps = Taps(capacity: kernel.count)
                            padded.withUnsafeMutableBufferPointer { pad in
                                // padded[p] is input x = output.lo.x − r + p.
                                let first = output.lo.x - r - input.lo.x
                                let copyLo = max(0, -first), copyHi = min(padLength, ii.x - first)
                                taps.set(kernel.count, weights: kernel) { UnsafePointer(pad.baseAddress! + $0) }
                                for j in 0..<ii.y {
                                    let src = inp.value + ii.x * (j + ii.y * k)
                                    if copyLo < copyHi {
                                        (pad.baseAddress! + copyLo).update(from: src + (first + copyLo), count: copyHi - copyLo)
                                    }
                                    weightedRowSum(oi.x, taps: taps, into: a.value + oi.x * (j + ii.y * k), accumulate: false)
                                }
                            }
                        }
                        // y: s1 -> s2 (output's x and y ranges, input's z range).
                        Parallel.forEach(chunks: ii.z, threads: threads) { k in
                            var taps = Taps(capacity: kernel.count)
                            for j in 0..<oi.y {
                                taps.set(kernel.count, weights: kernel) { t in
                                    let jj = output.lo.y + j + t - r - input.lo.y
                                    return jj >= 0 && jj < ii.y ? UnsafePointer(a.value + oi.x * (jj + ii.y * k)) : nil
                                }
                                weightedRowSum(oi.x, taps: taps, into: b.value + oi.x * (j + oi.y * k), accumulate: false)
                            }
                        }
                        // z: s2 -> output, accumulated with the term's scale.
                        let scaled = kernel.map { $0 * term.scale }
                        Parallel.forEach(chunks: oi.z, threads: threads) { k in
                            var taps = Taps(capacity: kernel.count)
                            let plane = oi.x * oi.y
                            taps.set(kernel.count, weights: scaled) { t in
                                let kk = output.lo.z + k + t - r - input.lo.z
                                return kk >= 0 && kk < ii.z ? UnsafePointer(b.value + plane * kk) : nil
                            }
                            // Whole planes are contiguous: one long row per output plane.
                            weightedRowSum(plane, taps: taps, into: out.value + plane * k, accumulate: true)
                        }
                    }
                }
            }
        }
        return result
    }

    /// The rows and weights of one output row's sum, reused from row to row without allocating.
    struct Taps {
        var buffer: [(UnsafeRawPointer, SIMD8<Float>)] = []
        init(capacity: Int) { buffer.reserveCapacity(capacity) }
        /// Sets the taps to `rows` (absent ones skipped) with `weights`.
        mutating func set(_ count: Int, weights: [Float], row: (Int) -> UnsafePointer<Float>?) {
            buffer.removeAll(keepingCapacity: true)
            for t in 0..<count { if let p = row(t) { buffer.append((UnsafeRawPointer(p), SIMD8(repeating: weights[t]))) } }
        }
    }

    /// dst[i] (+)= Σₜ wₜ · rowₜ[i] for i < n over the taps; partial sums stay in registers
    /// over 32 values at a time.
    @inline(__always)
    static func weightedRowSum(_ n: Int, taps: Taps, into dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let d = UnsafeMutableRawPointer(dst)
        taps.buffer.withUnsafeBufferPointer { taps in
            var i = 0
            while i + 32 <= n {
                let o = 4 * i
                var a0 = accumulate ? d.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) : .zero
                var a1 = accumulate ? d.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self) : .zero
                var a2 = accumulate ? d.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self) : .zero
                var a3 = accumulate ? d.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self) : .zero
                for (p, w) in taps {
                    a0 += w * p.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    a1 += w * p.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                    a2 += w * p.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                    a3 += w * p.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                }
                d.storeBytes(of: a0, toByteOffset: o, as: SIMD8<Float>.self)
                d.storeBytes(of: a1, toByteOffset: o + 32, as: SIMD8<Float>.self)
                d.storeBytes(of: a2, toByteOffset: o + 64, as: SIMD8<Float>.self)
                d.storeBytes(of: a3, toByteOffset: o + 96, as: SIMD8<Float>.self)
                i += 32
            }
            while i + 8 <= n {
                let o = 4 * i
                var a0 = accumulate ? d.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) : .zero
                for (p, w) in taps { a0 += w * p.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) }
                d.storeBytes(of: a0, toByteOffset: o, as: SIMD8<Float>.self)
                i += 8
            }
            while i < n {
                var s: Float = accumulate ? dst[i] : 0
                for (p, w) in taps { s += w[0] * p.load(fromByteOffset: 4 * i, as: Float.self) }
                dst[i] = s
                i += 1
            }
        }
    }

    /// The map convolved with an isotropic Gaussian of standard deviation `sigma` voxels
    /// (kernel normalised to unit sum, cut at 4σ).
    public static func gaussianSmoothed(_ volume: Volume, sigmaVoxels sigma: Double, threads: Int = Parallel.availableCores) -> Volume {
        guard sigma > 0 else { return volume }
        var kernel = gaussianKernel(variance: sigma * sigma, voxelSize: 1, radius: 4 * sigma)
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        let box = VoxelBox(lo: .zero, hi: volume.dimensions &- 1)
        let values = volume.values.withUnsafeBufferPointer { filter($0.baseAddress!, input: box, output: box, terms: [(1, kernel)], threads: threads) }
        return Volume(nx: volume.nx, ny: volume.ny, nz: volume.nz, voxelSize: volume.voxelSize, origin: volume.origin, values: values)
    }
}
