import Foundation
import NanoAtomsEngine

/// The table columns fitdepth accepts.
let fittableColumns = Statistic.all.filter(\.isFittable).map(\.key)

let statsCommand = CommandDeclaration(
    name: "stats",
    parameters: [.required("atoms", [.atoms], "atoms found in a map, or loaded from a model file"),
                 .optional("map", [.volume], "the map to measure shape statistics in (default: the map the atoms were found in)"),
                 .option("cutoff", [.number, .none], default: .none, unit: "Å",
                         "a neighbour cut-off of your own instead of the lattice's CN radius (a bond-cutoff analysis)").within(Limits.coordinationCutoff)],
    returns: .table,
    summary: "per-atom statistics: structure, CN, GCN, bonds, strain, depth; peak z, correlation, Uiso, U, DOI with a map",
    teaching: """
        stats computes the paper's per-atom statistics for any atoms. Position statistics need
        only the positions: the local structure of each atom (fcc, hcp, icosahedral or other, by
        polyhedral template matching, which holds up under position noise) and its grain (fcc
        atoms bonded and oriented alike); the lattice (one fcc lattice, or one
        per grain of a twinned particle, or where none holds the first shell of g(r)), whose ā
        sets the neighbour radius; then CN, GCN, the nearest-neighbour bond, the radial strain
        and the radial depth. Shape statistics need a map: the peak intensity z-score over the
        atom's voxels, the validation correlation (a cube of side 3 r_th), Uiso from a weighted
        log-linear fit of an isotropic Gaussian within 3/4 of half the bond length, and the
        anisotropic U with its eigenvalues and DOI = U_min/U_maj. Atoms found here use their own
        map and the lattice validation used; atoms loaded from a file (SINGLE's *_ATMS.pdb, an
        mmCIF, CSV or XYZ) get shape statistics with map=. cutoff= sets the neighbour radius
        yourself, for a bond-cutoff analysis (tab.cn_radius says which was used).
        Look at: tab.median_cn and tab.core_ratio (the paper's Table 1), 'show tab' for the whole
        row, the structure and the flags, and tab.uiso or any column as a list. docs/statistics.md
        defines every column.
        """,
    example: "tab = stats atoms",
    run: { args, interp in
        let a = try args.atoms("atoms")
        var o = StatisticsOptions()
        o.threads = interp.options.threads
        o.coordinationRadius = try args.number("cutoff")
        let atoms = a.atoms
        if case .volume(let v) = args["map"] {
            let evidence = MapEvidence(raw: v.volume, regions: nil, profile: AtomProfile.peng(atoms.element, voxelSize: v.volume.voxelSize),
                                       radius: atoms.element.radius)
            return .table(try computeStatistics(atoms: atoms, map: evidence, options: o, cancellation: interp.cancellation))
        }
        // A validated model gets exactly the statistics 'nanoatoms run' computes for it.
        if let r = a.validated, r.atoms.positions == atoms.positions {
            return .table(try computeStatistics(of: r, options: o, cancellation: interp.cancellation))
        }
        return .table(try computeStatistics(atoms: atoms, map: a.mapEvidence, options: o, cancellation: interp.cancellation))
    })

let summaryCommand = CommandDeclaration(
    name: "summary",
    parameters: [.required("table", [.table], "statistics from stats")],
    returns: .record,
    summary: "the paper's Table 1 row for the particle",
    teaching: """
        summary gives the particle's row of the paper's Table 1: number of atoms, diameter (the
        largest interatomic distance), median CN, median nearest-neighbour bond, median radial
        strain and the core ratio (the fraction of atoms with CN = 12, with their count), plus ā
        and the penetration depths δ for CN and GCN.
        Look at: the paper's particles of 220–710 atoms have median CN 8.8–10.1 and core ratios
        0.16–0.51; the median NN bond is biased low by noise (the minimum of ~12 distances), so
        median_neighbor_distance is given beside it.
        """,
    example: "show summary tab",
    run: { args, _ in
        guard case .table(let t) = args["table"] else { throw LanguageError("summary: needs a table") }
        var fields: [(String, Value)] = t.table1.map { ($0.key, .number($0.value)) }
        fields.append(("lattice_fit", .string(t.lattice.method.rawValue)))
        return .record(RecordValue(title: "Table 1 row", fields: fields))
    })

let fitdepthCommand = CommandDeclaration(
    name: "fitdepth",
    parameters: [.required("table", [.table], "statistics from stats"),
                 Parameter(name: "column", types: [.string], defaultValue: .string("cn"), positional: true, unit: nil,
                           help: "the statistic to fit", choices: fittableColumns, isPath: false)],
    returns: .fit,
    summary: "fit the penetration depth δ of a statistic against radial depth (paper Eq. 1)",
    teaching: """
        fitdepth orders the atoms by radial depth (distance below the particle's surface radius),
        averages every 5 consecutive atoms, and fits the paper's Eq. 1: the statistic rises
        linearly with depth, y = m(x − δ) + c, until the depth δ, and stays at c beyond. For CN, c
        is held to [10, 12] (atoms of an ideal lattice have CN 12); for other statistics it is
        free. δ is found by a scan over all depths, so the fit cannot stop in a local minimum.
        The paper found δ ≈ 4–5 Å for CN (about 1.6 atomic shells) and 5–6 Å for GCN.
        Look at: fit.delta, and fit.m and fit.c; 'show fit' prints the averaged points.
        """,
    example: "fit = fitdepth tab uiso",
    run: { args, _ in
        guard case .table(let t) = args["table"] else { throw LanguageError("fitdepth: needs a table") }
        let column = try args.string("column") ?? "cn"
        guard let values = t.atoms[column: column] else {
            throw LanguageError("fitdepth: the table has no column '\(column)'\(suggestion(for: column, among: t.atoms.columnNames))")
        }
        guard let fit = fitPenetrationDepth(depths: try t.atoms.values(of: .radialDepth), values: values, statistic: column,
                                            plateauBounds: column == "cn" ? coordinationPlateauBounds : nil) else {
            throw LanguageError("fitdepth: too few atoms with a finite \(column) to fit")
        }
        return .fit(fit)
    })

let compareCommand = CommandDeclaration(
    name: "compare",
    parameters: [.required("first", [.atoms], "the first model (e.g. part1, or the model found)"),
                 .required("second", [.atoms], "the second model (e.g. part2, or the true atoms)"),
                 .option("truth", [.string], default: .string("auto"), choices: ["auto", "first", "second", "none"],
                         "which model is the truth: first, second, none, or auto (a simulated map's true atoms)")],
    returns: .comparison,
    summary: "common, displaced, lost and gained atoms between two models",
    teaching: """
        compare pairs the atoms of two models of one particle, such as the reconstructions from
        the first and second halves of a time series (the paper's part1 and part2, Fig. 3).
        Atoms closer than 0.8 × the atomic diameter (1.76 Å for Pt) are common; of the rest, pairs
        within the neighbour radius are displaced; the first model's other atoms are lost and the
        second's gained. The paper found ≥ 95 % common atoms and < 5 % lost for most particles.
        When one model is the truth (map.truth of a simulated map, or truth="second" for true
        atoms read from a file), the unpaired atoms are named for what they are: the truth's are
        missed (missed, missed_pct of the true atoms) and the model's are extra (extra,
        extra_pct of the model's atoms), whichever side the truth is on.
        Look at: the percentages; lost atoms are mostly weak surface atoms, whose lower SNR in a
        half-series may put them below the detection threshold rather than off the particle.
        """,
    example: "c = compare part1 part2",
    run: { args, _ in
        let a = try args.atoms("first"), b = try args.atoms("second")
        var c = compareModels(a.atoms.positions, b.atoms.positions, element: a.atoms.element)
        c.firstName = a.source
        c.secondName = b.source
        switch try args.string("truth")! {
        case "first": c.truth = .first
        case "second": c.truth = .second
        case "none": c.truth = nil
        default: c.truth = b.source == simulatedAtomsSource ? .second : a.source == simulatedAtomsSource ? .first : nil
        }
        return .comparison(c)
    })

let analysisCommands = [statsCommand, summaryCommand, fitdepthCommand, compareCommand]
