import Foundation
import Testing
@testable import NanoAtomsEngine

/// What a run gives the programs scientists look with: the ChimeraX script and attribute
/// file, the report's 3D view data, the provenance, and mmCIF that keeps the U tensors.
@Suite("files for viewers: ChimeraX, the 3D view, provenance, mmCIF with ADPs")
struct ViewerFilesTests {
    /// A built and measured 147-atom Pt particle, written as a run folder with provenance.
    func run() throws -> (folder: String, run: ParticleRun, map: String) {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 147
        s.snr = 6
        s.seed = 11
        let p = TestParticle.make(s)
        let folder = TestSupport.temporaryFolder()
        let map = folder + "-map.mrc"
        try MRCFormat.write(p.map, to: map)
        let r = try ParticleRun(map: p.map, options: ModelBuildingOptions(element: TestSupport.platinum))
        try r.write(to: folder, mapName: "sample", provenance: Provenance(inputs: [try .init(role: "map", path: map)], commandLine: ["nanoatoms", "run", map]))
        return (folder, r, map)
    }

    @Test("the attribute file gives every atom its CN once, by the residue number our PDB gives it")
    func attributeFile() throws {
        let (folder, r, _) = try run()
        let text = try String(contentsOfFile: folder + "/model.defattr", encoding: .utf8)
        var cn: [Int: Double] = [:], attribute = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("attribute: ") { attribute = String(line.dropFirst("attribute: ".count)) }
            else if line.hasPrefix("\t"), attribute == "nano_cn" {
                let f = line.split(separator: "\t")
                #expect(f.count == 2 && f[0].hasPrefix("/A:"))
                let k = Int(f[0].dropFirst(3))!
                #expect(cn[k] == nil)
                cn[k] = Double(f[1])
            }
        }
        let truth = r.statistics.atoms[column: "cn"]!
        #expect(cn.count == truth.count && truth.indices.allSatisfy { cn[$0 + 1] == truth[$0] })
        // The PDB numbers atom k as residue k of chain A, which the spec /A:k names.
        let pdb = try String(contentsOfFile: folder + "/model.pdb", encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("ATOM") }
        #expect(pdb.count == truth.count && pdb.enumerated().allSatisfy { Int($0.element.dropFirst(22).prefix(4).trimmingCharacters(in: .whitespaces)) == $0.offset + 1 && $0.element.dropFirst(21).first == "A" })
    }

    @Test("the script opens the model, the attributes and the map, colours by CN over its range and shows the ellipsoids")
    func script() throws {
        let (folder, r, map) = try run()
        let lines = try String(contentsOfFile: folder + "/model.cxc", encoding: .utf8).split(separator: "\n").map(String.init)
        let commands = lines.filter { !$0.hasPrefix("#") }
        #expect(commands.first == "close" && commands.contains("open \"model.pdb\"") && commands.contains("open \"model.defattr\""))
        #expect(commands.contains("aniso #1") && commands.last == "view")
        let cn = r.statistics.atoms[column: "cn"]!
        let colour = try #require(commands.first { $0.hasPrefix("color byattribute nano_cn #1 palette ") })
        let stops = colour.split(separator: " ")[5].split(separator: ":").map { Double($0.split(separator: ",")[0])! }
        #expect(stops.first == cn.min() && stops.last == cn.max() && stops.count == 5)
        let path = (map as NSString).standardizingPath
        #expect(commands.contains("open \"\(path)\""))
        let level = try #require(commands.first { $0.hasPrefix("volume #2 level ") }).split(separator: " ")[3]
        // Half way from the background to the median atom peak: between the two.
        let peak = r.model.raw.medianValue(at: r.model.atoms.positions) + r.model.background.level
        #expect(Double(level)! > r.model.background.level && Double(level)! < peak)
    }

    @Test("a path is quoted so ChimeraX reads it whole: double quotes, single around a double quote, none when both are in it")
    func quoting() {
        #expect(ChimeraXFiles.quotedPath("/data/my map.mrc") == "\"/data/my map.mrc\"")
        #expect(ChimeraXFiles.quotedPath("/data/a \"b\".mrc") == "'/data/a \"b\".mrc'")
        #expect(ChimeraXFiles.quotedPath("/data/it's \"b\".mrc") == nil)
        #expect(ChimeraXFiles.quotedPath("/data/two\nlines.mrc") == nil)
        var atoms = AtomSet(element: Element.named("Pt")!, positions: [Vector3(0, 0, 0), Vector3(2.8, 0, 0)])
        atoms.setColumn("cn", [1, 1])
        let script = ChimeraXFiles.script(title: "t", model: "model.pdb", attributes: "model.defattr", atoms: atoms, colour: "cn",
                                          map: (path: "/data/it's \"b\".mrc", level: 1, meaning: "m"))
        let commands = script.split(separator: "\n").filter { !$0.hasPrefix("#") }
        // The model still opens; the map is named in a comment, and no command refers to it.
        #expect(commands.contains("open \"model.pdb\"") && !commands.contains { $0.hasPrefix("volume") || $0.contains("b\".mrc") })
        #expect(script.contains("open the file by hand"))
    }

    @Test("the 3D view's data holds every atom, every column, U where valid and every removal")
    func viewData() throws {
        let (folder, r, _) = try run()
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"view3d-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)) as! [String: Any]
        let atoms = r.statistics.atoms
        #expect((json["x"] as! [Double]).count == atoms.count)
        #expect(zip(json["x"] as! [Double], atoms.positions).allSatisfy { abs($0 - $1.x) <= 0.005 })
        let columns = json["columns"] as! [String: Any]
        #expect((columns["cn"] as! [Double]) == atoms[column: "cn"]!)
        let u = json["u"] as! [Any]
        let valid = atoms[column: "aniso_valid"]!
        #expect(u.count == atoms.count && u.indices.allSatisfy { (u[$0] is NSNull) == (valid[$0] != 1) })
        #expect((json["removed"] as! [Any]).count == r.model.removals.count)
        #expect(json["ellipsoid_scale"] as? Double == ParticleView.ellipsoidScale)
    }

    @Test("the provenance names the version, the command and the map's SHA-256, in summary.json and the report")
    func provenance() throws {
        let (folder, _, map) = try run()
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))) as! [String: Any]
        let p = summary["provenance"] as! [String: Any]
        #expect(p["version"] as? String == Provenance.version)
        #expect(p["command_line"] as? [String] == ["nanoatoms", "run", map])
        let input = (p["inputs"] as! [[String: Any]])[0]
        #expect(input["checksum"] as? String == (try fileChecksum(map)))
        #expect((p["options"] as! [String: String])["element"] == "Pt")
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.contains(String((try fileChecksum(map)).dropFirst(7))))
    }

    @Test("mmCIF written and read keeps every atom's anisotropic U")
    func mmcifADPs() throws {
        let (folder, r, _) = try run()
        let back = try ModelFile.read(path: folder + "/model.cif", element: nil)
        let atoms = r.statistics.atoms
        #expect(back.count == atoms.count)
        let valid = atoms[column: "aniso_valid"]!
        #expect(back[column: "aniso_valid"] == valid)
        for key in Statistic.anisotropicU.map(\.key) {
            let a = atoms[column: key]!, b = back[column: key]!
            #expect(a.indices.allSatisfy { valid[$0] != 1 || abs(a[$0] - b[$0]) < 1e-5 }, "\(key)")
        }
    }
}

/// A model of several elements keeps each atom's element through PDB and mmCIF.
@Suite("several elements in PDB and mmCIF")
struct SeveralElementsFormatTests {
    @Test("a Pd core in a Pt shell: every atom's element written and read back, in both formats")
    func coreShell() throws {
        let pt = Element.named("Pt")!, pd = Element.named("Pd")!
        var atoms = AtomSet(element: pt, positions: (0..<30).map { Vector3(Double($0) * 2.8, Double($0 % 3), 0) })
        let truth = (0..<30).map { $0 % 4 == 0 ? pd : pt }
        atoms.setColumn("atomic_number", truth.map { Double($0.atomicNumber) })
        let records = RunOutputs.pdbRecords(atoms)
        let folder = TestSupport.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PDBFormat.text(element: pt, records: records).write(toFile: folder + "/m.pdb", atomically: true, encoding: .utf8)
        try MMCIFFormat.text(element: pt, records: records).write(toFile: folder + "/m.cif", atomically: true, encoding: .utf8)
        for file in ["m.pdb", "m.cif"] {
            let back = try ModelFile.read(path: folder + "/" + file, element: nil)
            #expect(back.elements == truth, "\(file)")
        }
        // PDB columns: the atom name and the element field say Pd for the core atoms.
        let lines = try String(contentsOfFile: folder + "/m.pdb", encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("ATOM") }
        #expect(lines[0].dropFirst(12).prefix(4) == "PD  " && lines[0].dropFirst(76).prefix(2) == "PD")
        #expect(lines[1].dropFirst(12).prefix(4) == "PT  " && lines[1].dropFirst(76).prefix(2) == "PT")
    }
}
