import Foundation

/// Separable 3D convolution with zero padding: the workhorse of denoising and smoothing.
///
/// A 3D kernel that factors as kx(i)·ky(j)·kz(k) is applied as three 1D passes,
/// each a sequence of row-wise multiply-adds that the compiler vectorises.
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

    /// Convolves `input` (nx × ny × nz, x fastest) with kx ⊗ ky ⊗ kz (odd lengths, centred)
    /// and adds `scale` times the result into `output`. `scratch1` and `scratch2` must
    /// hold as many elements as the input.
    public static func accumulate(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, scale: Float,
        nx: Int, ny: Int, nz: Int, kx: [Float], ky: [Float], kz: [Float],
        scratch1: UnsafeMutablePointer<Float>, scratch2: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let plane = nx * ny
        let inp = UncheckedSendable(input), s1 = UncheckedSendable(scratch1)
        let s2 = UncheckedSendable(scratch2), out = UncheckedSendable(output)
        // x pass: input -> scratch1
        Parallel.forEach(chunks: nz, threads: threads) { k in
            let rx = kx.count / 2
            kx.withUnsafeBufferPointer { kern in
                for j in 0..<ny {
                    let src = inp.value + (k * plane + j * nx)
                    let dst = s1.value + (k * plane + j * nx)
                    dst.update(repeating: 0, count: nx)
                    for t in 0..<kern.count {
                        let off = t - rx, w = kern[t]
                        let lo = max(0, -off), hi = min(nx, nx - off)
                        if lo >= hi { continue }
                        axpy(hi - lo, w, src + (lo + off), dst + lo)
                    }
                }
            }
        }
        // y pass: scratch1 -> scratch2
        Parallel.forEach(chunks: nz, threads: threads) { k in
            let ry = ky.count / 2
            ky.withUnsafeBufferPointer { kern in
                for j in 0..<ny {
                    let dst = s2.value + (k * plane + j * nx)
                    dst.update(repeating: 0, count: nx)
                    for t in 0..<kern.count {
                        let jj = j + t - ry
                        if jj < 0 || jj >= ny { continue }
                        axpy(nx, kern[t], s1.value + (k * plane + jj * nx), dst)
                    }
                }
            }
        }
        // z pass: scratch2 -> output (accumulated)
        Parallel.forEach(chunks: nz, threads: threads) { k in
            let rz = kz.count / 2
            kz.withUnsafeBufferPointer { kern in
                let dst = out.value + k * plane
                for t in 0..<kern.count {
                    let kk = k + t - rz
                    if kk < 0 || kk >= nz { continue }
                    axpy(plane, scale * kern[t], s2.value + kk * plane, dst)
                }
            }
        }
    }

    /// y[i] += a·x[i] for i < n, eight lanes at a time.
    @inline(__always)
    static func axpy(_ n: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let av = SIMD8<Float>(repeating: a)
        var i = 0
        let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y)
        while i + 8 <= n {
            let xv = xr.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            let yv = yr.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            yr.storeBytes(of: yv + av * xv, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }

    /// The map convolved with an isotropic Gaussian of standard deviation `sigma` voxels
    /// (kernel normalised to unit sum, cut at 4σ).
    public static func gaussianSmoothed(_ volume: Volume, sigmaVoxels sigma: Double, threads: Int = Parallel.availableCores) -> Volume {
        guard sigma > 0 else { return volume }
        var kernel = gaussianKernel(variance: sigma * sigma, voxelSize: 1, radius: 4 * sigma)
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        var out = Volume(sameGridAs: volume)
        var s1 = [Float](repeating: 0, count: volume.count), s2 = s1
        volume.values.withUnsafeBufferPointer { inp in
            out.values.withUnsafeMutableBufferPointer { o in
                s1.withUnsafeMutableBufferPointer { a in
                    s2.withUnsafeMutableBufferPointer { b in
                        accumulate(inp.baseAddress!, into: o.baseAddress!, scale: 1, nx: volume.nx, ny: volume.ny, nz: volume.nz,
                                   kx: kernel, ky: kernel, kz: kernel, scratch1: a.baseAddress!, scratch2: b.baseAddress!, threads: threads)
                    }
                }
            }
        }
        return out
    }
}
