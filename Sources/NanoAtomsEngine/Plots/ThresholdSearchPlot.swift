import Foundation

extension Plot {
    /// The threshold search: the correlation between the denoised map and the map simulated
    /// from the atoms found at each threshold, with Otsu's value and the chosen threshold marked.
    package static func thresholdSearch(_ search: ThresholdSearchResult, title: String? = nil) -> SVGCanvas {
        let trials = search.trials.filter { $0.correlation.isFinite }.sorted { $0.threshold < $1.threshold }
        let xs = trials.map { Double($0.threshold) } + [Double(search.otsu), Double(search.threshold)]
        var frame = PlotFrame(title: title ?? "Threshold search",
                              xLabel: "Threshold on the denoised map", yLabel: "Correlation with simulated map",
                              xDomain: niceDomain(xs), yDomain: niceDomain(trials.map(\.correlation)))
        frame.beginData(className: "data")
        frame.canvas.polyline(trials.map { (frame.x(Double($0.threshold)), frame.y($0.correlation)) },
                              stroke: ColorMap.categorical[0], width: 1.5, className: "curve")
        for t in trials {
            frame.canvas.circle(frame.x(Double(t.threshold)), frame.y(t.correlation), r: 3.2, fill: ColorMap.categorical[0],
                                className: "point", tooltip: String(format: "threshold %.4g: %d atoms, correlation %.5f", t.threshold, t.atoms, t.correlation))
        }
        let bottom = frame.area.top + frame.area.height
        frame.canvas.line(frame.x(Double(search.otsu)), frame.area.top, frame.x(Double(search.otsu)), bottom,
                          stroke: ColorMap.categorical[2], width: 1.4, dash: "3 3", className: "otsu")
        frame.canvas.line(frame.x(Double(search.threshold)), frame.area.top, frame.x(Double(search.threshold)), bottom,
                          stroke: ColorMap.categorical[1], width: 1.6, dash: "7 4", className: "chosen")
        frame.canvas.endGroup()
        let atoms = search.trials.first { $0.threshold == search.threshold }?.atoms
        frame.legend([
            ("correlation at a trial threshold", .marker(ColorMap.categorical[0])),
            (String(format: "Otsu's threshold %.4g", search.otsu), .line(ColorMap.categorical[2], dash: "3 3")),
            (String(format: "chosen %.4g", search.threshold) + (atoms.map { " (\($0) atoms)" } ?? ""), .line(ColorMap.categorical[1], dash: "7 4")),
        ], avoiding: trials.map { (frame.x(Double($0.threshold)), frame.y($0.correlation)) })
        return frame.canvas
    }
}
