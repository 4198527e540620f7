import Foundation
import Testing
import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// `compare` says missed and extra when one model is the truth, on whichever side it stands;
/// `export` writes extended XYZ, a chosen statistic in the PDB's B column, and a ChimeraX script
/// with the files it opens, as one set.
@Suite("compare's words, export to XYZ, PDB B column and ChimeraX")
struct CompareAndExportTests {
    @Test("against the truth, the truth's unpaired atoms are missed and the model's extra, on either side")
    func missedAndExtra() throws {
        let s = Session()
        // The model without its surface atoms: those true atoms are missed.
        #expect(s.run("""
            set element Pt
            m = simulate cuboctahedron natoms=147 snr=6 seed=4
            a = build m
            cut = (stats a) where radial_depth > 1
            c = compare cut m.truth
            d = compare m.truth cut
            print c.missed c.extra d.missed d.extra c.gained c.lost d.lost d.gained c.common c.displaced cut.count
            """) == nil, "\(s.last)")
        let n = s.last.split(separator: " ").map { Int($0)! }
        #expect(n[0] == n[2] && n[1] == n[3])                  // the same whichever side the truth is on
        #expect(n[0] == n[4] && n[1] == n[5] && n[2] == n[6] && n[3] == n[7])
        #expect(n[0] == 147 - n[8] - n[9] && n[0] > 10)          // missed = true atoms not paired
        #expect(n[1] == n[10] - n[8] - n[9])                      // extra = model atoms not paired
        #expect(s.run("c") == nil && s.last.contains("missed") && s.last.contains("the truth") && !s.last.contains("lost"))
        // Two models, neither the truth: lost and gained, and no missed.
        #expect(s.run("e = compare a a\ne") == nil && s.last.contains("lost") && !s.last.contains("missed"))
        #expect(s.run("e.missed") != nil)
        // A truth from a file is named with truth=.
        #expect(s.run("f = compare a a truth=\"second\"\nf.missed_pct") == nil && s.last == "0")
    }

    @Test("export: extended XYZ with the columns, CN in the PDB's B column, a ChimeraX script with its files")
    func exportFormats() throws {
        let folder = NSTemporaryDirectory() + "nanoatoms-export-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let s = Session()
        #expect(s.run("""
            set element Pt
            m = simulate cuboctahedron natoms=147 snr=6 seed=4
            t = stats (build m)
            export t "\(folder)/t.xyz"
            export t "\(folder)/t_cn.pdb" bfactor="cn"
            export t "\(folder)/cx/t.cxc" colour="uiso" map=m level=0.5
            """) == nil, "\(s.last)")
        guard case .table(let t) = s.interpreter.variables["t"] else { Issue.record("no table"); return }
        let xyz = try String(contentsOfFile: folder + "/t.xyz", encoding: .utf8).split(separator: "\n")
        #expect(Int(xyz[0]) == t.atoms.count && xyz[1].hasPrefix("Properties=species:S:1:pos:R:3:") && xyz[1].contains(":cn:R:1"))
        let pdb = try String(contentsOfFile: folder + "/t_cn.pdb", encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("ATOM") }
        let b = pdb.map { Double($0.dropFirst(60).prefix(6).trimmingCharacters(in: .whitespaces))! }
        #expect(b == t.atoms[column: "cn"]!)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/cx").sorted()
        #expect(files == ["t.cxc", "t.defattr", "t.mrc", "t.pdb"])
        let script = try String(contentsOfFile: folder + "/cx/t.cxc", encoding: .utf8)
        #expect(script.contains("color byattribute nano_uiso #1") && script.contains("volume #2 level 0.5 style mesh"))
        // A column that does not exist: an error naming the columns, and nothing written.
        #expect(s.run("export t \"\(folder)/bad/t.cxc\" colour=\"nosuch\"")?.message.contains("not a column") == true)
        #expect(!FileManager.default.fileExists(atPath: folder + "/bad"))
    }
}
