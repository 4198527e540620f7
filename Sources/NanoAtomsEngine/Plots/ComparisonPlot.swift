import Foundation

extension Plot {
    /// Two models of one particle compared (paper Fig. 3), a slab through the first model's
    /// centre: common atoms grey, displaced atoms orange with an arrow from their first to
    /// their second position, lost atoms as red rings, gained atoms blue.
    package static func comparison(_ c: ModelComparison, slab: Slab,
                                  atomRadius: Double, names: (String, String) = ("first", "second"), title: String? = nil) -> SVGCanvas {
        let (h, v) = slab.axis.shown
        let first = c.firstPositions, second = c.secondPositions
        let all = (first + second).isEmpty ? [Vector3.zero] : first + second
        let hs = all.map { $0[h] }, vs = all.map { $0[v] }
        let area = PlotFrame.plotArea(width: 720, height: 420, rightMargin: 240)
        let domains = PlotFrame.equalAspectDomains(h: (hs.min()!, hs.max()!), v: (vs.min()!, vs.max()!), padding: 2 * atomRadius,
                                                   areaWidth: area.width, areaHeight: area.height)
        let axisNames = ["x", "y", "z"]
        var frame = PlotFrame(title: title ?? "Two models compared: slab of \(String(format: "%.1f", slab.thickness)) Å along \(slab.axis.name)",
                              xLabel: "\(axisNames[h]) (Å)", yLabel: "\(axisNames[v]) (Å)",
                              xDomain: domains.h, yDomain: domains.v, width: 720, height: 420, rightMargin: 240, grid: false)
        let r = atomDiscFraction * atomRadius * abs(frame.x(1) - frame.x(0))
        let grey = "#9a9a9a", orange = ColorMap.categorical[4], red = ColorMap.categorical[1], blue = ColorMap.categorical[0]
        frame.beginData(className: "data")
        for pair in c.common where slab.contains(first[pair.first]) {
            let p = first[pair.first]
            frame.canvas.circle(frame.x(p[h]), frame.y(p[v]), r: r, fill: grey, className: "common",
                                tooltip: "common: moved \(NumberFormatting.fixed(pair.distance, 2)) Å")
        }
        for pair in c.displaced where slab.contains(first[pair.first]) || slab.contains(second[pair.second]) {
            let a = first[pair.first], b = second[pair.second]
            frame.canvas.line(frame.x(a[h]), frame.y(a[v]), frame.x(b[h]), frame.y(b[v]), stroke: "#222", width: 1.4, className: "displacement")
            frame.canvas.circle(frame.x(b[h]), frame.y(b[v]), r: r, fill: orange, stroke: "#222", strokeWidth: 0.6, className: "displaced",
                                tooltip: "displaced by \(NumberFormatting.fixed(pair.distance, 2)) Å")
        }
        for i in c.lost where slab.contains(first[i]) {
            let p = first[i]
            frame.canvas.circle(frame.x(p[h]), frame.y(p[v]), r: r, fill: "none", stroke: red, strokeWidth: 2, className: "lost",
                                tooltip: "lost (in \(names.0) only)")
        }
        for i in c.gained where slab.contains(second[i]) {
            let p = second[i]
            frame.canvas.circle(frame.x(p[h]), frame.y(p[v]), r: r, fill: blue, className: "gained", tooltip: "gained (in \(names.1) only)")
        }
        frame.canvas.endGroup()
        frame.legend([
            (String(format: "common %d (%.1f%% of %@)", c.common.count, c.commonPercent, names.0), .marker(grey)),
            (String(format: "displaced %d (%.1f%%)", c.displaced.count, c.displacedPercent), .marker(orange)),
            (String(format: "lost %d (%.1f%%)", c.lost.count, c.lostPercent), .hollowMarker(red)),
            (String(format: "gained %d (%.1f%% of %@)", c.gained.count, c.gainedPercent, names.1), .marker(blue)),
        ], outside: true)
        return frame.canvas
    }
}
