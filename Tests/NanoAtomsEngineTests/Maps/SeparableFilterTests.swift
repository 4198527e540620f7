import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("The separable filter")
struct SeparableFilterTests {
    /// Σ scale · (input ⋆ k⊗k⊗k) at output voxel (i, j, k), summed directly in Double.
    static func direct(_ values: [Float], input: VoxelBox, at v: SIMD3<Int>, terms: [(scale: Float, kernel: [Float])]) -> Double {
        var s = 0.0
        for term in terms {
            let r = term.kernel.count / 2
            for c in -r...r { for b in -r...r { for a in -r...r {
                let u = v &+ SIMD3(a, b, c) &- input.lo
                guard u.x >= 0, u.y >= 0, u.z >= 0, u.x < input.dims.x, u.y < input.dims.y, u.z < input.dims.z else { continue }
                let w = Double(term.kernel[a + r]) * Double(term.kernel[b + r]) * Double(term.kernel[c + r])
                s += Double(term.scale) * w * Double(values[u.x + input.dims.x * (u.y + input.dims.y * u.z)])
            } } }
        }
        return s
    }

    @Test("equals the direct triple sum, with an output box larger on some sides and smaller on others",
          arguments: [false, true])
    func matchesDirectSum(avx2: Bool) {
        guard !avx2 || SeparableFilter.hasAVX2FMA else { return }
        var g = SeededGenerator(seed: 11)
        // 37 values per row: the kernels' 32- and 8-wide blocks and the scalar tail all run.
        let input = VoxelBox(lo: SIMD3(2, 1, 3), hi: SIMD3(38, 9, 10))
        let output = VoxelBox(lo: SIMD3(0, 3, 1), hi: SIMD3(41, 12, 8))
        let values = (0..<input.count).map { _ in Float(g.gaussian()) }
        let terms: [(scale: Float, kernel: [Float])] = [
            (1.5, SeparableFilter.gaussianKernel(variance: 1, voxelSize: 1, radius: 2)),
            (-0.25, SeparableFilter.gaussianKernel(variance: 4, voxelSize: 1, radius: 4)),
        ]
        let out = values.withUnsafeBufferPointer {
            SeparableFilter.filter($0.baseAddress!, input: input, output: output, terms: terms, threads: 2, avx2: avx2)
        }
        #expect(out.count == output.count)
        var worst = 0.0
        for k in 0..<output.dims.z { for j in 0..<output.dims.y { for i in 0..<output.dims.x {
            let expected = Self.direct(values, input: input, at: output.lo &+ SIMD3(i, j, k), terms: terms)
            worst = max(worst, abs(Double(out[i + output.dims.x * (j + output.dims.y * k)]) - expected))
        } } }
        #expect(worst < 2e-5)
    }

    @Test("the AVX2 kernel and the portable loop give the same row sums")
    func kernelsAgree() {
        guard SeparableFilter.hasAVX2FMA else { return }
        var g = SeededGenerator(seed: 5)
        let length = 75
        let rows = (0..<(9 * length)).map { _ in Float(g.gaussian()) }   // nine rows, flat
        let half: [Float] = [0.05, 0.1, 0.4, 0.8]
        let kernel = half + [1.0] + half.reversed()
        for n in [1, 7, 8, 31, 32, 33, 75] {
            for accumulate in [false, true] {
                let start = (0..<length).map { Float($0) * 0.5 }
                var a = start, b = start
                rows.withUnsafeBufferPointer { r in
                    var taps = SeparableFilter.Taps(capacity: kernel.count)
                    taps.set(weights: kernel) { r.baseAddress! + length * $0 }
                    a.withUnsafeMutableBufferPointer { SeparableFilter.weightedRowSum(n, taps: taps, into: $0.baseAddress!, accumulate: accumulate, avx2: true) }
                    b.withUnsafeMutableBufferPointer { SeparableFilter.weightedRowSum(n, taps: taps, into: $0.baseAddress!, accumulate: accumulate, avx2: false) }
                }
                for i in 0..<length {
                    if i < n {
                        var s = Double(accumulate ? start[i] : 0)
                        for t in kernel.indices { s += Double(kernel[t]) * Double(rows[length * t + i]) }
                        #expect(abs(Double(a[i]) - s) < 1e-4 && abs(Double(b[i]) - s) < 1e-4)
                    } else {
                        #expect(a[i] == start[i] && b[i] == start[i])   // beyond n: untouched
                    }
                }
            }
        }
    }
}
