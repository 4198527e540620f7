import Foundation

extension Plot {
    /// g(r) of a particle with its first peak and its first minimum (the CN radius where no
    /// lattice fits) marked, and the CN radius the statistics used.
    package static func radialDistribution(_ rdf: RadialDistribution, coordinationRadius: Double?, title: String? = nil) -> SVGCanvas {
        let points = zip(rdf.r, rdf.g).filter { $0.1.isFinite }
        var frame = PlotFrame(title: title ?? "Radial distribution function",
                              xLabel: "Distance r (Å)", yLabel: "g(r)",
                              xDomain: niceDomain(points.map(\.0) + [0]), yDomain: niceDomain(points.map(\.1) + [0]))
        frame.beginData(className: "data")
        frame.canvas.polyline(points.map { (frame.x($0.0), frame.y($0.1)) }, stroke: ColorMap.categorical[0], width: 1.5, className: "curve")
        let bottom = frame.area.top + frame.area.height
        var legend: [(String, PlotFrame.LegendMark)] = [("g(r) of the atoms", .line(ColorMap.categorical[0], dash: nil))]
        if let m = rdf.firstMinimum {
            frame.canvas.line(frame.x(m), frame.area.top, frame.x(m), bottom, stroke: ColorMap.categorical[2], width: 1.4, dash: "3 3",
                              className: "first-minimum")
            legend.append((String(format: "first minimum %.2f Å", m), .line(ColorMap.categorical[2], dash: "3 3")))
        }
        if let d = coordinationRadius {
            frame.canvas.line(frame.x(d), frame.area.top, frame.x(d), bottom, stroke: ColorMap.categorical[1], width: 1.6, dash: "7 4",
                              className: "cn-radius")
            legend.append((String(format: "CN radius %.2f Å", d), .line(ColorMap.categorical[1], dash: "7 4")))
        }
        frame.canvas.endGroup()
        frame.legend(legend, avoiding: points.map { (frame.x($0.0), frame.y($0.1)) })
        return frame.canvas
    }
}
