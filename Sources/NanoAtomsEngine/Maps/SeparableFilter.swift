import Foundation
import CKernels

/// Separable 3D convolution with zero padding: the workhorse of denoising and smoothing.
///
/// A 3D kernel that factors as k(i)·k(j)·k(k) is applied as three 1D passes. Each pass
/// computes an output row as a weighted sum of input rows (for x, of shifted copies of one
/// padded row) with the partial sums kept in registers, so each output value is stored once
/// per pass rather than once per tap.
package enum SeparableFilter {
    /// Values per column strip of the z pass: the 23 input planes of a strip that the widest
    /// kernel at 0.36 Å voxels reads take 23 × 4 KB, which stays in a core's L2 cache.
    static let zStripWidth = 1024

    /// A symmetric 1D Gaussian kernel exp(−(n·h)²/2v) for n = −r...r, with r = ceil(`radius`/h).
    package static func gaussianKernel(variance: Double, voxelSize h: Double, radius: Double) -> [Float] {
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
    package static func filter(_ values: UnsafePointer<Float>, input: VoxelBox, output: VoxelBox,
                              terms: [(scale: Float, kernel: [Float])], threads: Int) -> [Float] {
        filter(values, input: input, output: output, terms: terms, threads: threads, avx2: hasAVX2FMA)
    }

    /// The filter with the row kernel chosen: `avx2` only where ``hasAVX2FMA`` (tests run both).
    static func filter(_ values: UnsafePointer<Float>, input: VoxelBox, output: VoxelBox,
                       terms: [(scale: Float, kernel: [Float])], threads: Int, avx2: Bool) -> [Float] {
        guard input.count > 0, output.count > 0, !terms.isEmpty else { return LargeArrays.filled(Float(0), count: output.count) }
        let oi = output.dims, ii = input.dims
        // The intermediates hold exactly the rows (s1) and planes (s2) that the next pass
        // reads, R = the widest kernel's radius beyond the output on each side, with zeros
        // where the input has none. Then each output plane of the y pass, and each strip of
        // the z pass, is one long run with fixed taps: no per-row set-up, no bounds tests.
        let R = terms.map { $0.kernel.count / 2 }.max()!
        let rows1 = oi.y + 2 * R, planes2 = oi.z + 2 * R
        // Input row jj (0..<ii.y) is s1 row jj + shiftY; input plane kk is s2 plane kk + shiftZ.
        let shiftY = input.lo.y - output.lo.y + R, shiftZ = input.lo.z - output.lo.z + R
        let jjRange = max(0, -shiftY)..<min(ii.y, rows1 - shiftY)
        let kkRange = max(0, -shiftZ)..<min(ii.z, planes2 - shiftZ)
        guard !jjRange.isEmpty, !kkRange.isEmpty else { return LargeArrays.filled(Float(0), count: output.count) }
        let plane1 = oi.x * rows1, plane2 = oi.x * oi.y
        // Fresh storage is not zero-filled where it is written whole anyway: every plane of
        // s2 that an input plane filters into, and (by the first term's z pass) the result.
        let filled = (kkRange.lowerBound + shiftZ)..<(kkRange.upperBound + shiftZ)
        var s2 = LargeArrays.make(count: plane2 * planes2) { (b: UnsafeMutableBufferPointer<Float>) in
            b.baseAddress!.initialize(repeating: 0, count: plane2 * filled.lowerBound)
            (b.baseAddress! + plane2 * filled.upperBound).initialize(repeating: 0, count: plane2 * (planes2 - filled.upperBound))
        }
        let inp = UncheckedSendable(values)
        return LargeArrays.make(count: output.count) { (resultBuffer: UnsafeMutableBufferPointer<Float>) in
            s2.withUnsafeMutableBufferPointer { s2Buffer in
                let out = UncheckedSendable(resultBuffer.baseAddress!)
                let b = UncheckedSendable(s2Buffer.baseAddress!)
                for (termIndex, term) in terms.enumerated() {
                    let kernel = term.kernel, r = kernel.count / 2
                    // x then y, plane by plane: input plane k -> one s1 plane (the output's x
                    // range, rows padded by R) -> s2 plane k + shiftZ. Each range of planes
                    // has one s1 plane and one padded row, allocated once: s1's padding rows
                    // are never written and stay zero.
                    Parallel.forRanges(kkRange.count, threads: threads, minimumChunk: 1) { planes in
                        let padLength = oi.x + 2 * r
                        let pad = UnsafeMutablePointer<Float>.allocate(capacity: padLength)
                        let a = UnsafeMutablePointer<Float>.allocate(capacity: plane1)
                        pad.initialize(repeating: 0, count: padLength)
                        a.initialize(repeating: 0, count: plane1)
                        defer { pad.deallocate(); a.deallocate() }
                        // pad[p] is input x = output.lo.x − r + p.
                        let first = output.lo.x - r - input.lo.x
                        let copyLo = max(0, -first), copyHi = min(padLength, ii.x - first)
                        var xTaps = Taps(capacity: kernel.count), yTaps = Taps(capacity: kernel.count)
                        xTaps.set(weights: kernel) { UnsafePointer(pad + $0) }
                        // y: output row j reads s1 rows j + R − r + t: the whole plane is one run.
                        yTaps.set(weights: kernel) { UnsafePointer(a + oi.x * (R - r + $0)) }
                        for q in planes {
                            let k = kkRange.lowerBound + q
                            for jj in jjRange {
                                if copyLo < copyHi {
                                    (pad + copyLo).update(from: inp.value + ii.x * (jj + ii.y * k) + (first + copyLo), count: copyHi - copyLo)
                                }
                                weightedRowSum(oi.x, taps: xTaps, into: a + oi.x * (jj + shiftY), accumulate: false, avx2: avx2)
                            }
                            weightedRowSum(plane2, taps: yTaps, into: b.value + plane2 * (k + shiftZ), accumulate: false, avx2: avx2)
                        }
                    }
                    // z: s2 -> output with the term's scale (the first term writes the output,
                    // the others add to it); output plane k reads
                    // s2 planes k + R − r + t. Done in column strips, all planes of a strip at
                    // once, so that the planes a strip reads stay in cache while reused.
                    let scaled = kernel.map { $0 * term.scale }
                    let strips = (plane2 + zStripWidth - 1) / zStripWidth
                    Parallel.forEach(chunks: strips, threads: threads) { strip in
                        let c0 = strip * zStripWidth, width = min(zStripWidth, plane2 - c0)
                        var taps = Taps(capacity: kernel.count)
                        for k in 0..<oi.z {
                            let base = b.value + plane2 * (k + R - r) + c0
                            taps.set(weights: scaled) { UnsafePointer(base + plane2 * $0) }
                            weightedRowSum(width, taps: taps, into: out.value + plane2 * k + c0, accumulate: termIndex > 0, avx2: avx2)
                        }
                    }
                }
            }
        }
    }

    /// The rows and weights of one output row's sum, reused from row to row without
    /// allocating. Kernels are symmetric, so rows t and 2r − t share a weight: they are
    /// added first and multiplied once (a quarter fewer operations than tap by tap).
    struct Taps {
        /// Pair p: rows `first[p]` and `second[p]`, weight `weights[p]`.
        var first: [UnsafePointer<Float>?] = [], second: [UnsafePointer<Float>?] = [], weights: [Float] = []
        /// The centre row and its weight (a placeholder until `set` is called).
        var centre = UnsafePointer<Float>(bitPattern: 4)!, centreWeight: Float = 0
        init(capacity: Int) {
            first.reserveCapacity(capacity / 2); second.reserveCapacity(capacity / 2); weights.reserveCapacity(capacity / 2)
        }
        /// Sets the taps to `row(t)` for t = 0 ..< weights.count, with symmetric `weights`.
        mutating func set(weights kernel: [Float], row: (Int) -> UnsafePointer<Float>) {
            first.removeAll(keepingCapacity: true); second.removeAll(keepingCapacity: true); weights.removeAll(keepingCapacity: true)
            let r = kernel.count / 2
            for t in 0..<r {
                first.append(row(t)); second.append(row(kernel.count - 1 - t)); weights.append(kernel[t])
            }
            centre = row(r); centreWeight = kernel[r]
        }
    }

    /// Whether the CPU runs the AVX2 + FMA kernel (checked once).
    static let hasAVX2FMA = nanoatoms_has_avx2_fma() != 0

    /// dst[i] (+)= Σₜ wₜ · rowₜ[i] for i < n over the taps. On CPUs with AVX2 and FMA this is
    /// the C kernel (eight floats per instruction, about 1.5× faster); elsewhere the portable
    /// loop below. Both keep partial sums in registers over 32 values at a time; they differ
    /// only in rounding (fused multiply-adds).
    @inline(__always)
    static func weightedRowSum(_ n: Int, taps: Taps, into dst: UnsafeMutablePointer<Float>, accumulate: Bool, avx2: Bool) {
        if avx2 {
            taps.first.withUnsafeBufferPointer { f in taps.second.withUnsafeBufferPointer { s in taps.weights.withUnsafeBufferPointer { w in
                nanoatoms_weighted_row_sum_avx2(n, taps.centre, taps.centreWeight, f.baseAddress, s.baseAddress, w.baseAddress,
                                                f.count, dst, accumulate ? 1 : 0)
            } } }
            return
        }
        portableWeightedRowSum(n, taps: taps, into: dst, accumulate: accumulate)
    }

    /// The portable loop of ``weightedRowSum(_:taps:into:accumulate:avx2:)``.
    static func portableWeightedRowSum(_ n: Int, taps: Taps, into dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let d = UnsafeMutableRawPointer(dst)
        let c = UnsafeRawPointer(taps.centre), cw = SIMD8<Float>(repeating: taps.centreWeight)
        taps.first.withUnsafeBufferPointer { first in taps.second.withUnsafeBufferPointer { second in taps.weights.withUnsafeBufferPointer { weights in
            @inline(__always) func pair(_ t: Int) -> (UnsafeRawPointer, UnsafeRawPointer, SIMD8<Float>) {
                (UnsafeRawPointer(first[t]!), UnsafeRawPointer(second[t]!), SIMD8(repeating: weights[t]))
            }
            var i = 0
            while i + 32 <= n {
                let o = 4 * i
                var a0 = cw * c.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                var a1 = cw * c.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                var a2 = cw * c.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                var a3 = cw * c.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                if accumulate {
                    a0 += d.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    a1 += d.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                    a2 += d.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                    a3 += d.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                }
                for t in weights.indices {
                    let (p, q, w) = pair(t)
                    a0 += w * (p.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + q.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                    a1 += w * (p.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self) + q.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self))
                    a2 += w * (p.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self) + q.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self))
                    a3 += w * (p.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self) + q.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self))
                }
                d.storeBytes(of: a0, toByteOffset: o, as: SIMD8<Float>.self)
                d.storeBytes(of: a1, toByteOffset: o + 32, as: SIMD8<Float>.self)
                d.storeBytes(of: a2, toByteOffset: o + 64, as: SIMD8<Float>.self)
                d.storeBytes(of: a3, toByteOffset: o + 96, as: SIMD8<Float>.self)
                i += 32
            }
            while i + 8 <= n {
                let o = 4 * i
                var a0 = cw * c.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                if accumulate { a0 += d.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) }
                for t in weights.indices {
                    let (p, q, w) = pair(t)
                    a0 += w * (p.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + q.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                }
                d.storeBytes(of: a0, toByteOffset: o, as: SIMD8<Float>.self)
                i += 8
            }
            while i < n {
                var s: Float = taps.centreWeight * c.load(fromByteOffset: 4 * i, as: Float.self) + (accumulate ? dst[i] : 0)
                for t in weights.indices {
                    s += weights[t] * (first[t]![i] + second[t]![i])
                }
                dst[i] = s
                i += 1
            }
        } } }
    }

    /// The map convolved with an isotropic Gaussian of standard deviation `sigma` voxels
    /// (kernel normalised to unit sum, cut at 4σ).
    package static func gaussianSmoothed(_ volume: Volume, sigmaVoxels sigma: Double, threads: Int = Parallel.availableCores) -> Volume {
        guard sigma > 0 else { return volume }
        var kernel = gaussianKernel(variance: sigma * sigma, voxelSize: 1, radius: 4 * sigma)
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        let box = VoxelBox(wholeOf: volume)
        let values = volume.values.withUnsafeBufferPointer { filter($0.baseAddress!, input: box, output: box, terms: [(1, kernel)], threads: threads) }
        return Volume(nx: volume.nx, ny: volume.ny, nz: volume.nz, voxelSize: volume.voxelSize, origin: volume.origin, values: values)
    }
}
