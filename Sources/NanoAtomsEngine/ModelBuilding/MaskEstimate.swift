import Foundation

/// The mask model building uses, where the particle's atoms were found, and what is doubtful
/// about either.
package struct MaskEstimate: Sendable {
    /// The mask, or nil for none.
    package let mask: ParticleMask?
    /// The particle's atom-like peaks (found whatever the mask choice, to check it), or nil
    /// when no cluster of them exists.
    package let location: ParticleLocation?
    /// What is doubtful about the mask.
    package let flags: [QualityFlag]

    /// Below this fraction of its fcc sites holding a peak, a particle's sphere is suspect
    /// (a compact particle found at full recall fills about half; 309 atoms at 60 % recall, 0.3).
    package static let minimumFill = 0.12
    /// A mask whose diameter exceeds this fraction of the box's smallest edge fills the box.
    package static let boxFillFraction = 0.9
    /// A given mask is flagged when more than this fraction of the particle's peaks lie outside it.
    package static let maximumPeaksOutside = 0.05

    /// Chooses the mask for `map` as `choice` says, locating the particle's atoms to choose or
    /// check it. An automatic mask surrounds the located atoms; when none are found it falls
    /// back to the map's envelope, with a flag.
    package static func make(_ choice: MaskChoice, for map: Volume, element: Element,
                            threads: Int = Parallel.availableCores) -> MaskEstimate {
        let location = ParticleLocation.locate(in: map, element: element, threads: threads)
        var flags: [QualityFlag] = []
        let boxEdge = Double(min(map.nx, map.ny, map.nz)) * map.voxelSize
        let suggestion = location.map { l in
            "give a mask diameter, e.g. --mask-diameter \(Int((2 * (l.radius + ParticleMask.peakMargin(for: element))).rounded(.up)))"
        } ?? "give a mask diameter: the particle's diameter plus about 8 Å (--mask-diameter D, or mask map diameter=D)"
        var mask: ParticleMask?
        switch choice {
        case .none:
            mask = nil
        case .diameter(let d):
            mask = ParticleMask.centred(in: map, diameter: d)
            if let l = location, let m = mask {
                let outside = l.particlePeaks.filter { (l.peaks[$0] - m.centre).length > m.radius }.count
                if Double(outside) > maximumPeaksOutside * Double(l.particlePeaks.count) {
                    let need = 2 * ((l.centre - m.centre).length + l.radius + ParticleMask.peakMargin(for: element))
                    flags.append(QualityFlag(.atomsOutsideMask,
                        "\(outside) of the particle's \(l.particlePeaks.count) atom-like peaks lie outside the given \(flagNumber(d)) Å mask",
                        remedy: "use the automatic mask, or a diameter of at least \(Int(need.rounded(.up))) Å"))
                }
            }
        case .automatic:
            if let l = location {
                mask = ParticleMask.around(l, element: element)
                let fill = l.fillFraction(element: element)
                if fill < minimumFill {
                    flags.append(QualityFlag(.maskDoubtful,
                        "only \(flagNumber(100 * fill)) % of the mask's fcc sites hold an atom-like peak: the particle's peaks are spread out",
                        remedy: suggestion))
                }
            } else {
                let m = ParticleMask.envelope(of: map, threads: threads)
                mask = m
                flags.append(QualityFlag(.maskFallback,
                    "no cluster of \(ParticleLocation.minimumParticlePeaks) bonded atom-like peaks above \(flagNumber(ParticleLocation.significanceLevels.last!)) SD: the mask is the map's envelope",
                    remedy: suggestion))
            }
        }
        if let m = mask, m.automatic, 2 * m.radius > boxFillFraction * boxEdge {
            flags.append(QualityFlag(.maskDoubtful,
                "the mask (diameter \(flagNumber(2 * m.radius)) Å) fills the \(flagNumber(boxEdge)) Å box: noise or background probably swamped the particle",
                remedy: suggestion))
        }
        if let l = location, l.otherClusters > 0 {
            flags.append(QualityFlag(.severalClusters,
                "\(l.otherClusters) other cluster\(l.otherClusters == 1 ? "" : "s") of bonded atom-like peaks (largest \(l.largestOtherCluster) peaks) besides the particle's \(l.particlePeaks.count)",
                remedy: "the box may hold another particle: crop the map to one particle"))
        }
        return MaskEstimate(mask: mask, location: location, flags: flags)
    }
}

/// A number with up to one decimal, for flag texts.
func flagNumber(_ v: Double) -> String {
    v.rounded() == v || abs(v) >= 100 ? String(Int(v.rounded())) : String(format: "%.1f", v)
}
