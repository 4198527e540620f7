import Foundation
import Testing
@testable import NanoAtomsEngine

/// The joint fit's per-atom normal equations come from a C kernel with a portable path and,
/// where the CPU has it, an AVX2/FMA path. Both must give the same step on the same data.
@Suite("Fit kernel: vector and portable paths agree")
struct FitKernelTests {
    static let pt = Element.named("Pt")!

    static func relativeDifference(_ x: Double, _ y: Double) -> Double {
        abs(x - y) / max(1e-12, max(abs(x), abs(y)))
    }

    @Test("the same step, residual and voxel count from both paths, with and without a model map",
          .enabled(if: AtomWindowKernel.vectorAvailable, "this CPU has no AVX2/FMA path"), arguments: [false, true])
    func pathsAgree(withModel: Bool) throws {
        var s = ParticleSpec(element: Self.pt)
        s.atomCount = 55; s.snr = 5; s.seed = 31
        let particle = TestParticle.make(s)
        let map = particle.map
        let profile = AtomProfile.peng(Self.pt, voxelSize: map.voxelSize)
        let windowRadius = 1.3
        let reach = Int((windowRadius / map.voxelSize).rounded(.up))
        // The model map is the noisy map halved: any values exercise the kernel.
        var model = map
        for i in model.values.indices { model.values[i] = 0.5 * model.values[i] }
        // Start each atom off its true centre so the step is not zero.
        for (n, truth) in particle.positions.prefix(12).enumerated() {
            let p = truth + Vector3(0.11 * Double(n % 3) - 0.1, 0.07, -0.05 * Double(n % 2))
            let portable = atomStep(p, 1, 0.02, map: map, model: withModel ? model : nil, background: 0.01,
                                    profile: profile, reach: reach, windowRadius: windowRadius, vectorKernel: false)
            let vector = atomStep(p, 1, 0.02, map: map, model: withModel ? model : nil, background: 0.01,
                                  profile: profile, reach: reach, windowRadius: windowRadius, vectorKernel: true)
            #expect(portable.voxels == vector.voxels)
            #expect(portable.voxels > 50)
            #expect(Self.relativeDifference(portable.rss, vector.rss) < 1e-9)
            #expect(Self.relativeDifference(portable.amplitude, vector.amplitude) < 1e-9)
            #expect(Self.relativeDifference(portable.displacement, vector.displacement) < 1e-9)
            #expect((portable.position - vector.position).length < 1e-9)
            #expect(portable.normal.count == vector.normal.count)
            for (x, y) in zip(portable.normal, vector.normal) { #expect(Self.relativeDifference(x, y) < 1e-8) }
        }
    }
}
