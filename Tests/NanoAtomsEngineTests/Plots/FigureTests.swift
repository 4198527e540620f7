import Foundation
import Testing
import NanoAtomsEngine

/// Renders `svg` to PNG with librsvg's `rsvg-convert`, a real SVG renderer. Returns the PNG's
/// size in bytes, or nil when the renderer is not installed (CI installs it and sets
/// NANOATOMS_REQUIRE_RENDERERS=1, which turns its absence into a failure).
func renderWithRSVG(_ svg: String) throws -> Int? {
    let which = Process()
    which.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    which.arguments = ["sh", "-c", "command -v rsvg-convert"]
    which.standardOutput = Pipe()
    try which.run(); which.waitUntilExit()
    guard which.terminationStatus == 0 else {
        if ProcessInfo.processInfo.environment["NANOATOMS_REQUIRE_RENDERERS"] == "1" { throw EngineError("rsvg-convert is not installed") }
        return nil
    }
    let folder = TestSupport.temporaryFolder()
    try svg.write(toFile: folder + "/figure.svg", atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["rsvg-convert", "-o", folder + "/figure.png", folder + "/figure.svg"]
    let err = Pipe()
    p.standardError = err
    try p.run(); p.waitUntilExit()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard p.terminationStatus == 0 else { throw EngineError("rsvg-convert failed: \(message)") }
    let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/figure.png"))
    #expect(png.prefix(4) == Data([0x89, 0x50, 0x4e, 0x47]))
    return png.count
}

@Suite("Figures")
struct FigureTests {
    /// CN-like data following Eq. 1 with δ = 4.5 Å.
    func depthFit() -> (DepthFit, [Double], [Double]) {
        var g = SeededGenerator(seed: 3)
        let x = (0..<300).map { _ in 10 * g.uniform() }
        let y = x.map { ($0 <= 4.5 ? 1.7 * ($0 - 4.5) + 11.5 : 11.5) + 0.8 * g.gaussian() }
        return (fitPenetrationDepth(depths: x, values: y, statistic: "cn", plateauBounds: coordinationPlateauBounds)!, x, y)
    }

    @Test("the depth plot has its labels, one point per 5-atom average, and δ's line at the fitted value")
    func depthPlot() throws {
        let (fit, x, y) = depthFit()
        let svg = try SVGInspector(Plot.depth(fit, atomDepths: x, atomValues: y).document)
        #expect(svg.texts("axis-label x") == ["Radial depth R_NP − R (Å)"])
        #expect(svg.texts("axis-label y") == ["Coordination number (CN)"])
        #expect(svg.elements("point").count == fit.depths.count)
        #expect(svg.elements("atom").count == 300)
        let line = svg.elements("delta")
        try #require(line.count == 1)
        let delta = svg.dataValue(atFigure: SVGInspector.number(line[0], "x1"), horizontal: true)
        #expect(abs(delta - fit.delta) < 0.02, "δ line at \(delta), fit \(fit.delta)")
        #expect(svg.texts("delta-label") == [String(format: "δ = %.2f Å", fit.delta)])
        // The fitted curve's plateau is drawn at c.
        let points = SVGInspector.attribute(svg.elements("fit")[0], "points")!.split(separator: " ")
        let lastY = Double(points.last!.split(separator: ",")[1])!
        #expect(abs(svg.dataValue(atFigure: lastY, horizontal: false) - fit.plateau) < 0.02)
        #expect(try renderWithRSVG(Plot.depth(fit).document).map { $0 > 5000 } ?? true)
    }

    @Test("the CN-binned plot draws each bin's mean with an error bar of ±S/√N")
    func binsPlot() throws {
        let bins = [CoordinationBin(cn: 6, count: 10, mean: 0.5, standardDeviation: 0.1 * 10.0.squareRoot()),
                    CoordinationBin(cn: 9, count: 25, mean: 0.4, standardDeviation: 0.05 * 5),
                    CoordinationBin(cn: 12, count: 100, mean: 0.3, standardDeviation: 0.2)]
        let svg = try SVGInspector(Plot.coordinationBins(bins, statistic: "uiso").document)
        #expect(svg.texts("axis-label y") == ["Uiso (Å²)"])
        let points = svg.elements("point"), bars = svg.elements("error-bar")
        try #require(points.count == 3 && bars.count == 3)
        for (b, (p, bar)) in zip(bins, zip(points, bars)) {
            #expect(abs(svg.dataValue(atFigure: SVGInspector.number(p, "cx"), horizontal: true) - Double(b.cn)) < 1e-6)
            #expect(abs(svg.dataValue(atFigure: SVGInspector.number(p, "cy"), horizontal: false) - b.mean) < 1e-3)
            let top = svg.dataValue(atFigure: SVGInspector.number(bar, "y1"), horizontal: false)
            let bottom = svg.dataValue(atFigure: SVGInspector.number(bar, "y2"), horizontal: false)
            #expect(abs(top - bottom - 2 * b.standardError) < 2e-3, "bar \(top - bottom) for S/√N \(b.standardError)")
        }
        #expect(svg.texts("bin-count") == ["n=10", "n=25", "n=100"])
        #expect(try renderWithRSVG(Plot.coordinationBins(bins, statistic: "uiso").document).map { $0 > 5000 } ?? true)
    }

    @Test("the threshold search plot marks every trial, Otsu's value and the chosen threshold")
    func searchPlot() throws {
        let trials = (0..<15).map { (i: Int) -> ThresholdTrial in
            let d = Double(i - 6)
            return ThresholdTrial(threshold: Float(1 + i), atoms: 100 + i, correlation: 0.9 - 0.01 * d * d)
        }
        let search = ThresholdSearchResult(otsu: 1, threshold: 7, correlation: 0.9, trials: trials)
        let svg = try SVGInspector(Plot.thresholdSearch(search).document)
        #expect(svg.elements("point").count == 15)
        let chosen = svg.dataValue(atFigure: SVGInspector.number(svg.elements("chosen")[0], "x1"), horizontal: true)
        let otsu = svg.dataValue(atFigure: SVGInspector.number(svg.elements("otsu")[0], "x1"), horizontal: true)
        #expect(abs(chosen - 7) < 1e-3 && abs(otsu - 1) < 1e-3)
        #expect(svg.texts("legend-label").contains("chosen 7 (106 atoms)"))
    }

    @Test("a projection shows only the slab's atoms, coloured from the colour map's bottom to its top")
    func projectionPlot() throws {
        let positions = (0..<40).map { (i: Int) -> Vector3 in
            let x = Double(i % 5) * 2.8, y = Double(i / 5 % 4) * 2.8, z = Double(i / 20) * 6
            return Vector3(x, y, z)
        }
        let values = positions.indices.map { Double($0 % 20) }
        let slab = Slab(axis: .z, centre: 0, thickness: 2)
        let svg = try SVGInspector(Plot.projection(positions, values: values, column: "cn", slab: slab, atomRadius: 1.39).document)
        let atoms = svg.elements("atom")
        #expect(atoms.count == 20)
        let fills = Set(atoms.map { SVGInspector.attribute($0, "fill")! })
        #expect(fills.contains(ColorMap.sequential(0)) && fills.contains(ColorMap.sequential(1)))
        #expect(svg.texts("axis-label colorbar") == ["Coordination number (CN)"])
        // Atoms are round: one Å spans as many units across as up.
        let dx = svg.dataValue(atFigure: 100, horizontal: true) - svg.dataValue(atFigure: 0, horizontal: true)
        let dy = svg.dataValue(atFigure: 0, horizontal: false) - svg.dataValue(atFigure: 100, horizontal: false)
        #expect(abs(dx - dy) < 1e-3 * dx)
    }

    @Test("a comparison draws common, displaced, lost and gained atoms as the comparison counted them")
    func comparisonPlot() throws {
        let first = (0..<30).map { (i: Int) -> Vector3 in Vector3(Double(i % 6) * 2.8, Double(i / 6) * 2.8, 0) }
        var second = Array(first.dropLast(3))              // three lost
        second[0].z += 2.6                                 // one displaced (beyond 0.8 atomic diameters)
        second.append(Vector3(20, 20, 0))                  // one gained
        let c = compareModels(first, second, element: TestSupport.platinum)
        let svg = try SVGInspector(Plot.comparison(c, slab: Slab(axis: .z, centre: 0, thickness: 4), atomRadius: 1.39).document)
        #expect(svg.elements("common").count == c.common.count && c.common.count == 26)
        #expect(svg.elements("displaced").count == 1 && svg.elements("displacement").count == 1)
        #expect(svg.elements("lost").count == 3 && svg.elements("gained").count == 1)
    }

    @Test("a slice embeds the plane as a PNG of the map's size and rings the atoms near it")
    func slicePlot() throws {
        var v = Volume(nx: 20, ny: 16, nz: 12, voxelSize: 0.5)
        for k in 0..<12 { for j in 0..<16 { for i in 0..<20 { v[i, j, k] = Float(i + j) } } }
        let atoms = [Vector3(2, 2, 3), Vector3(4, 4, 3.5), Vector3(5, 5, 5.5)]
        let svg = try SVGInspector(Plot.slice(v, axis: .z, index: 6, atoms: atoms, atomRadius: 1.39).document)
        #expect(svg.elements("atom").count == 2)
        let image = svg.all.filter { $0.name == "image" }
        try #require(image.count == 1)
        let href = SVGInspector.attribute(image[0], "href")!
        let png = Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count)))!
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        #expect(png[16..<24] == Data([0, 0, 0, 20, 0, 0, 0, 16]))  // IHDR width and height
        #expect(try renderWithRSVG(Plot.slice(v, axis: .z, index: 6, atoms: atoms, atomRadius: 1.39).document).map { $0 > 2000 } ?? true)
    }

    @Test("text is escaped, so any title makes a well-formed document")
    func escaping() throws {
        var c = SVGCanvas(width: 10, height: 10, title: "a < b & \"c\"")
        c.text("<&>'\"", 1, 1)
        let svg = try SVGInspector(c.document)
        #expect(svg.all.first { $0.name == "text" }?.stringValue == "<&>'\"")
    }
}

@Suite("Axis ticks and the PNG encoder")
struct PlotSupportTests {
    @Test("ticks are round numbers covering the range")
    func ticks() {
        #expect(niceTicks(0, 10, count: 5) == [0, 2, 4, 6, 8, 10])
        #expect(niceTicks(0.31, 0.97, count: 6) == [0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(niceTicks(-3, 3, count: 6) == [-3, -2, -1, 0, 1, 2, 3])
        #expect(tickLabel(0.25, step: 0.05) == "0.25" && tickLabel(-2, step: 1) == "−2" && tickLabel(12, step: 2) == "12")
    }

    @Test("checksums match published values")
    func checksums() {
        #expect(crc32(Array("IEND".utf8)) == 0xAE42_6082)          // every PNG's IEND chunk CRC
        #expect(adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)   // the classic Adler-32 example
    }

    @Test("a greyscale PNG decodes to the pixels written (read back by Python's zlib)", .enabled(if: TestSupport.pythonHas("zlib")))
    func pngRoundTrip() throws {
        let pixels = (0..<(7 * 5)).map { UInt8(($0 * 37) % 256) }
        let folder = TestSupport.temporaryFolder()
        try Data(greyscalePNG(width: 7, height: 5, pixels: pixels)).write(to: URL(fileURLWithPath: folder + "/g.png"))
        let out = try TestSupport.runPython("""
            import sys, zlib, struct
            b = open(sys.argv[1], 'rb').read()
            assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat = 8, b''
            while pos < len(b):
                n, = struct.unpack('>I', b[pos:pos+4]); t = b[pos+4:pos+8]; d = b[pos+8:pos+8+n]
                assert zlib.crc32(t + d) == struct.unpack('>I', b[pos+8+n:pos+12+n])[0]
                if t == b'IDAT': idat += d
                pos += 12 + n
            raw = zlib.decompress(idat)
            print(','.join(str(x) for r in range(5) for x in raw[r*8+1:r*8+8]))
            """, arguments: [folder + "/g.png"])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == pixels.map(String.init).joined(separator: ","))
    }
}

@Suite("Axes of degenerate data (fuzz crashers, minimised)")
struct DegenerateAxesTests {
    @Test("ticks and labels of spans that overflow, vanish or are not numbers never trap")
    func ticks() {
        #expect(niceTicks(-1e308, 1e308) == [-1e308, 1e308])
        #expect(niceTicks(1, 1 + 1e-15) == [1, 1 + 1e-15])
        #expect(niceTicks(0, 5e-324) == [0, 5e-324])
        #expect(niceTicks(.nan, 1) == [])
        #expect(tickLabel(1, step: 0) == "1")
        #expect(tickLabel(2.5, step: .nan) == "2.5")
        #expect(tickLabel(.infinity, step: 1) == "inf")
        let (lo, hi) = niceDomain([-1e308, 1e308, .nan])
        #expect(lo.isFinite && hi.isFinite && hi > lo)
        #expect(niceTicks(0, 10) == [0, 2, 4, 6, 8, 10])
    }

    @Test("pixel and cell indices of NaN and overflowing coordinates land at an edge")
    func clamping() {
        #expect(clampedInt(.nan, 0...255) == 0)
        #expect(clampedInt(1e300, 0...255) == 255)
        #expect(clampedInt(-.infinity, -1...10) == -1)
        #expect(clampedInt(7.9, 0...255) == 7)
    }
}
