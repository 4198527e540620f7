/// A metal the engine can model: its fcc lattice constant, the theoretical atomic
/// radius used by model building, and its electron scattering factor.
public struct Element: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Chemical symbol, e.g. "Pt".
    public let symbol: String
    /// Atomic number.
    public let atomicNumber: Int
    /// Bulk fcc lattice constant at room temperature, Å.
    public let latticeConstant: Double
    /// Theoretical atomic radius r_th, Å: sets the split, validation and window radii.
    public let radius: Double
    /// Peng et al. (1996) elastic electron scattering factor f(s) = Σ aᵢ exp(−bᵢ s²):
    /// the five aᵢ (Å).
    public let scatteringA: [Double]
    /// The five bᵢ (Å²) of the same parameterisation.
    public let scatteringB: [Double]

    /// The symbol.
    public var description: String { symbol }

    /// Nearest-neighbour distance in the bulk fcc lattice, a/√2 (Å).
    public var bulkBondLength: Double { latticeConstant / 2.0.squareRoot() }

    /// The element with this symbol (any letter case), or nil.
    public static func named(_ symbol: String) -> Element? {
        let key = symbol.prefix(1).uppercased() + symbol.dropFirst().lowercased()
        return table.first { $0.symbol == key }
    }

    /// Every element the engine knows, in order of atomic number.
    public static var all: [Element] { table.sorted { $0.atomicNumber < $1.atomicNumber } }

    // Sources of the numbers below:
    // - Scattering factors: Peng, Ren, Dudarev & Whelan, Acta Cryst. A52, 257–276 (1996), the
    //   elastic 5-Gaussian fits tabulated in International Tables for Crystallography Vol. C,
    //   Table 4.3.2.2 (the paper's ref. 20).
    // - Lattice constants: CRC Handbook of Chemistry and Physics, fcc metals at 20–25 °C.
    // - Radii: the theoretical radii of the authors' SIMPLE/SINGLE code (simple_defs_atoms.f90):
    //   Pt 1.10, Au 1.23, Pd 1.12, Ag 1.45, Cu 1.32, Ni 1.24, Al 1.21 Å. The paper's Pt diameter of
    //   2.2 Å (0.8 × 2.2 = 1.76 Å) confirms Pt. Ir and Rh have no override there: Cordero et al.,
    //   Dalton Trans. 2832 (2008) covalent radii, Ir 1.41, Rh 1.42 Å.
    static let table: [Element] = [
        Element(symbol: "Al", atomicNumber: 13, latticeConstant: 4.0495, radius: 1.21,
                scatteringA: [0.2390, 0.6573, 1.2011, 2.5586, 1.2312],
                scatteringB: [0.3138, 2.1063, 10.4163, 34.4552, 98.5344]),
        Element(symbol: "Ni", atomicNumber: 28, latticeConstant: 3.5240, radius: 1.24,
                scatteringA: [0.3860, 1.1765, 1.5451, 2.0730, 1.3814],
                scatteringB: [0.2478, 1.7660, 6.3107, 25.2204, 74.3146]),
        Element(symbol: "Cu", atomicNumber: 29, latticeConstant: 3.6149, radius: 1.32,
                scatteringA: [0.4314, 1.3208, 1.5236, 1.4671, 0.8562],
                scatteringB: [0.2694, 1.9223, 7.3474, 28.9892, 90.6246]),
        Element(symbol: "Rh", atomicNumber: 45, latticeConstant: 3.8034, radius: 1.42,
                scatteringA: [0.6413, 1.3690, 2.9854, 2.6952, 1.5433],
                scatteringB: [0.2580, 1.7721, 6.3854, 23.2549, 85.1517]),
        Element(symbol: "Pd", atomicNumber: 46, latticeConstant: 3.8907, radius: 1.12,
                scatteringA: [0.5904, 1.1775, 2.6519, 2.2875, 0.8689],
                scatteringB: [0.2324, 1.5019, 5.1591, 15.5428, 46.8213]),
        Element(symbol: "Ag", atomicNumber: 47, latticeConstant: 4.0853, radius: 1.45,
                scatteringA: [0.6377, 1.3790, 2.8294, 2.3631, 1.4553],
                scatteringB: [0.2466, 1.6974, 5.7656, 20.0943, 76.7372]),
        Element(symbol: "Ir", atomicNumber: 77, latticeConstant: 3.8390, radius: 1.41,
                scatteringA: [1.0194, 2.0645, 3.4425, 3.4914, 1.6976],
                scatteringB: [0.2554, 1.6475, 6.5966, 23.2269, 70.0272]),
        Element(symbol: "Pt", atomicNumber: 78, latticeConstant: 3.9242, radius: 1.10,
                scatteringA: [0.9148, 1.8096, 3.2134, 3.2953, 1.5754],
                scatteringB: [0.2263, 1.3813, 5.3243, 17.5987, 60.0171]),
        Element(symbol: "Au", atomicNumber: 79, latticeConstant: 4.0782, radius: 1.23,
                scatteringA: [0.9674, 1.8916, 3.3993, 3.0524, 1.2607],
                scatteringB: [0.2358, 1.4712, 5.6758, 18.7119, 61.5286]),
    ]
}
