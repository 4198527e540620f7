import Foundation
import Testing
@testable import NanoAtomsLanguage
import NanoAtomsEngine

/// A selection is atoms that keep their map: the commands that take atoms work on it, and
/// what they measure agrees with the whole particle's table.
@Suite("Selections of atoms and tables")
struct SelectionTests {
    /// A session with a built, measured 309-atom particle: `atoms` and `tab`.
    func particle() -> Session {
        let s = Session()
        #expect(s.run("set element Pt\nm = simulate cuboctahedron natoms=309 snr=6 seed=5\natoms = build m\ntab = stats atoms") == nil)
        return s
    }

    func table(_ s: Session, _ name: String) -> ParticleStatistics? {
        if case .table(let t)? = s.interpreter.variables[name] { return t }
        return nil
    }
    func atoms(_ s: Session, _ name: String) -> AtomsValue? {
        if case .atoms(let a)? = s.interpreter.variables[name] { return a }
        return nil
    }

    @Test("tab where … keeps exactly the rows whose columns satisfy the condition, in order")
    func rows() throws {
        let s = particle()
        #expect(s.run("core = tab where cn == 12 and radial_depth > 2\nsurface = tab where not (cn == 12)") == nil)
        let t = try #require(table(s, "tab"))
        let cn = t.atoms[column: "cn"]!, depth = t.atoms[column: "radial_depth"]!
        let expected = t.atoms.positions.indices.filter { cn[$0] == 12 && depth[$0] > 2 }
        let core = try #require(atoms(s, "core"))
        #expect(core.atoms.count == expected.count && !expected.isEmpty)
        #expect(core.atoms.positions == expected.map { t.atoms.positions[$0] })
        #expect(core.atoms[column: "uiso"]! == expected.map { t.atoms[column: "uiso"]![$0] })
        #expect(try #require(atoms(s, "surface")).atoms.count + cn.filter { $0 == 12 }.count == t.atoms.count)
        // The aggregates over a selection equal the sums done here.
        #expect(s.run("print (mean core.uiso) (count (tab.cn == 12))") == nil)
        let u = expected.map { t.atoms[column: "uiso"]![$0] }
        #expect(s.last == "\(formatNumber(u.reduce(0, +) / Double(u.count))) \(cn.filter { $0 == 12 }.count)")
    }

    @Test("stats of a selection measures its atoms in the same map: all of them give the whole table again")
    func keepsItsMap() throws {
        let s = particle()
        #expect(s.run("everything = tab where true\nt2 = stats everything\nouter = tab where radial_depth < 4\nt3 = stats outer") == nil)
        let t = try #require(table(s, "tab")), t2 = try #require(table(s, "t2")), t3 = try #require(table(s, "t3"))
        #expect(t2.hasShapeStatistics && t3.hasShapeStatistics)
        for name in ["peak_z", "valid_corr", "uiso", "u11", "doi", "cn", "radial_strain"] {
            let a = t.atoms[column: name]!, b = t2.atoms[column: name]!
            #expect(zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) < 1e-9 }, "\(name) differs")
        }
        // A part of the particle is measured in the same map: each atom's Uiso, fitted in its
        // own window, stays close to the whole table's (the window's radius follows ā).
        let depth = t.atoms[column: "radial_depth"]!, u = t.atoms[column: "uiso"]!
        let picked = t.atoms.positions.indices.filter { depth[$0] < 4 }
        let u3 = t3.atoms[column: "uiso"]!
        #expect(t3.atoms.count == picked.count)
        let differences = zip(picked.map { u[$0] }, u3).map { abs($0 - $1) }.filter(\.isFinite).sorted()
        #expect(differences[differences.count / 2] < 0.01, "median Uiso difference \(differences[differences.count / 2])")
        // The table's atoms keep the map too.
        #expect(s.run("loaded = tab.atoms\nsel = loaded where cn > 0\nt4 = stats sel") == nil)
        #expect(try #require(table(s, "t4")).hasShapeStatistics)
    }

    @Test("compare, export and plot take a selection; a row is a record of one atom")
    func commandsTakeIt() throws {
        let s = particle()
        let folder = NSTemporaryDirectory() + "nano-sel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(s.run("core = tab where cn == 12\nc = compare core tab\nprint c.common core.count") == nil)
        let parts = s.last.split(separator: " ")
        #expect(parts.count == 2 && parts[0] == parts[1])
        #expect(s.run("export core \(folder)/core.csv\nplot core \(folder)/core.svg kind=projection column=uiso") == nil)
        #expect(try String(contentsOfFile: folder + "/core.svg", encoding: .utf8).contains("<svg"))
        let csv = try String(contentsOfFile: folder + "/core.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == Int(parts[1])! + 1)
        #expect(s.run("r = tab[3]\nprint r.index r.cn (r.x == tab.x[3])") == nil)
        let t = try #require(table(s, "tab"))
        #expect(s.last == "3 \(formatNumber(t.atoms[column: "cn"]![3])) true")
        #expect(s.run("top = head (sort tab by=uiso descending=true) n=3\nprint top.uiso") == nil)
        let widest = t.atoms[column: "uiso"]!.sorted(by: >).prefix(3).map(formatNumber).joined(separator: ", ")
        #expect(s.last == "[\(widest)]")
    }

    @Test("a condition that is not true/false per atom, or an unknown column, is an error naming it")
    func errors() {
        let s = particle()
        #expect(s.run("x = tab where cn")?.message.hasPrefix("the condition must be true or false for each atom, not a number") == true)
        #expect(s.run("x = tab where cnn < 3")?.message == "the atoms have no column 'cnn' (did you mean 'cn'?)")
        #expect(s.run("x = [1, 2] where true")?.message.hasPrefix("'where' selects atoms or a table's rows, not a list") == true)
        #expect(s.interpreter.variables["x"] == nil)
    }
}
