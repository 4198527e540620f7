import Testing
import NanoAtomsEngine

@Suite("A run frees the maps only earlier steps read; a built model keeps them")
struct IntermediateMapsTests {
    @Test("ParticleRun's model has no denoised map, buildModel's has, and both hold the same refined atoms")
    func released() throws {
        var spec = ParticleSpec(element: TestSupport.platinum)
        spec.atomCount = 79; spec.snr = 8
        let p = TestParticle.make(spec)
        var options = ModelBuildingOptions(element: TestSupport.platinum)
        options.refine = true
        let built = buildModel(from: p.map, options: options)
        let run = try ParticleRun(map: p.map, options: options)
        #expect(built.denoised != nil)
        #expect(run.model.denoised == nil)
        #expect(run.model.refinement != nil)
        #expect(run.model.atoms.positions == built.atoms.positions)
        #expect(run.model.atoms[column: "u_refined"] == built.atoms[column: "u_refined"])
    }
}
