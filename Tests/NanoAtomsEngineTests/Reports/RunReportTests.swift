import Foundation
import Testing
import NanoAtomsEngine

@Suite("The run report")
struct RunReportTests {
    @Test("report.html holds the Table 1 row, every figure as well-formed SVG with unique ids, and every removal")
    func report() throws {
        let pt = TestSupport.platinum
        var s = ParticleSpec(element: pt)
        s.atomCount = 147
        s.snr = 6
        s.seed = 5
        let p = TestParticle.make(s)
        var o = ModelBuildingOptions(element: pt)
        o.outlierRule = .paper  // the paper's 2-SD rule always removes a few atoms: the report must list them
        let r = buildModel(from: p.map, options: o)
        let st = try computeStatistics(of: r)
        let folder = TestSupport.temporaryFolder()
        try ParticleRun(model: r).write(to: folder, mapName: "sample")

        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        let figures = RunReport.figures(r, statistics: st)
        #expect(figures.count == 11)
        #expect(html.components(separatedBy: "<svg ").count - 1 == figures.count)
        #expect(html.contains("<td>\(st.summary.atoms)</td>"))
        // δ with its bootstrap 95 % interval.
        let fit = st.depthFitCN!, interval = try #require(fit.interval)
        #expect(interval.contains(fit.delta))
        #expect(html.contains(String(format: "<td>%.2f (%.1f–%.1f)", fit.delta, interval.lowerBound, interval.upperBound)))
        try #require(r.removals.count > 0)
        #expect(html.components(separatedBy: "<td class=\"text\">low_correlation</td>").count - 1 == r.removedCount(.lowCorrelation))
        #expect(html.components(separatedBy: "<td class=\"text\">low_coordination</td>").count - 1 == r.removedCount(.lowCoordination))

        // Each inline figure parses as XML on its own, and no id repeats across the page.
        var ids: [String] = []
        for chunk in html.components(separatedBy: "<svg ").dropFirst() {
            let svg = "<svg " + chunk.components(separatedBy: "</svg>")[0] + "</svg>"
            let inspector = try SVGInspector(svg)
            ids += inspector.all.compactMap { SVGInspector.attribute($0, "id") }
        }
        #expect(Set(ids).count == ids.count && !ids.isEmpty)

        // The same figures are written as files.
        for f in figures {
            let file = try String(contentsOfFile: "\(folder)/plots/\(f.name).svg", encoding: .utf8)
            #expect(file == f.canvas.document)
        }
    }
}
