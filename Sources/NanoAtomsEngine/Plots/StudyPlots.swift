import Foundation

/// One particle's δ from one of its maps, for ``Plot/depthByParticle(_:particles:statistic:)``.
package struct ParticleDepth: Sendable {
    /// The particle's place on the axis (0-based) and the map's role.
    package let particle: Int, role: StudyRole
    /// δ, Å, and its bootstrap 95 % interval.
    package let delta: Double, interval: ClosedRange<Double>?
}

extension Plot {
    /// The colour of each map of a particle: merged, part1, part2 (paper Fig. 4).
    package static let roleColours: [StudyRole: String] = [.merged: ColorMap.categorical[0], .part1: ColorMap.categorical[1],
                                                           .part2: ColorMap.categorical[2]]

    /// δ per particle for its merged map and both halves side by side in three colours, with
    /// bootstrap 95 % intervals as error bars (paper Fig. 4).
    package static func depthByParticle(_ points: [ParticleDepth], particles: [String], statistic: String) -> SVGCanvas {
        let values = points.flatMap { p in [p.delta] + (p.interval.map { [$0.lowerBound, $0.upperBound] } ?? []) }.filter(\.isFinite)
        var frame = PlotFrame(title: "Penetration depth δ_\(statistic) per particle", xLabel: "Particle", yLabel: "δ_\(statistic) (Å)",
                              xDomain: (0.4, Double(particles.count) + 0.6), yDomain: niceDomain(values.isEmpty ? [0, 1] : values, includeZero: true),
                              xCategories: particles)
        let offsets: [StudyRole: Double] = [.merged: -0.2, .part1: 0, .part2: 0.2]
        frame.beginData(className: "data")
        var occupied: [(Double, Double)] = []
        for p in points where p.delta.isFinite {
            let colour = roleColours[p.role] ?? ColorMap.categorical[3]
            let px = frame.x(Double(p.particle + 1) + (offsets[p.role] ?? 0))
            if let i = p.interval, i.lowerBound.isFinite, i.upperBound.isFinite {
                frame.canvas.line(px, frame.y(i.upperBound), px, frame.y(i.lowerBound), stroke: colour, width: 1.3, className: "error-bar")
                occupied += [(px, frame.y(i.upperBound)), (px, frame.y(i.lowerBound))]
            }
            frame.canvas.circle(px, frame.y(p.delta), r: 4.5, fill: colour, className: "point \(p.role.name)",
                                tooltip: String(format: "%@ %@: δ = %.2f Å", particles[p.particle], p.role.name, p.delta))
            occupied.append((px, frame.y(p.delta)))
        }
        frame.canvas.endGroup()
        let present = [StudyRole.merged, .part1, .part2].filter { r in points.contains { $0.role == r } }
        frame.legend(present.map { ($0.name, .marker(roleColours[$0]!)) }, avoiding: occupied)
        return frame.canvas
    }

    /// The atoms of a series at each stage: how many there are, and of each step's atoms how
    /// many were kept, displaced, lost and gained.
    package static func seriesCounts(_ tracking: SeriesTracking, name: String) -> SVGCanvas {
        let stages = tracking.positions.count
        let atoms = tracking.positions.map { Double($0.count) }
        func series(_ f: (ModelComparison) -> Int) -> [(Double, Double)] {
            tracking.steps.map { (Double($0.stage), Double(f($0.comparison))) }
        }
        let lines: [(String, String, [(Double, Double)])] = [
            ("atoms", ColorMap.categorical[7], atoms.enumerated().map { (Double($0.offset + 1), $0.element) }),
            ("kept", ColorMap.categorical[0], series { $0.common.count }),
            ("displaced", ColorMap.categorical[4], series { $0.displaced.count }),
            ("lost", ColorMap.categorical[1], series { $0.lost.count }),
            ("gained", ColorMap.categorical[2], series { $0.gained.count }),
        ]
        let all = lines.flatMap { $0.2.map(\.1) }
        var frame = PlotFrame(title: "Series \(name): atoms over the stages", xLabel: "Stage", yLabel: "Atoms",
                              xDomain: (0.6, Double(stages) + 0.4), yDomain: niceDomain(all.isEmpty ? [0, 1] : all, includeZero: true),
                              xCategories: (1...max(1, stages)).map(String.init))
        frame.beginData(className: "data")
        var occupied: [(Double, Double)] = []
        for (label, colour, points) in lines {
            let px = points.map { (frame.x($0.0), frame.y($0.1)) }
            if px.count > 1 { frame.canvas.polyline(px, stroke: colour, width: 1.8, className: "line \(label)") }
            for (p, v) in zip(px, points) {
                frame.canvas.circle(p.0, p.1, r: 3.5, fill: colour, className: "point \(label)", tooltip: "\(label) at stage \(Int(v.0)): \(Int(v.1))")
            }
            occupied += px
        }
        frame.canvas.endGroup()
        frame.legend(lines.map { ($0.0, .line($0.1, dash: nil)) }, avoiding: occupied)
        return frame.canvas
    }
}
