import Testing
@testable import NanoAtomsEngine

@Suite("The particle mask's solvent median")
struct ParticleMaskTests {
    @Test("the median by histogram and selection is the element of rank count/2, with ties and skew")
    func medianBySelection() {
        var g = SeededGenerator(seed: 17)
        for count in [1, 2, 7, 1000, 4097, 20_001] {
            // Skewed values with many exact ties, so the median's bin holds repeats.
            var values = (0..<count).map { _ in Float((g.gaussian() * g.gaussian() * 8).rounded()) / 8 }
            let expected = values.sorted()[count / 2]
            let found = values.withUnsafeMutableBufferPointer { ParticleMask.medianBySelection($0) }
            #expect(found == expected, "\(count) values")
        }
        var equal = [Float](repeating: 2.5, count: 50)
        #expect(equal.withUnsafeMutableBufferPointer { ParticleMask.medianBySelection($0) } == 2.5)
    }
}
