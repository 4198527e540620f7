import Foundation
import Testing
import NanoAtomsEngine

@Suite("Cancellation (Ctrl-C) stops model building and statistics between steps")
struct CancellationTests {
    @Test("a requested stop throws Interrupted; a cleared one lets the same call finish with the same atoms")
    func stops() throws {
        var spec = ParticleSpec(element: TestSupport.platinum)
        spec.atomCount = 55; spec.snr = 8
        let p = TestParticle.make(spec)
        let options = ModelBuildingOptions(element: TestSupport.platinum)
        let flag = Cancellation()
        flag.request()
        #expect(throws: Interrupted.self) { try buildModel(from: p.map, options: options, cancellation: flag) }
        flag.reset()
        let r = try buildModel(from: p.map, options: options, cancellation: flag)
        #expect(r.atoms.positions == buildModel(from: p.map, options: options).atoms.positions)
        flag.request()
        #expect(throws: Interrupted.self) {
            try computeStatistics(of: r, cancellation: flag)
        }
    }

    @Test("a stop requested from another thread during the run is seen at the next step")
    func fromAnotherThread() {
        var spec = ParticleSpec(element: TestSupport.platinum)
        spec.atomCount = 309; spec.snr = 5
        let p = TestParticle.make(spec)
        let flag = Cancellation()
        // A thread of its own, not the dispatch pool the other tests keep busy.
        Thread { usleep(20_000); flag.request() }.start()
        var outcome = "finished"
        for _ in 0..<50 {
            do { _ = try buildModel(from: p.map, options: ModelBuildingOptions(element: TestSupport.platinum), cancellation: flag) }
            catch { outcome = "interrupted"; break }
        }
        #expect(outcome == "interrupted")
    }
}
