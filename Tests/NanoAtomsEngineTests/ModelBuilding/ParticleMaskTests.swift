import Testing
@testable import NanoAtomsEngine

@Suite("The particle mask's solvent: its median and its plane")
struct ParticleMaskTests {
    @Test("the median by histogram and selection is the element of rank count/2, with ties and skew")
    func medianBySelection() {
        var g = SeededGenerator(seed: 17)
        for count in [1, 2, 7, 1000, 4097, 20_001] {
            // Skewed values with many exact ties, so the median's bin holds repeats.
            var values = (0..<count).map { _ in Float((g.gaussian() * g.gaussian() * 8).rounded()) / 8 }
            let expected = values.sorted()[count / 2]
            let found = values.withUnsafeMutableBufferPointer { ParticleMask.medianBySelection($0) }
            #expect(found == expected, "\(count) values")
        }
        var equal = [Float](repeating: 2.5, count: 50)
        #expect(equal.withUnsafeMutableBufferPointer { ParticleMask.medianBySelection($0) } == 2.5)
    }

    @Test("a sloping solvent is found as a plane and subtracted: the masked particle sits on zero")
    func planeBackground() {
        // A 60³ box of 0.5 Å voxels holding only a plane: 0.3 + (0.01, −0.02, 0.005)·(p − c).
        var v = Volume(nx: 60, ny: 60, nz: 60, voxelSize: 0.5, origin: Vector3(-3, 1, 2))
        let c = v.position(voxel: Vector3(repeating: 29.5))
        let g = Vector3(0.01, -0.02, 0.005)
        for k in 0..<60 { for j in 0..<60 { for i in 0..<60 {
            v[i, j, k] = Float(0.3 + g.dot(v.position(voxel: Vector3(Double(i), Double(j), Double(k))) - c))
        } } }
        let mask = ParticleMask(centre: c, radius: 6, edge: 3, method: .given)
        let b = mask.background(of: v)
        #expect(abs(b.level - 0.3) < 1e-5)
        #expect((b.gradient - g).length < 1e-6)
        // With the plane subtracted nothing is left, inside the sphere or on its edge.
        let masked = mask.apply(to: v, subtracting: b)
        #expect(masked.values.allSatisfy { abs($0) < 1e-5 })
        // A constant level alone would leave the slope: ±0.12 across the 12 Å sphere.
        let flat = mask.apply(to: v, subtracting: .flat(b.level))
        #expect(flat.values.map { abs($0) }.max()! > 0.1)
    }
}
