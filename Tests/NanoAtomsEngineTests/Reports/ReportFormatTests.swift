import Foundation
import Testing
import NanoAtomsEngine

@Suite("PDB, CSV and JSON output")
struct ReportFormatTests {
    let pt = TestSupport.platinum
    let u = Matrix3([0.0213, 0.0011, -0.0032, 0.0011, 0.0344, 0.0005, -0.0032, 0.0005, 0.0412])

    func records() -> [PDBFormat.Record] {
        var a = PDBFormat.Record(position: Vector3(12.345, -6.5, 101.25))
        a.bFactor = 8 * Double.pi * Double.pi * 0.0323
        a.anisotropicU = u
        let b = PDBFormat.Record(position: Vector3(1, 2, 3))
        return [a, b]
    }

    @Test("ATOM and ANISOU records sit in the PDB format's exact columns")
    func columns() throws {
        let lines = try PDBFormat.text(element: pt, records: records(), box: Vector3(40, 40, 40)).split(separator: "\n").map(String.init)
        let atom = lines.first { $0.hasPrefix("ATOM") }!, anisou = lines.first { $0.hasPrefix("ANISOU") }!
        func col(_ s: String, _ a: Int, _ b: Int) -> String { String(Array(s)[(a - 1)..<b]) }
        #expect(atom.count == 78 && anisou.count == 78)
        #expect(col(atom, 7, 11) == "    1" && col(atom, 13, 16) == "PT  " && col(atom, 18, 20) == " PT")
        #expect(col(atom, 31, 38) == "  12.345" && col(atom, 39, 46) == "  -6.500" && col(atom, 47, 54) == " 101.250")
        #expect(col(atom, 61, 66) == "  2.55" && col(atom, 77, 78) == "PT")
        #expect(col(anisou, 29, 35) == "    213" && col(anisou, 36, 42) == "    344" && col(anisou, 43, 49) == "    412")
        #expect(col(anisou, 50, 56) == "     11" && col(anisou, 57, 63) == "    -32" && col(anisou, 64, 70) == "      5")
        #expect(lines.filter { $0.hasPrefix("ANISOU") }.count == 1)
        #expect(lines.last == "END")
    }

    @Test("our PDB reader reads back what we wrote")
    func readBack() throws {
        let atoms = try PDBFormat.parse(PDBFormat.text(element: pt, records: records()), name: "m.pdb")
        #expect(atoms.count == 2)
        #expect(atoms[0].position == Vector3(12.345, -6.5, 101.25))
        #expect(abs(atoms[0].bFactor - 2.55) < 1e-9)
        #expect(abs(atoms[0].anisotropicU![0, 2] + 0.0032) < 1e-9)
        #expect(atoms[1].anisotropicU == nil)
    }

    @Test("gemmi reads our PDB with the same coordinates, B-factors and ANISOU values",
          .enabled(if: TestSupport.pythonHas("gemmi")))
    func gemmiReads() throws {
        let folder = TestSupport.temporaryFolder()
        try writeAtomically(PDBFormat.text(element: pt, records: records(), box: Vector3(40, 40, 40)), to: folder + "/m.pdb")
        let out = try TestSupport.runPython("""
            import sys, gemmi
            st = gemmi.read_structure(sys.argv[1])
            for a in st[0]['A'][0]:
                pass
            atoms = [r[0] for r in st[0]['A']]
            a = atoms[0]
            print(a.element.name, round(a.pos.x, 3), round(a.pos.y, 3), round(a.pos.z, 3), round(a.b_iso, 2))
            print(' '.join('%.4f' % v for v in a.aniso.elements_pdb()))
            print(atoms[1].aniso.nonzero())
            """, arguments: [folder + "/m.pdb"])
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "Pt 12.345 -6.5 101.25 2.55")
        #expect(lines[1] == "0.0213 0.0344 0.0412 0.0011 -0.0032 0.0005")
        #expect(lines[2] == "False")
    }

    @Test("gemmi reads our mmCIF with the same coordinates, B-factors and U, even far beyond PDB's columns",
          .enabled(if: TestSupport.pythonHas("gemmi")))
    func gemmiReadsCIF() throws {
        let folder = TestSupport.temporaryFolder()
        var far = records()
        far[1].position = Vector3(12345.678, -2000.5, 3)
        #expect(throws: EngineError.self) { try PDBFormat.text(element: pt, records: far) }
        try writeAtomically(MMCIFFormat.text(element: pt, records: far, box: Vector3(40, 40, 40)), to: folder + "/m.cif")
        let out = try TestSupport.runPython("""
            import sys, gemmi
            st = gemmi.read_structure(sys.argv[1])
            for r in st[0]['A']:
                a = r[0]
                print(a.element.name, round(a.pos.x, 3), round(a.pos.y, 3), round(a.pos.z, 3), round(a.b_iso, 2),
                      ' '.join('%.4f' % v for v in a.aniso.elements_pdb()) if a.aniso.nonzero() else '-')
            """, arguments: [folder + "/m.cif"])
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines == ["Pt 12.345 -6.5 101.25 2.55 0.0213 0.0344 0.0412 0.0011 -0.0032 0.0005", "Pt 12345.678 -2000.5 3.0 0.0 -"])
    }

    @Test("CSV has id, x, y, z then the columns; NaN is written nan")
    func csv() {
        var a = AtomSet(element: pt, positions: [Vector3(1, 2, 3), Vector3(4, 5, 6)])
        a.setColumn("cn", [12, 5])
        a.setColumn("uiso", [0.25, .nan])
        #expect(CSVFormat.text(a) == "id,x,y,z,cn,uiso\n1,1.0000,2.0000,3.0000,12,0.25\n2,4.0000,5.0000,6.0000,5,nan\n")
    }

    @Test("CSV read back gives the same atoms and columns; a bad line is named")
    func csvReadBack() throws {
        var a = AtomSet(element: pt, positions: [Vector3(1, 2, 3), Vector3(4, 5, 6.5)])
        a.setColumn("cn", [12, 5])
        a.setColumn("uiso", [0.25, .nan])
        let b = try CSVFormat.parseAtoms(CSVFormat.text(a), element: pt, name: "a.csv")
        #expect(b.positions == a.positions)
        #expect(b.columnNames == ["cn", "uiso"])
        #expect(b[column: "cn"] == [12, 5] && b[column: "uiso"]![1].isNaN)
        #expect(throws: EngineError("line 3: x, y, z must be numbers within ±1e6 Å, not 1, two, 3", file: "b.csv")) {
            try CSVFormat.parseAtoms("x,y,z\n1,2,3\n1,two,3\n", element: pt, name: "b.csv")
        }
        // A coordinate that is not a finite number within a micrometre is refused where it enters.
        for bad in ["nan", "1e308", "inf", "-2e6"] {
            #expect(throws: EngineError("line 2: x, y, z must be numbers within ±1e6 Å, not 1, \(bad), 3", file: "c.csv")) {
                try CSVFormat.parseAtoms("x,y,z\n1,\(bad),3\n", element: pt, name: "c.csv")
            }
        }
        // A spreadsheet's byte-order mark is dropped; an invisible character in a value is named.
        #expect(try CSVFormat.parseAtoms("\u{FEFF}x,y,z\n1,2,3\n", element: pt, name: "e.csv").positions == [Vector3(1, 2, 3)])
        #expect(throws: EngineError("line 2: x, y, z must be numbers within ±1e6 Å, not 4\\u{feff}.9, 2, 3", file: "f.csv")) {
            try CSVFormat.parseAtoms("x,y,z\n4\u{FEFF}.9,2,3\n", element: pt, name: "f.csv")
        }
        // Blank lines count, so the line named is the line in the file.
        #expect(throws: EngineError("line 4: x, y, z must be numbers within ±1e6 Å, not 1, nan, 3", file: "d.csv")) {
            try CSVFormat.parseAtoms("x,y,z\n1,2,3\n\n1,nan,3\n", element: pt, name: "d.csv")
        }
        #expect(throws: EngineError("line 1: the header needs x, y and z columns", file: "c.csv")) {
            try CSVFormat.parseAtoms("a,b\n1,2\n", element: pt, name: "c.csv")
        }
    }

    @Test("JSON keeps key order and writes non-finite numbers as null")
    func json() {
        let v = JSONValue.object([("b", .number(1)), ("a", .array([.finite(.nan), .number(2.5)])), ("s", .string("q\"\n"))])
        #expect(v.serialized(indent: 0) == "{\n\"b\": 1,\n\"a\": [null, 2.5],\n\"s\": \"q\\\"\\n\"\n}")
        // On one line, for the kernel's protocol and the report's data: the same document.
        #expect(v.singleLine() == "{\"b\": 1,\"a\": [null, 2.5],\"s\": \"q\\\"\\n\"}")
    }
}
