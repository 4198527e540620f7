import Foundation
import Testing
@testable import NanoAtomsEngine

/// The histogram behind Otsu's threshold and the solvent's median (a fuzz crasher, minimised:
/// a map with a voxel of 3.4e38 trapped converting a bin index that had overflowed).
@Suite("Value histograms of extreme values")
struct ValueHistogramTests {
    @Test("values near ±3.4e38, infinities and NaN land in a bin instead of trapping")
    func extremes() {
        let v: [Float] = [-3.4e38, -1.9, 0, 1, 3.4e38, 2, 3]
        let h = ValueHistogram(v, bins: 4096)!
        #expect(h.counts.reduce(0, +) == v.count)
        #expect(h.bin(of: 3.4e38) == 4095 && h.bin(of: -3.4e38) == 0)
        // Residuals of a plane fitted through such a voxel can overflow to infinity.
        let w: [Float] = [-1.9, 0, 1, .infinity, 2]
        let g = ValueHistogram(w, bins: 64)!
        #expect(g.counts.reduce(0, +) == w.count)
        #expect(ValueHistogram.clampedBin(.nan, 63) == 63 && ValueHistogram.clampedBin(.infinity, 63) == 63)
        // A value asked for far below the minimum: −3.4e38 − 3.4e38 overflows to −infinity.
        #expect(ValueHistogram.clampedBin(-.infinity, 63) == 0)
        #expect(h.bin(of: -Float.greatestFiniteMagnitude) == 0)
    }

    @Test("the median by selection of values spanning the float range")
    func median() {
        var v: [Float] = [3.4e38, -3.4e38, 5, 1, 2, 4, 3]
        let m = v.withUnsafeMutableBufferPointer { ParticleMask.medianBySelection($0) }
        #expect(m == 3)
    }
}
