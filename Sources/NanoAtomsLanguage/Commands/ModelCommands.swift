import Foundation
import NanoAtomsEngine

/// The candidates a step on atoms continues from, or an error naming the command.
func candidates(_ a: AtomsValue, _ args: Arguments) throws(LanguageError) -> DetectedAtoms {
    guard let d = a.candidates else {
        throw LanguageError("\(args.command): these atoms were not found in a map here (they came from \(a.source))")
    }
    return d
}

let binarizeCommand = CommandDeclaration(
    name: "binarize",
    parameters: [.required("denoised", [.volume], "the denoised map C"),
                 .option("threshold", [.number, .none], default: .none, "a fixed threshold on C; none searches for the best").within(-1e6...1e6)],
    returns: .mask,
    summary: "choose the threshold on C (Otsu, then the correlation-maximising search) and binarise",
    teaching: """
        binarize decides which voxels of the denoised map C are atom and which are background.
        It starts from Otsu's threshold T₀ (the value that best splits C's histogram in two), which
        the paper found admits too much, then tries 15 thresholds evenly spaced from T₀ to the
        maximum of C, and 10 finer ones around the best. For each it finds the connected
        components (the atoms), places an atom at each centre of mass, simulates a map from those
        atoms and measures its correlation with C. The threshold with the highest correlation wins:
        too low and noise blobs and merged atoms spoil the simulation; too high and weak atoms
        are missing.
        Look at: the curve ('show binary' lists every threshold with its atom count and correlation):
        it should rise to one clear maximum. binary.threshold and binary.correlation give the winner.
        """,
    example: "binary = binarize den",
    run: { args, interp in
        let v = try args.volume("denoised")
        guard let d = v.denoised else { throw LanguageError("binarize: needs the denoised map (den = denoise map)") }
        var o = d.options
        o.threshold = try args.number("threshold")
        return .mask(MaskValue(denoised: v, binarized: try binarizeMap(d, options: o, cancellation: interp.cancellation)))
    })

let detectCommand = CommandDeclaration(
    name: "detect",
    parameters: [.required("mask", [.mask], "the binarised map")],
    returns: .atoms,
    summary: "place an atom at the centre of mass of each connected component",
    teaching: """
        detect turns each 26-connected component of the binarised map into an atom, at the centre
        of mass of the grey values of the raw (masked) map M over the component's voxels: the
        paper's "center of mass of the gray-level voxel intensities in map M". Using M rather
        than C keeps the position faithful to the data; C is smoother but blurred by the filter.
        Look at: the number of atoms against what you expect for the particle's size; large or
        odd-shaped components are merged atoms, which 'split' deals with.
        """,
    example: "atoms = detect binary",
    run: { args, interp in
        guard case .mask(let m) = args["mask"] else { throw LanguageError("detect: 'mask' must be a mask") }
        return .atoms(AtomsValue(.detected(try detectAtoms(in: m.binarized, cancellation: interp.cancellation)), source: m.denoised.source))
    })

let splitCommand = CommandDeclaration(
    name: "split",
    parameters: [.required("atoms", [.atoms], "atoms from detect")],
    returns: .atoms,
    summary: "split components that hold two or more atoms",
    teaching: """
        split looks for components that are really several atoms joined where the local
        resolution is poor. The paper's test: the centre of mass is more than one voxel from the
        component's maximum in C, or the component reaches more than 1.5 atomic radii from its
        centre. Such a component is split at its local maxima of C, highest first, each at least
        1.5 r_th from the others; each new atom keeps the voxels within r_th of its peak that are
        nearer to it than to another, and sits at their centre of mass in M.
        (The paper stops splitting at 2 r_th, which could never separate atoms closer than an
        atomic diameter; see docs/method.md.)
        Look at: how many components were split (in the atoms' summary); a large number means the
        threshold is too low or the map too blurred.
        """,
    example: "atoms = split atoms",
    run: { args, interp in
        let a = try args.atoms("atoms")
        var o = try candidates(a, args).options
        o.split = true
        return .atoms(AtomsValue(.detected(try splitMergedAtoms(in: try candidates(a, args), options: o, cancellation: interp.cancellation)),
                                 source: a.source))
    })

let recoverCommand = CommandDeclaration(
    name: "recover",
    parameters: [.required("atoms", [.atoms], "atoms after split")],
    returns: .atoms,
    summary: "add weak atoms the threshold missed, where they raise the correlation",
    teaching: """
        recover looks for atoms too weak to cross the chosen threshold: mobile surface atoms whose
        density is smeared. Candidates are local maxima of C above Otsu's threshold that are bonded
        to the particle (at least 3 atoms within the CN radius) and not on top of an atom already
        found; each, highest first, is kept only if adding it raises the correlation between C
        and the simulated map, the very criterion the threshold search maximises.
        This step is not in the paper; on simulated maps it recovers 5–15 % of the atoms the
        paper's method misses, with precision kept (see docs/accuracy.md).
        Look at: how many atoms were added; compare with map.truth on a simulated map.
        """,
    example: "atoms = recover atoms",
    run: { args, interp in
        let a = try args.atoms("atoms")
        var o = try candidates(a, args).options
        o.recoverWeakAtoms = true
        return .atoms(AtomsValue(.detected(try recoverWeakAtoms(in: try candidates(a, args), options: o, cancellation: interp.cancellation)),
                                 source: a.source))
    })

let validateCommand = CommandDeclaration(
    name: "validate",
    parameters: [.required("atoms", [.atoms], "atoms to validate"),
                 .option("rule", [.string], default: .string("robust"), choices: OutlierRule.allCases.map(\.rawValue),
                         "which correlations are outliers: robust (4 robust SD below the median), paper (2 SD below the mean), none"),
                 .option("cnmin", [.number, .string], default: .number(3), "remove atoms with fewer neighbours; \"off\" keeps them").within(0...12, whole: true),
                 .option("detached", [.bool], default: .bool(true), "remove small clusters of atoms not bonded to the particle")],
    returns: .atoms,
    summary: "remove atoms whose density does not look like an atom, then those with CN < 3",
    teaching: """
        validate compares each atom's density in the raw map with the map simulated from all
        atoms, by Pearson's correlation over a sphere of 1.5 atomic radii, and removes outliers;
        then fits an fcc lattice to set the neighbour radius d = (ā/2)(1 + 1/√2) and removes atoms
        with fewer than 3 neighbours (the paper's rule; cnmin changes it, "off" disables it), then
        small clusters of atoms bonded to one another but not to the particle (detached=false
        keeps them; not in the paper). A lattice fallback or an ā far from bulk is flagged.
        The paper removes correlations more than 2 SD below the mean (rule="paper"). That rule
        always trims the low tail, and on simulated maps every atom it removes is real: mobile
        surface atoms whose density is broader. The default rule="robust" removes only atoms far
        outside the distribution (4 robust SDs below the median).
        Look at: 'show atoms' lists every removed atom with its reason; atoms.removed counts them.
        """,
    example: "atoms = validate atoms rule=\"paper\"",
    run: { args, interp in
        let a = try args.atoms("atoms")
        let d = try candidates(a, args)
        var o = d.options
        o.outlierRule = OutlierRule(rawValue: try args.string("rule")!)!
        switch args["cnmin"] {
        case .string(let s) where s == "off": o.minimumCoordination = nil
        case .number: o.minimumCoordination = try args.count("cnmin")
        default: throw LanguageError("validate: cnmin must be a whole number or \"off\"")
        }
        o.removeDetached = try args.bool("detached")
        return .atoms(AtomsValue(.validated(try validateModel(d, options: o, cancellation: interp.cancellation)), source: a.source))
    })

let refineCommand = CommandDeclaration(
    name: "refine",
    parameters: [.required("atoms", [.atoms], "a validated model (from validate or build)"),
                 .option("anisotropic", [.bool], default: .bool(false), "also fit each atom's anisotropic U, the other atoms modelled")],
    returns: .atoms,
    summary: "fit every atom jointly to the map: position, occupancy and U, with standard errors",
    teaching: """
        refine fits the whole model to the masked map at once: the map is modelled as a flat
        background plus one simulated atom per site, each with its own position, amplitude and
        isotropic mean-square displacement U (above the simulated atom's own width). Each
        sweep renders the model, then moves every atom by a damped Gauss–Newton step fitted in
        its own window against the map minus all the other atoms, so overlapping neighbours
        are modelled rather than taken into the fit. Atoms whose amplitude is not significant
        are removed, atoms fitted onto one another merged, each edit with its reason.
        Each atom gets standard errors of x, y, z, U and the occupancy from the fit, with the
        noise taken from the residual and inflated for its correlation between voxels; on
        simulated maps the true errors match them (RMS of error/σ about 1).
        Whole atoms (occupancy within 3 standard errors and half an atom of one) are then
        fitted again with the amplitude held, which pins down U; the table keeps the free
        occupancy. This step is not in the paper; build and run do it by default because it
        beats the unrefined model on every shared map (docs/method.md): build refine=false or
        run --no-refine leave it out, paper=true and --paper too.
        anisotropic=true then fits each atom's full U tensor (six components) in its window
        against the map minus every other atom's model: the columns u11_refined … u23_refined
        (above the simulated atom's own width, like u_refined) and sigma_u11 … sigma_u23.
        u11 … u23 and doi stay the paper's per-atom fit in the raw map; the PDB's ANISOU
        records still hold those.
        Look at: atoms.occupancy (about 1 for a full atom), atoms.sigma_position, and the edits
        in 'show atoms'.
        """,
    example: "atoms = refine atoms anisotropic=true",
    run: { args, interp in
        let a = try args.atoms("atoms")
        guard let model = a.validated, model.atoms.positions == a.atoms.positions else {
            throw LanguageError("refine: needs a validated model (atoms = validate atoms, or build map)")
        }
        var o = model.options
        o.refine = true
        o.anisotropic = try args.bool("anisotropic")
        return .atoms(AtomsValue(.validated(try refineModel(model, options: o, cancellation: interp.cancellation)), source: a.source))
    })

let halfMapsCommand = CommandDeclaration(
    name: "halfmaps",
    parameters: [.required("atoms", [.atoms], "a refined model (from refine, or build)"),
                 .required("part1", [.volume], "the first half map, as loaded"),
                 .required("part2", [.volume], "the second half map")],
    returns: .atoms,
    summary: "refit a refined model to two half maps: each atom's distance between them",
    teaching: """
        halfmaps fits the refined model again to each of two half maps (reconstructions from
        two halves of the data, on the same grid as the map the model came from), each masked
        like that map. The distance between an atom's two positions, half_map_difference,
        owes nothing to the fit's noise model: half of it estimates the full map's position
        error, so set beside sigma_position it tells whether the standard errors can be
        trusted ('show atoms' prints the median of each). Halves that disagree by much more
        than the standard errors predict are flagged: they may not be this map's halves.
        """,
    example: "atoms = halfmaps atoms part1 part2",
    run: { args, interp in
        let a = try args.atoms("atoms")
        guard let model = a.validated, model.refinement != nil, model.atoms.positions == a.atoms.positions else {
            throw LanguageError("halfmaps: needs a refined model (atoms = refine atoms, or build map)")
        }
        let p1 = try args.volume("part1"), p2 = try args.volume("part2")
        guard p1.stage == nil, p2.stage == nil else { throw LanguageError("halfmaps: give the half maps as loaded, not masked or denoised") }
        do throws(EngineError) { try checkHalfMaps(for: model, (p1.volume, p2.volume), names: (p1.source, p2.source)) }
        catch { throw LanguageError("halfmaps: \(error.description)") }
        return .atoms(AtomsValue(.validated(try compareHalfMaps(model, halves: (p1.volume, p2.volume), cancellation: interp.cancellation)),
                                 source: a.source))
    })

let buildCommand = CommandDeclaration(
    name: "build",
    parameters: [.required("map", [.volume], "a raw map"),
                 .option("paper", [.bool], default: .bool(false), "the paper's method as published: 2-SD rule, no recovery"),
                 .option("refine", [.bool], default: .bool(true), "refine the validated model against the map (see 'explain refine'); refine=false stops at validate"),
                 .option("anisotropic", [.bool], default: .bool(false), "also refine each atom's anisotropic U (see 'explain refine')")],
    returns: .atoms,
    summary: "the whole model building in one step: mask, denoise, binarize, detect, split, recover, validate, refine",
    teaching: """
        build runs every model-building step in the paper's order with the defaults, then
        refines the model against the map: the same as mask, denoise, binarize, detect, split,
        recover, validate and refine one after the other, in one call. Use it in batch scripts;
        use the single steps to learn, or to look at one of them. refine=false stops at
        validate; paper=true gives the method exactly as published (the 2-SD outlier rule, no
        recovery, no refinement).
        Look at: the summary line (components, split, recovered, removed, and what refinement did).
        """,
    example: "atoms = build map",
    run: { args, interp in
        let v = try args.volume("map")
        guard v.role == .raw else { throw LanguageError("build: needs the raw map") }
        var o = try interp.modelOptions(for: v, args)
        if try args.bool("paper") { o.outlierRule = .paper; o.recoverWeakAtoms = false; o.removeDetached = false; o.refine = false }
        else { o.refine = try args.bool("refine") }
        o.anisotropic = try args.bool("anisotropic")
        if o.anisotropic && !o.refine { throw LanguageError("build: anisotropic=true refines the model; it excludes refine=false and paper=true") }
        return .atoms(AtomsValue(.validated(try buildModel(from: v.volume, options: o, cancellation: interp.cancellation)), source: v.source))
    })

let modelCommands = [binarizeCommand, detectCommand, splitCommand, recoverCommand, validateCommand, refineCommand, halfMapsCommand, buildCommand]

extension Interpreter {
    /// Model-building options for steps on the raw map `v`: the paper's defaults for its
    /// element (the simulated one, else the session's), with the session's threads.
    func modelOptions(for v: VolumeValue, _ args: Arguments) throws(LanguageError) -> ModelBuildingOptions {
        var o = ModelBuildingOptions(element: try element(from: v.element, at: args.location, command: args.command))
        o.threads = options.threads
        return o
    }
}
