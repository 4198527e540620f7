import Foundation
import Testing
import NanoAtomsEngine
import NanoAtomsLanguage

@Suite("The plot command")
struct PlotCommandTests {
    /// A session with a small particle taken through the pipeline: map, den, binary, atoms, tab, fit, cmp.
    func pipeline() -> Session {
        let s = Session()
        let e = s.run("""
            map = simulate cuboctahedron natoms=147 snr=8 seed=2
            den = denoise map
            binary = binarize den
            atoms = detect binary
            tab = stats atoms
            fit = fitdepth tab cn
            cmp = compare atoms map.truth
            """)
        #expect(e == nil, "\(e?.message ?? "")")
        return s
    }

    func folder() -> String {
        let path = NSTemporaryDirectory() + "nanoatoms-plot-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("writes an SVG for every kind of value", arguments: [
        ("fit", "cn against radial depth"), ("tab kind=bins column=uiso", "uiso by CN"),
        ("tab kind=projection column=doi", "coloured by doi"), ("binary", "threshold search"),
        ("atoms kind=slice", "plane"), ("den atoms=atoms axis=x", "along x"), ("cmp", "common"),
        ("tab column=gcn", "gcn against radial depth"),
    ])
    func writes(arguments: String, described: String) throws {
        let s = pipeline(), dir = folder()
        let words = arguments.split(separator: " ", maxSplits: 1).map(String.init)
        let source = "plot \(words[0]) \"\(dir)/f.svg\"" + (words.count > 1 ? " " + words[1] : "")
        #expect(s.run(source) == nil)
        #expect(s.last.hasPrefix("wrote \(dir)/f.svg: ") && s.last.contains(described), "\(s.last)")
        let svg = try String(contentsOfFile: dir + "/f.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
    }

    @Test("without a file, prints a quick view in the terminal")
    func terminalViews() {
        let s = pipeline()
        #expect(s.run("plot fit") == nil)
        #expect(s.last.contains("●") && s.last.contains("┊") && s.last.contains("δ = "))
        #expect(s.run("plot binary") == nil)
        #expect(s.last.contains("Otsu") && s.last.contains("chosen"))
        #expect(s.run("plot tab kind=bins column=uiso") == nil)
        #expect(s.last.contains("    12 ") && s.last.contains("S/√N"))
        #expect(s.run("plot tab kind=projection") == nil)
        #expect(s.last.contains("c") && s.last.contains("each atom shows its cn"))
        #expect(s.run("plot cmp") == nil)
        #expect(s.last.contains("common") && s.last.contains("gained"))
    }

    @Test("refuses what it cannot draw, naming what it can", arguments: [
        ("plot fit kind=bins", "plot: a fit can be drawn as depth, not bins"),
        ("plot atoms \"x.png\"", "plot: writes SVG; name the file with .svg, not 'x.png'"),
        ("plot tab kind=bins column=\"nothing\"", "plot: 'column' must be one of"),
        ("plot 3", "plot: 'value' must be a depth fit (from fitdepth) or a table (from stats) or atoms or a binarised map (from binarize) or a map or a comparison (from compare), not a number"),
        ("plot tab kind=slice", "plot: a table carries no map"),
    ])
    func refuses(source: String, message: String) {
        let s = pipeline()
        let e = s.run(source)
        #expect(e?.message.hasPrefix(message) == true, "\(e?.message ?? "no error")")
    }

    @Test("the depth plot from a table uses the table's own fit")
    func depthFromTable() throws {
        let s = pipeline(), dir = folder()
        #expect(s.run("plot tab \"\(dir)/a.svg\"\nplot fit \"\(dir)/b.svg\"") == nil)
        let a = try String(contentsOfFile: dir + "/a.svg", encoding: .utf8), b = try String(contentsOfFile: dir + "/b.svg", encoding: .utf8)
        // Same fit, so the same δ; the table's plot adds every atom behind the averages.
        let delta = { (t: String) in t.components(separatedBy: "class=\"delta-label\"")[1].components(separatedBy: "</text>")[0].split(separator: ">").last! }
        #expect(delta(a) == delta(b) && delta(a).contains("δ = "))
        #expect(a.components(separatedBy: "class=\"atom\"").count > 100 && !b.contains("class=\"atom\""))
    }
}
