import Foundation
import Testing
@testable import NanoAtomsLanguage
import NanoAtomsEngine

/// `stats cutoff=`: a bond-cutoff analysis, checked against neighbours counted pair by pair.
@Suite("stats with a cut-off of the user's")
struct AnalysisCommandTests {
    @Test("CN with cutoff= equals a pair-by-pair count; past the second shell bulk atoms have 18")
    func cutoff() throws {
        let s = Session()
        #expect(s.run("set element Pt\ntruth = (simulate cuboctahedron natoms=309 seed=1).truth\nt3 = stats truth cutoff=3.3\nt4 = stats truth cutoff=4.3") == nil)
        guard case .atoms(let truth)? = s.interpreter.variables["truth"], case .table(let t4)? = s.interpreter.variables["t4"],
              case .table(let t3)? = s.interpreter.variables["t3"] else { Issue.record("no tables"); return }
        let p = truth.atoms.positions
        for (table, r) in [(t3, 3.3), (t4, 4.3)] {
            let counted = p.indices.map { i in p.indices.filter { $0 != i && (p[$0] - p[i]).length < r }.count }
            #expect(table.atoms[column: "cn"]!.map { Int($0) } == counted)
            #expect(table.coordinationRadius == r)
        }
        #expect(t4.atoms[column: "cn"]!.max() == 18 && t3.atoms[column: "cn"]!.max() == 12)
        // A cut-off of the user's is flagged; the lattice's own is not.
        #expect(t4.flags.contains { $0.code == .userCutoff } && t3.flags.contains { $0.code == .userCutoff })
        #expect(s.run("t0 = stats truth") == nil)
        guard case .table(let t0)? = s.interpreter.variables["t0"] else { Issue.record("no table"); return }
        #expect(!t0.flags.contains { $0.code == .userCutoff })
        #expect(s.run("print t4.cn_radius") == nil && s.last == "4.3")
        #expect(s.run("x = stats truth cutoff=20")?.message.hasPrefix("stats: 'cutoff' must lie between 1 and 8 Å") == true)
    }
}
