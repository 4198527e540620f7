import Foundation
import Testing
import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// The language's step-by-step model building places the mask around the atoms and tests the
/// threshold search's atoms, as `build` does.
@Suite("mask, binarize and validate step by step")
struct MaskCommandTests {
    @Test("under low-frequency noise the steps mask around the atoms and find the particle")
    func stepsUnderLowFrequencyNoise() throws {
        let s = Session()
        #expect(s.run("""
            set element Pt
            map = simulate cuboctahedron natoms=147 snr=6 box=112 seed=5 lowfreq=0.03
            m = mask map
            den = denoise m
            binary = binarize den
            atoms = detect binary | split | recover | validate
            """) == nil)
        guard case .volume(let masked) = s.interpreter.variables["m"],
              case .volume(let map) = s.interpreter.variables["map"],
              case .mask(let binary) = s.interpreter.variables["binary"],
              case .atoms(let atoms) = s.interpreter.variables["atoms"] else {
            Issue.record("missing variables"); return
        }
        #expect(masked.mask?.method == .atomPeaks)
        #expect(masked.location != nil)
        // The shell shows the mask's size and how it was found with the atoms.
        #expect(Value.atoms(atoms).summary.contains("Mask: a "))
        #expect(Value.atoms(atoms).summary.contains("atom-like peaks above"))
        // The search ran with the plausibility tests: every trial was judged, and the
        // threshold chosen passed them.
        let search = try #require(binary.search)
        #expect(search.trials.first { $0.threshold == search.threshold }?.rejection == nil)
        let truth = try #require(map.truth)
        let matched = matchAtoms(atoms.atoms.positions, truth.positions, tolerance: 0.8).pairs.count
        #expect(Double(matched) / Double(truth.count) >= 0.95, "recall \(matched) of \(truth.count)")
        #expect(Double(matched) / Double(atoms.atoms.count) >= 0.95, "precision \(matched) of \(atoms.atoms.count)")
        // On the same map the envelope the mask used to be fills the box.
        #expect(2 * ParticleMask.envelope(of: map.volume).radius > 40)
    }

    @Test("validate removes detached clusters, flags them, and keeps them with detached=false")
    func validateRemovesDetachedClusters() throws {
        // A lumpy liquid slab leaves small clusters of false atoms beside the particle.
        let s = Session()
        #expect(s.run("""
            set element Pt
            map = simulate cuboctahedron natoms=147 snr=6 box=112 seed=3 liquid="slab" thickness=16 density=0.15
            found = denoise map | binarize | detect | split | recover
            checked = validate found
            kept = validate found detached=false
            """) == nil)
        guard case .atoms(let checked) = s.interpreter.variables["checked"],
              case .atoms(let kept) = s.interpreter.variables["kept"] else { Issue.record("no result"); return }
        let detached = checked.removals.filter { $0.rule == .detached }
        #expect(!detached.isEmpty)
        #expect(detached.allSatisfy { $0.reason.contains("detached cluster") })
        #expect(checked.flags.contains { $0.code == .detachedAtoms })
        #expect(!kept.removals.contains { $0.rule == .detached })
        #expect(kept.atoms.count == checked.atoms.count + detached.count)
        #expect(checked.history.last?.hasSuffix("\(detached.count) detached") == true)
    }
}
