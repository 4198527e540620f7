import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("Gaussian samples by recurrence")
struct GaussianSamplesTests {
    func direct(count: Int, first: Double, step: Double, f: Double, scale: Double, reach: Double) -> [Double] {
        (0..<count).map { i in let d = first + Double(i) * step; return abs(d) <= reach ? scale * exp(f * d * d) : 0 }
    }

    func filled(count: Int, first: Double, step: Double, f: Double, scale: Double, reach: Double = .infinity) -> [Double] {
        var out = [Double](repeating: .nan, count: count)
        out.withUnsafeMutableBufferPointer { GaussianSamples.fill($0.baseAddress!, count: count, first: first, step: step, f: f, scale: scale, reach: reach) }
        return out
    }

    @Test("every sample is its own exponential to 1e-13, centre inside, at the edge, and outside the range")
    func agreesWithExponentials() {
        for (first, step, f) in [(-4.3, 0.358, -1 / (2 * 0.3)), (-0.1, 0.5, -2.0), (1.7, 0.358, -0.4), (-9.9, 0.358, -1 / (2 * 1.3)), (-3, 1, -0.5)] {
            let got = filled(count: 25, first: first, step: step, f: f, scale: 2.5)
            let want = direct(count: 25, first: first, step: step, f: f, scale: 2.5, reach: .infinity)
            for (g, w) in zip(got, want) { #expect(abs(g - w) <= 1e-13 * w, "first \(first), f \(f): \(g) against \(w)") }
        }
    }

    @Test("samples beyond the reach are zero; so is every one when the nearest lies beyond it")
    func reach() {
        let got = filled(count: 21, first: -10, step: 1, f: -0.3, scale: 1, reach: 4.5)
        for (i, g) in got.enumerated() { #expect((abs(Double(i) - 10) <= 4.5) == (g > 0)) }
        #expect(filled(count: 5, first: 0.6, step: 1, f: -0.3, scale: 1, reach: 0.5).allSatisfy { $0 == 0 })
    }

    @Test("an offset or step that is not a number gives what the formula gives, without a trap")
    func notANumber() {
        // NaN is beyond every reach: zeros, as the formula with its reach test gives.
        #expect(filled(count: 4, first: .nan, step: 1, f: -1, scale: 1) == [0, 0, 0, 0])
        #expect(filled(count: 3, first: -1, step: 0, f: -1, scale: 1) == direct(count: 3, first: -1, step: 0, f: -1, scale: 1, reach: .infinity))
        #expect(filled(count: 3, first: .infinity, step: 1, f: -1, scale: 1).allSatisfy { $0 == 0 || $0.isNaN })
    }

    @Test("a narrow Gaussian far out underflows to zero, never to NaN; Float output too")
    func underflow() {
        let got = filled(count: 60, first: -30, step: 1, f: -4.6, scale: 1)
        #expect(got.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(got[30] == 1 && got[0] == 0)
        var single = [Float](repeating: .nan, count: 9)
        single.withUnsafeMutableBufferPointer { GaussianSamples.fill($0.baseAddress!, count: 9, first: -2, step: 0.5, f: -1, scale: 3) }
        #expect(zip(single, direct(count: 9, first: -2, step: 0.5, f: -1, scale: 3, reach: .infinity)).allSatisfy { abs(Double($0) - $1) <= 1e-6 * $1 })
    }
}
