import Foundation
import Testing
import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// One writer: a built model exported to a folder gets exactly the files `nanoatoms run` writes
/// for the same map.
@Suite("export of a built model writes the run's files")
struct ExportRunTests {
    /// A file's bytes with what measures time taken out (summary.json's timings, the report's
    /// time table).
    static func normalised(_ name: String, _ data: Data) throws -> Data {
        if name == "summary.json" {
            var doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            doc["timings"] = nil
            return try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])
        }
        if name == "report.html" {
            let text = String(decoding: data, as: UTF8.self)
            return Data(text.replacingOccurrences(of: "<h2>Time per step</h2>[\\s\\S]*?</table>", with: "", options: .regularExpression).utf8)
        }
        return data
    }

    static func files(in folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: folder)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue else { continue }
            out[rel] = try normalised((rel as NSString).lastPathComponent, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + rel)))
        }
        return out
    }

    @Test("the same files, byte for byte but for the timings, as a run on the same map")
    func sameFilesAsRun() throws {
        let dir = NSTemporaryDirectory() + "nanoatoms-export-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Session()
        #expect(s.run("""
            set element Pt
            save (simulate cuboctahedron natoms=147 snr=6 seed=9) "\(dir)/np.mrc"
            built = build (load "\(dir)/np.mrc")
            export built "\(dir)/exported"
            """) == nil, "\(s.last)")
        // What `nanoatoms run np.mrc --element Pt --out run` does.
        var defaults = StudyMapOptions()
        defaults.element = Element.named("Pt")!
        let o = defaults.buildingOptions(threads: s.interpreter.options.threads)
        try ParticleRun(map: try MRCFormat.read(path: dir + "/np.mrc"), options: o).write(to: dir + "/run", mapName: "np.mrc")
        let exported = try Self.files(in: dir + "/exported"), run = try Self.files(in: dir + "/run")
        #expect(Set(exported.keys) == Set(run.keys) && exported.count >= 15)
        for (name, bytes) in run { #expect(exported[name] == bytes, "\(name) differs") }
        // Atoms that are not a built model have no run to write.
        #expect(s.run("export (load \"\(dir)/run/atoms.csv\") \"\(dir)/other\"")?.message.contains("not one") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/other"))
    }
}
