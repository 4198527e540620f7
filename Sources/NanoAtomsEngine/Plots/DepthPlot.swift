import Foundation

extension Plot {
    /// A statistic against radial depth (paper Figs. 4 and 6): every atom faintly, the averages
    /// of 5 consecutive atoms, the fitted piecewise linear-constant curve of Eq. 1, and δ as a
    /// dashed vertical line with its value.
    ///
    /// - Parameters:
    ///   - fit: the fit, with its averaged points.
    ///   - atomDepths: each atom's radial depth (Å), to show the spread behind the averages.
    ///   - atomValues: each atom's value of the statistic.
    package static func depth(_ fit: DepthFit, atomDepths: [Double] = [], atomValues: [Double] = [], title: String? = nil) -> SVGCanvas {
        let label = StatisticLabel(column: fit.statistic)
        let atoms = zip(atomDepths, atomValues).filter { $0.0.isFinite && $0.1.isFinite }
        let xs = fit.depths + atoms.map(\.0) + [0]
        let curveEnd = max(xs.filter(\.isFinite).max() ?? 1, fit.delta)
        let ys = fit.values + atoms.map(\.1) + [fit.value(at: 0), fit.plateau]
        var frame = PlotFrame(title: title ?? "\(label.name) against radial depth",
                              xLabel: "Radial depth R_NP − R (Å)", yLabel: label.axisLabel,
                              xDomain: niceDomain(xs, includeZero: true), yDomain: niceDomain(ys))
        frame.beginData(className: "data")
        for (d, v) in atoms {
            frame.canvas.circle(frame.x(d), frame.y(v), r: 2, fill: "#9a9a9a", opacity: 0.45, className: "atom")
        }
        for (d, v) in zip(fit.depths, fit.values) where d.isFinite && v.isFinite {
            frame.canvas.circle(frame.x(d), frame.y(v), r: 3.6, fill: ColorMap.categorical[0], className: "point",
                                tooltip: "depth \(NumberFormatting.fixed(d, 2)) Å, mean \(NumberFormatting.fixed(v, 3))")
        }
        let curve = [0, fit.delta, curveEnd].filter { $0 >= 0 && $0 <= curveEnd }.sorted()
        frame.canvas.polyline(curve.map { (frame.x($0), frame.y(fit.value(at: $0))) }, stroke: ColorMap.categorical[1], width: 2.2, className: "fit")
        frame.canvas.line(frame.x(fit.delta), frame.area.top, frame.x(fit.delta), frame.area.top + frame.area.height,
                          stroke: "#333", width: 1.4, dash: "6 4", className: "delta")
        frame.canvas.endGroup()
        // δ's label sits at the top of its line, on the side with more room.
        let labelLeft = frame.x(fit.delta) > frame.area.left + frame.area.width * 0.7
        let labelX = frame.x(fit.delta) + (labelLeft ? -6 : 6), labelY = frame.area.top + 16
        frame.canvas.text(String(format: "δ = %.2f Å", fit.delta), labelX, labelY, size: 12, anchor: labelLeft ? .end : .start, className: "delta-label")
        var entries: [(label: String, mark: PlotFrame.LegendMark)] = []
        if !atoms.isEmpty { entries.append(("atoms", .marker("#9a9a9a"))) }
        entries.append(("mean of \(depthAveragingWindow) atoms", .marker(ColorMap.categorical[0])))
        entries.append((String(format: "fit: m = %.3g, c = %.3g", fit.slope, fit.plateau), .line(ColorMap.categorical[1], dash: nil)))
        entries.append(("penetration depth δ", .line("#333", dash: "6 4")))
        var occupied = atoms.map { (frame.x($0.0), frame.y($0.1)) } + zip(fit.depths, fit.values).map { (frame.x($0.0), frame.y($0.1)) }
        if curveEnd.isFinite { occupied += stride(from: 0.0, through: curveEnd, by: max(curveEnd / 60, 1e-3)).map { (frame.x($0), frame.y(fit.value(at: $0))) } }
        occupied += (0...8).map { (labelX + (labelLeft ? -1 : 1) * Double($0) * 9, labelY - 4) }
        frame.legend(entries, avoiding: occupied)
        return frame.canvas
    }
}

/// The figures nanoatoms draws, each a function from results to an ``SVGCanvas``.
package enum Plot {}
