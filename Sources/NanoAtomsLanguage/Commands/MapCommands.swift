import Foundation
import NanoAtomsEngine

extension VolumeValue {
    /// The element a simulated map was made of.
    var element: Element? { truth?.element }
}


let loadCommand = CommandDeclaration(
    name: "load",
    parameters: [.required("path", [.string], "an MRC map (.mrc, .map) or a model (.pdb, .cif, .csv, .xyz)", path: true),
                 .option("apix", [.number, .none], default: .none, unit: "Å", "voxel size, when the map's header has none").within(Limits.voxelSize)],
    returns: .any,
    summary: "read a density map (MRC) or an atomic model (PDB, mmCIF, CSV or XYZ)",
    teaching: """
        load reads a file. An MRC map becomes a volume: any MRC2014 data mode a reconstruction
        program writes (8- and 16-bit integers, 32- and 16-bit floats), any axis order and byte
        order; the centre of voxel (i, j, k) is placed at (i + start)·apix + origin in Å, so the
        atoms come out in the same frame as the map in ChimeraX. A PDB (SINGLE's *_ATMS.pdb too),
        mmCIF, CSV or XYZ file becomes atoms, for comparing models or computing statistics on a
        model built elsewhere; a model of several elements keeps each atom's element.
        Look at: the volume's size and voxel size (about 0.3–0.4 Å for these maps), and the range
        of values: a map that is all zeros or has a huge offset is worth a second look.
        """,
    example: "map = load \"np4.mrc\"",
    run: { args, interp in
        let path = try args.string("path")!
        if ModelFile.isModel(path) {
            var atoms = try ModelFile.read(path: path, element: interp.options.element)
            if let e = interp.options.element, atoms[column: "atomic_number"] == nil { atoms.element = e }
            return .atoms(AtomsValue(atoms: atoms, source: path))
        }
        let volume = try MRCFormat.read(path: path, voxelSize: try args.positive("apix"))
        return .volume(VolumeValue(volume: volume, source: PathComponents.last(of: path)))
    })

/// `open`, ChimeraX's word for the same thing.
let openCommand = CommandDeclaration(
    name: "open", parameters: loadCommand.parameters, returns: loadCommand.returns,
    summary: "the same as load (ChimeraX's word): read a map or a model",
    teaching: loadCommand.teaching, example: "map = open /data/np4.mrc", run: loadCommand.run)

let saveCommand = CommandDeclaration(
    name: "save",
    parameters: [.required("volume", [.volume], "the map to write"),
                 .required("path", [.string], "the MRC file to write", path: true)],
    returns: .none,
    summary: "write a volume to an MRC file (mode 2, float32)",
    teaching: """
        save writes a volume as an MRC2014 file in float32, through a temporary file and a rename,
        so a reader never sees half a file and an existing file is never left half-written. It
        refuses to overwrite a file this session loaded. Saving the masked and denoised maps lets
        you look at them in ChimeraX beside the atoms: the denoised map should show round,
        separate blobs where the raw map is noisy.
        """,
    example: "save den \"denoised.mrc\"",
    run: { args, _ in
        let path = try args.string("path")!
        try MRCFormat.write(try args.volume("volume").volume, to: path)
        return .none
    })

let simulateCommand = CommandDeclaration(
    name: "simulate",
    parameters: [Parameter(name: "shape", types: [.string], defaultValue: .string("cuboctahedron"), positional: true, unit: nil,
                           help: "the particle's shape", choices: ParticleShape.allCases.map(\.rawValue), isPath: false),
                 .option("natoms", [.number], default: .number(309), "atoms asked for (regular shapes take the nearest size)").within(1...Double(Limits.simulatedAtoms.upperBound), whole: true),
                 .option("snr", [.number, .none], default: .none, "median atom peak over noise SD; none for no noise").within(Limits.snr),
                 .option("seed", [.number], default: .number(1), "random seed: same seed, same map").within(Limits.seed, whole: true),
                 .option("noiseseed", [.number, .none], default: .none, "a separate seed for the noise: the same particle with new noise").within(Limits.seed, whole: true),
                 .option("expansion", [.number], default: .number(0), unit: "fraction", "lattice expansion over bulk, e.g. 0.015").within(Limits.expansion),
                 .option("disorder", [.number], default: .number(0), unit: "Å", "RMS static displacement of surface atoms").within(Limits.disorder),
                 .option("box", [.number, .none], default: .none, unit: "voxels", "box edge; none fits the particle plus 12 Å")
                    .within(Double(Limits.simulatedBoxEdge.lowerBound)...Double(Limits.simulatedBoxEdge.upperBound), whole: true),
                 .option("apix", [.number], default: .number(0.358), unit: "Å", "voxel size").within(Limits.voxelSize),
                 .option("element", [.string, .none], default: .none, "the metal; default the session's element, else Pt"),
                 .option("lowfreq", [.number], default: .number(0), unit: "fraction", "share of the noise variance at low frequency (σ 4 Å)").within(0...1),
                 Parameter(name: "liquid", types: [.string, .none], defaultValue: Value.none, positional: false, unit: nil,
                           help: "liquid around the particle: a slab through it, or an adsorbed shell; none for no liquid",
                           choices: ["slab", "shell"], isPath: false),
                 .option("thickness", [.number], default: .number(10), unit: "Å", "thickness of the liquid slab or shell").within(0.5...1000),
                 .option("density", [.number], default: .number(0.1), unit: "fraction", "the liquid's mean density over the median atom peak").within(0...10),
                 .option("gradient", [.number], default: .number(0), unit: "fraction", "background change across the box's diagonal over the median atom peak").within(-10...10),
                 .option("offset", [.number], default: .number(0), unit: "Å", "the particle's displacement from the box centre along x").within(-1000...1000)],
    returns: .volume,
    summary: "simulate a map of an fcc particle with known atoms (the built-in sample)",
    teaching: """
        simulate builds an fcc particle (a cuboctahedron from the 13, 55, 147, 309, 561 series, a
        truncated octahedron, or an irregular lump), gives every atom a mean-square displacement
        that grows as its coordination falls (surface atoms move more, as the paper finds), and
        renders each atom as the Peng (1996) electron scattering potential of the element, then
        adds smoothed Gaussian noise at the signal-to-noise ratio asked for. Real maps carry more:
        lowfreq= puts a share of the noise at low frequency, liquid= adds a lumpy liquid (a slab
        or an adsorbed shell), gradient= a sloping background and offset= moves the particle off
        the box centre; these are the maps on which a mask from the map's envelope fails. The true atoms stay
        with the map: map.truth gives them, so every step can be checked against the truth.
        Look at: try snr=8 (easy), 5 (medium) and 3 (hard) and watch which steps start to fail.
        """,
    example: "map = simulate cuboctahedron natoms=309 snr=4 seed=1",
    run: { args, interp in
        var element = interp.options.element ?? Element.named("Pt")!
        if let symbol = try args.string("element") {
            guard let e = Element.named(symbol) else { throw LanguageError("simulate: unknown element '\(symbol)'") }
            element = e
        }
        var spec = ParticleSpec(element: element)
        if let s = try args.string("shape") {
            guard let shape = ParticleShape(rawValue: s) else {
                throw LanguageError("simulate: unknown shape '\(s)'\(suggestion(for: s, among: ParticleShape.allCases.map(\.rawValue))); shapes: cuboctahedron, truncoct, irregular")
            }
            spec.shape = shape
        }
        // Every number here was checked against its declared range when the call was bound.
        spec.atomCount = try args.count("natoms", minimum: 1)!
        spec.snr = try args.positive("snr")
        spec.seed = UInt64(try args.count("seed")!)
        spec.noiseSeed = try args.count("noiseseed").map { UInt64($0) }
        spec.expansion = try args.number("expansion")!
        spec.surfaceDisorder = try args.number("disorder")!
        spec.box = try args.count("box", minimum: 8)
        spec.voxelSize = try args.positive("apix")!
        spec.background.lowFrequencyFraction = try args.number("lowfreq")!
        let thickness = try args.number("thickness")!
        switch try args.string("liquid") {
        case "slab": spec.background.liquid = .slab(thickness: thickness)
        case "shell": spec.background.liquid = .shell(thickness: thickness)
        default: spec.background.liquid = .none
        }
        spec.background.liquidDensity = try args.number("density")!
        spec.background.gradient = try args.number("gradient")!
        spec.background.offset = Vector3(try args.number("offset")!, 0, 0)
        spec.profile = nil
        try spec.validate()
        let p = TestParticle.make(spec, threads: interp.options.threads)
        var truth = AtomSet(element: element, positions: p.positions)
        truth.setColumn("cn", p.coordination.map(Double.init))
        truth.setColumn("uiso", p.displacements.map(\.isotropicEquivalent))
        return .volume(VolumeValue(volume: p.map, truth: truth,
                                   source: "simulated \(spec.shape.rawValue), \(p.positions.count) \(element.symbol) atoms"))
    })

let renderCommand = CommandDeclaration(
    name: "render",
    parameters: [.required("atoms", [.atoms], "the atoms to render: a model loaded from a file, or atoms built here"),
                 .option("grid", [.volume, .none], default: .none, "a map whose grid to render on (as ChimeraX's molmap onto a map); none makes a box around the atoms"),
                 .option("snr", [.number, .none], default: .none, "median atom peak over noise SD (a box of its own only); none for no noise").within(Limits.snr),
                 .option("seed", [.number], default: .number(1), "random seed of the noise").within(Limits.seed, whole: true),
                 .option("apix", [.number], default: .number(0.358), unit: "Å", "voxel size of a box of its own").within(Limits.voxelSize),
                 .option("motion", [.bool], default: .bool(true), "on a map's grid, smear each atom by its uiso column when the atoms have one")],
    returns: .volume,
    summary: "simulate the map of any atoms: a model from another tool, on its own box or a map's grid",
    teaching: """
        render simulates the density map of any atoms, each rendered as its element's Peng
        (1996) scattering potential (a model of several elements renders each atom with its
        own). With grid=MAP the map is made on MAP's grid, so the two can be compared voxel for
        voxel (ChimeraX's molmap does this), each atom smeared by its uiso column when it has one
        (motion=false renders them still); without it the atoms are centred in a box of their
        own with 6 Å of margin (their positions move with them: use map.truth), each given the
        simulator's CN-dependent motion, and snr= adds the simulator's noise. The atoms stay with the map
        as its truth, so a model built from the rendered map can be scored against them: this
        is how to test the pipeline on an icosahedron or a decahedron built with ASE.
        Look at: build the rendered map and compare the result with map.truth.
        """,
    example: "m = render (load \"deca.xyz\") snr=6",
    run: { args, interp in
        let a = try args.atoms("atoms")
        let atoms = a.atoms
        if case .volume(let g) = args["grid"] {
            try Limits.checkMapSize(g.volume.nx, g.volume.ny, g.volume.nz, what: "render grid")
            // Mean-square displacements within what any atom has (a column of another meaning
            // would otherwise smear atoms over the box).
            let motion = try args.bool("motion") ? atoms[column: "uiso"]?.map { $0.isFinite ? min(max($0, 0), 1) : 0 } : nil
            let map = MapSimulation.render(atoms: atoms, motion: motion, grid: g.volume, threads: interp.options.threads)
            return .volume(VolumeValue(volume: map, truth: atoms, source: "\(atoms.count) atoms rendered on \(g.source)'s grid"))
        }
        guard atoms.elementsPresent.count == 1 else {
            throw LanguageError("render: a box of its own renders one element; give grid=MAP to render several elements each with its own scattering")
        }
        var spec = ParticleSpec(element: atoms.element)
        spec.model = atoms.positions
        spec.snr = try args.positive("snr")
        spec.seed = UInt64(try args.count("seed")!)
        spec.voxelSize = try args.positive("apix")!
        try spec.validate()
        let p = TestParticle.make(spec, threads: interp.options.threads)
        var truth = AtomSet(element: atoms.element, positions: p.positions)
        truth.setColumn("cn", p.coordination.map(Double.init))
        truth.setColumn("uiso", p.displacements.map(\.isotropicEquivalent))
        return .volume(VolumeValue(volume: p.map, truth: truth, source: "\(atoms.count) \(atoms.element.symbol) atoms rendered from \(a.source)"))
    })

let maskCommand = CommandDeclaration(
    name: "mask",
    parameters: [.required("map", [.volume], "the raw map"),
                 .option("diameter", [.number, .none], default: .none, unit: "Å", "sphere diameter at the box centre; none estimates it").within(Limits.maskDiameter)],
    returns: .volume,
    summary: "mask the particle with a soft sphere and subtract the solvent background",
    teaching: """
        mask keeps the particle and sets the rest of the box to zero: the solvent outside the
        sphere is fitted as a plane (its slope by least squares, its level by the median) and
        subtracted, and the map is multiplied by a sphere with a 3 Å cosine edge. Without a diameter the sphere is found from the atoms themselves: the map
        is binned to about 0.7 Å and band-passed at the atomic scale (which removes low-frequency
        noise, gradients and a liquid's mean), its peaks above 5 robust SDs are atom-like, and
        the largest cluster of peaks with 3 or more peaks at bond distance is the particle; the
        sphere reaches its farthest peak plus half a bond and 1 Å. Only when no such cluster exists
        is the map's envelope used (Otsu on a low-passed map), with a flag: that envelope grows
        to the whole box under low-frequency noise. With a diameter, the atoms are still found,
        and a flag says when some lie outside the sphere.
        The paper does not mention masking, but its authors' software masks every map: in a large
        noisy box the whole-box correlation of the threshold search is otherwise dominated by
        noise and picks thousands of noise "atoms".
        Look at: the mask's centre, diameter, method and flags in 'show'; the diameter should
        exceed the particle's by a few Å. denoise masks by itself when given a raw map.
        """,
    example: "m = mask map diameter=36",
    run: { args, interp in
        let v = try args.volume("map")
        guard v.role == .raw else { throw LanguageError("mask: this map is already \(v.role.rawValue)") }
        var o = try interp.modelOptions(for: v, args)
        o.mask = try args.positive("diameter").map { .diameter($0) } ?? .automatic
        return .volume(VolumeValue(.masked(try maskParticle(v.volume, options: o, cancellation: interp.cancellation)), from: v))
    })

let denoiseCommand = CommandDeclaration(
    name: "denoise",
    parameters: [.required("map", [.volume], "the map (masked automatically if it is raw)"),
                 .option("bfactor", [.number, .none], default: .none, unit: "Å²", "B-factor of the simulated atom; none for 64·apix²").within(Limits.bFactor)],
    returns: .volume,
    summary: "correlate the map with a simulated atom (the paper's denoised map C)",
    teaching: """
        denoise replaces the map M by its correlation with one simulated atom of the element: a
        matched filter. Where the map looks like an atom the result is high; noise, which does not
        look like an atom, averages away. The simulated atom is the Peng (1996) five-Gaussian
        electron scattering potential with a B-factor of 64·apix², which keeps it band-limited on
        the grid (the authors' default). The result has its mean removed and unit standard
        deviation.
        The paper: "we substituted map M by a map C that was the result of the correlation between
        map M and a map representing a single simulated atomic density".
        Look at: save it and compare with the raw map; each atom should be a round blob. A raw map
        is masked first (see 'explain mask').
        """,
    example: "den = denoise map",
    run: { args, interp in
        var v = try args.volume("map")
        if v.role == .raw {
            v = VolumeValue(.masked(try maskParticle(v.volume, options: try interp.modelOptions(for: v, args), cancellation: interp.cancellation)), from: v)
        }
        guard case .masked(let m) = v.stage else { throw LanguageError("denoise: this map is already denoised") }
        var o = m.options
        o.atomBFactor = try args.number("bfactor")
        return .volume(VolumeValue(.denoised(try denoiseMap(m, options: o, cancellation: interp.cancellation)), from: v))
    })

let mapCommands = [loadCommand, openCommand, saveCommand, simulateCommand, renderCommand, maskCommand, denoiseCommand]
