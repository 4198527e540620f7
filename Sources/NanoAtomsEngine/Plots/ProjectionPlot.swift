import Foundation

/// Atoms are drawn as discs of this fraction of their radius, so that the two layers of a
/// slab one lattice constant thick stay apart in projection.
let atomDiscFraction = 0.75

extension Plot {
    /// A slab of a model projected along an axis (paper Figs. 1e and 2): each atom a disc of
    /// its atomic radius coloured by `values` (CN, DOI or any column) with a colour bar; atoms
    /// without a value are grey. Deeper atoms are drawn first so nearer ones cover them.
    package static func projection(_ positions: [Vector3], values: [Double]?, column: String?, slab: Slab,
                                  atomRadius: Double, title: String? = nil) -> SVGCanvas {
        let (h, v) = slab.axis.shown
        let inSlab = positions.indices.filter { slab.contains(positions[$0]) }
            .sorted { positions[$0][slab.axis.rawValue] < positions[$1][slab.axis.rawValue] }
        let all = positions.isEmpty ? [Vector3.zero] : positions
        let hs = all.map { $0[h] }, vs = all.map { $0[v] }
        let area = PlotFrame.plotArea(rightMargin: values == nil ? 20 : 96)
        let domains = PlotFrame.equalAspectDomains(h: (hs.min()!, hs.max()!), v: (vs.min()!, vs.max()!), padding: 2 * atomRadius,
                                                   areaWidth: area.width, areaHeight: area.height)
        let finite = (values ?? []).filter(\.isFinite)
        var lower = finite.min() ?? 0, upper = finite.max() ?? 1
        if upper <= lower { lower -= 0.5; upper += 0.5 }
        let label = column.map { StatisticLabel(column: $0) }
        let axisNames = ["x", "y", "z"]
        var frame = PlotFrame(title: title ?? String(format: "Slab of %.1f Å along %@", slab.thickness, slab.axis.name)
                                  + (column.map { ": \($0)" } ?? ""),
                              xLabel: "\(axisNames[h]) (Å)", yLabel: "\(axisNames[v]) (Å)",
                              xDomain: domains.h, yDomain: domains.v, rightMargin: values == nil ? 20 : 96, grid: false)
        let pixelsPerAngstrom = abs(frame.x(1) - frame.x(0))
        frame.beginData(className: "data")
        for i in inSlab {
            let p = positions[i]
            let value = values?[i]
            let fill: String
            if let value, value.isFinite { fill = ColorMap.sequential((value - lower) / (upper - lower)) }
            else { fill = values == nil ? ColorMap.categorical[0] : ColorMap.missing }
            let tip = "atom \(i + 1) at (\(NumberFormatting.fixed(p.x, 2)), \(NumberFormatting.fixed(p.y, 2)), \(NumberFormatting.fixed(p.z, 2))) Å"
                + (value.map { ": \(column ?? "value") = \($0.isFinite ? NumberFormatting.significant($0, 4) : "invalid")" } ?? "")
            frame.canvas.circle(frame.x(p[h]), frame.y(p[v]), r: atomDiscFraction * atomRadius * pixelsPerAngstrom, fill: fill,
                                stroke: "#222", strokeWidth: 0.6, className: "atom", tooltip: tip)
        }
        frame.canvas.endGroup()
        if values != nil { frame.colorBar(lower: lower, upper: upper, label: label?.axisLabel ?? "value") }
        frame.canvas.text("\(inSlab.count) of \(positions.count) atoms", frame.area.left + 6, frame.area.top + 16, size: 11,
                          fill: "#333", className: "slab-count")
        return frame.canvas
    }
}
