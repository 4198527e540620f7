import Foundation

extension Plot {
    /// A statistic binned by CN (paper Fig. 5): the mean of each bin of at least 5 atoms with
    /// an error bar of ±S/√N, and the number of atoms in each bin under it.
    package static func coordinationBins(_ bins: [CoordinationBin], statistic: String, title: String? = nil) -> SVGCanvas {
        let label = StatisticLabel(column: statistic)
        let cns = bins.map { Double($0.cn) }
        let lows = bins.map { $0.mean - $0.standardError }, highs = bins.map { $0.mean + $0.standardError }
        let xDomain = ((cns.min() ?? 0) - 1, (cns.max() ?? 12) + 1)
        var frame = PlotFrame(title: title ?? "\(label.name) by coordination number",
                              xLabel: "Coordination number (CN)", yLabel: label.axisLabel,
                              xDomain: xDomain, yDomain: niceDomain(lows + highs))
        frame.beginData(className: "data")
        for b in bins where b.mean.isFinite {
            let px = frame.x(Double(b.cn))
            let se = b.standardError.isFinite ? b.standardError : 0
            let top = frame.y(b.mean + se), bottom = frame.y(b.mean - se)
            frame.canvas.line(px, top, px, bottom, stroke: "#222", width: 1.3, className: "error-bar")
            frame.canvas.line(px - 5, top, px + 5, top, stroke: "#222", width: 1.3, className: "error-cap")
            frame.canvas.line(px - 5, bottom, px + 5, bottom, stroke: "#222", width: 1.3, className: "error-cap")
            frame.canvas.circle(px, frame.y(b.mean), r: 4.2, fill: ColorMap.categorical[0], className: "point",
                                tooltip: String(format: "CN %d: %.4g ± %.2g (n = %d)", b.cn, b.mean, se, b.count))
            frame.canvas.text("n=\(b.count)", px, frame.area.top + frame.area.height - 6, size: 9, anchor: .middle, fill: "#555", className: "bin-count")
        }
        frame.canvas.endGroup()
        let occupied = bins.flatMap { b -> [(Double, Double)] in
            let se = b.standardError.isFinite ? b.standardError : 0
            return [b.mean - se, b.mean, b.mean + se].map { (frame.x(Double(b.cn)), frame.y($0)) }
        }
        frame.legend([("mean ± S/√N (bins of ≥ \(minimumBinSize) atoms)", .marker(ColorMap.categorical[0]))], avoiding: occupied)
        return frame.canvas
    }
}
