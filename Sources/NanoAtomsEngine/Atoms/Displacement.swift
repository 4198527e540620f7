/// How far an atom's density is smeared by its motion: a mean-square displacement
/// U, isotropic (one number, Å²) or anisotropic (a symmetric 3 × 3 tensor, Å²).
public enum Displacement: Sendable, Equatable {
    /// The same mean-square displacement along every direction.
    case isotropic(Double)
    /// A full anisotropic displacement tensor in Cartesian x, y, z.
    case anisotropic(Matrix3)

    /// No motion.
    public static let none = Displacement.isotropic(0)

    /// The tensor form.
    public var tensor: Matrix3 {
        switch self {
        case .isotropic(let u): return .diagonal(Vector3(repeating: u))
        case .anisotropic(let m): return m
        }
    }

    /// The isotropic equivalent, trace/3.
    public var isotropicEquivalent: Double {
        switch self {
        case .isotropic(let u): return u
        case .anisotropic(let m): return (m[0, 0] + m[1, 1] + m[2, 2]) / 3
        }
    }
}
