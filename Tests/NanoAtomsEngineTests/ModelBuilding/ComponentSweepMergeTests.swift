import Testing
@testable import NanoAtomsEngine

@Suite("The component sweep's merge loop")
struct ComponentSweepMergeTests {
    @Test("the SSE4.1 loop and the portable loop give the same components and centres, to the bit")
    func loopsAgree() {
        guard ComponentSweep.hasSSE41 else { return }
        // A noisy map: many small components that merge as the threshold falls, so seeds
        // are joined in every order the loops can meet.
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 79; s.snr = 2; s.seed = 4
        let map = TestParticle.make(s).map
        let top = VolumeStatistics(map).maximum
        let sweep = ComponentSweep(denoised: map, weights: map, above: 0.1 * top)
        let thresholds = (2...12).map { Float($0) / 13 * top }
        let vector = sweep.centres(thresholds: thresholds, vector: true)
        let portable = sweep.centres(thresholds: thresholds, vector: false)
        #expect(vector.map(\.count) == portable.map(\.count))
        #expect(vector == portable)
        #expect(vector[0].count > 79)   // the lowest threshold has noise components too
    }
}
