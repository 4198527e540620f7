import Dispatch
import Foundation

/// The files `nanoatoms run` writes for one map: `model.pdb`, `atoms.csv`, `summary.json`,
/// `report.html` and the figures in `plots/`.
///
/// `summary.json` holds the counts, the threshold search, every removal with its reason, the
/// mask, both lattice fits, the Table 1 row, the depth fits, the provenance and the timings.
package enum RunOutputs {
    /// The summary of a model-building run as JSON: counts, the threshold search, every
    /// removal with its reason, the mask and the timings.
    package static func summary(_ r: ValidatedModel, statistics st: ParticleStatistics?, mapName: String,
                                provenance: Provenance = Provenance()) -> JSONValue {
        let trials = r.search.trials.map { t in
            JSONValue.object([("threshold", .number(Double(t.threshold))), ("atoms", .number(Double(t.atoms))),
                              ("correlation", .finite(t.correlation)),
                              ("rejected", t.rejection.map { .string($0) } ?? .null)])
        }
        let paperLimit = OutlierRule.paper.limit(for: r.candidateCorrelations)
        let removals = r.removals.map { m in
            JSONValue.object([("x", .number(m.position.x)), ("y", .number(m.position.y)), ("z", .number(m.position.z)),
                              ("rule", .string(m.rule.rawValue)), ("value", .finite(m.value)), ("limit", .finite(m.limit)),
                              ("reason", .string(m.reason))])
        }
        var mask: JSONValue = .null
        if let m = r.mask {
            mask = .object([("mode", .string(m.automatic ? "automatic" : "diameter")),
                            ("method", .string(m.method.rawValue)),
                            ("centre", .array([.number(m.centre.x), .number(m.centre.y), .number(m.centre.z)])),
                            ("diameter", .number(2 * m.radius)), ("edge", .number(m.edge)),
                            ("background_subtracted", .finite(r.background.level)),
                            ("background_gradient", .array([.finite(r.background.gradient.x), .finite(r.background.gradient.y),
                                                            .finite(r.background.gradient.z)]))])
        }
        var location: JSONValue = .null
        if let l = r.location {
            location = .object([("peaks", .number(Double(l.peaks.count))), ("particle_peaks", .number(Double(l.particlePeaks.count))),
                                ("significance_sd", .number(l.significance)),
                                ("centre", .array([.number(l.centre.x), .number(l.centre.y), .number(l.centre.z)])),
                                ("radius", .number(l.radius)), ("fill_fraction", .finite(l.fillFraction(element: r.options.element))),
                                ("other_clusters", .number(Double(l.otherClusters)))])
        }
        let flags = runFlags(r, st).map { f in
            JSONValue.object([("code", .string(f.code.rawValue)), ("reason", .string(f.reason)),
                              ("remedy", f.remedy.map { .string($0) } ?? .null)])
        }
        var fields: [(String, JSONValue)] = [
            ("map", .string(mapName)),
            ("model_pdb", .string(pdbProblem(st?.atoms ?? r.atoms).map { "not written: " + $0 } ?? "written")),
            ("element", .string(r.options.element.symbol)),
            ("voxel_size", .number(r.raw.voxelSize)),
            ("box", .array([.number(Double(r.raw.nx)), .number(Double(r.raw.ny)), .number(Double(r.raw.nz))])),
            ("r_th", .number(r.radius)),
            ("natoms", .number(Double(r.atoms.count))),
            ("otsu_threshold", .number(Double(r.search.otsu))),
            ("threshold", .number(Double(r.search.threshold))),
            ("threshold_correlation", .finite(r.search.correlation)),
            ("threshold_search", .array(trials)),
            ("threshold_choice", .string(r.search.choice)),
            ("components", .number(Double(r.componentCount))),
            ("components_split", .number(Double(r.splitComponents))),
            ("weak_atoms_recovered", .number(Double(r.recoveredAtoms))),
            ("atoms_before_validation", .number(Double(r.candidates.count))),
            ("removed", .object([
                ("low_correlation", .number(Double(r.removedCount(.lowCorrelation)))),
                ("low_coordination", .number(Double(r.removedCount(.lowCoordination)))),
                ("detached", .number(Double(r.removedCount(.detached)))),
            ])),
            ("outlier_rule", .string(r.options.outlierRule.rawValue)),
            ("outlier_limit", .finite(r.options.outlierRule.limit(for: r.candidateCorrelations))),
            ("paper_rule_would_remove", .number(Double(r.candidateCorrelations.filter { $0 < paperLimit }.count))),
            ("minimum_cn", r.options.minimumCoordination.map { .number(Double($0)) } ?? .null),
            ("removals", .array(removals)),
            ("mask", mask),
            ("particle_location", location),
            ("quality_flags", .array(flags)),
            ("refinement", refinement(r.refinement)),
        ]
        var timings = r.timings
        if let st {
            timings.append(st.timings)
            fields += [
                ("table1", .object(st.table1.map { ($0.key, .finite($0.value)) })),
                ("lattice", lattice(st.lattice)),
                ("structure", structure(st.structure)),
                ("cn_radius", .number(st.coordinationRadius)),
                ("cn_radius_validation", .number(r.lattice.coordinationRadius)),
                ("adp_fit_radius", .number(st.fitRadius)),
                ("aniso_invalid", .number(Double(st.atoms[column: "aniso_valid"]?.filter { $0 == 0 }.count ?? 0))),
                ("delta_cn", .finite(st.depthFitCN?.delta)),
                ("delta_cn_interval", interval(st.depthFitCN?.interval)),
                ("delta_gcn", .finite(st.depthFitGCN?.delta)),
                ("delta_gcn_interval", interval(st.depthFitGCN?.interval)),
                ("depth_fit_cn", depthFit(st.depthFitCN)),
                ("depth_fit_gcn", depthFit(st.depthFitGCN)),
                ("cn_bins", cnBins(st.atoms)),
            ]
        } else {
            fields.append(("lattice", lattice(r.lattice)))
        }
        fields.append(("provenance", provenance.json(options: r.options)))
        fields.append(("timings", .object(timings.steps.map { ($0.name, .number(($0.seconds * 1e4).rounded() / 1e4)) })))
        return .object(fields)
    }

    /// What refinement did, with every edit and its reason; null when the model was not refined.
    static func refinement(_ f: Refinement?) -> JSONValue {
        guard let f else { return .null }
        return .object([
            ("method", .string("joint real-space fit: position, amplitude and isotropic U of every atom, overlaps modelled")),
            ("sweeps", .number(Double(f.sweeps))), ("converged", .bool(f.converged)),
            ("noise_sd", .finite(f.noiseSD)), ("noise_correlation_factor", .finite(f.correlationFactor)),
            ("core_amplitude", .finite(f.coreAmplitude)), ("rms_shift", .finite(f.rmsShift)),
            ("lattice_sites_tested", .number(Double(f.latticeSitesTested))), ("lattice_sites_kept", .number(Double(f.latticeSitesKept))),
            ("whole_atoms", .number(Double(f.wholeAtoms))),
            ("validation_lattice", .object([("mean_lattice_constant", .finite(f.validationLattice.meanLatticeConstant)),
                                            ("coordination_radius", .finite(f.validationLattice.coordinationRadius)),
                                            ("note", .string("the lattice of the validated positions, whose CN radius validation's CN rule used; the statistics use the lattice refitted to the refined positions (summary.json lattice)"))])),
            ("uiso", .string("uiso is the refined whole width, u_total (the PDB B-factor is 8π² u_refined); the per-atom Gaussian fit's is uiso_gaussian")),
            ("edits", .array(f.edits.map { e in
                .object([("kind", .string(e.kind.rawValue)), ("x", .number(e.position.x)), ("y", .number(e.position.y)),
                         ("z", .number(e.position.z)), ("reason", .string(e.reason))])
            })),
            ("half_maps", f.halfMaps.map { h in
                .object([("atoms", .number(Double(h.atoms))), ("median_difference", .finite(h.medianDifference)),
                         ("median_sigma_position", .finite(h.medianSigma)), ("calibration", .finite(h.calibration)),
                         ("note", .string("calibration = (median difference / 2) / median sigma_position: near 1 when the standard errors are right"))])
            } ?? .null),
        ])
    }

    static func interval(_ i: ClosedRange<Double>?) -> JSONValue {
        i.map { .array([.finite($0.lowerBound), .finite($0.upperBound)]) } ?? .null
    }

    /// The structure counts (by the method named), the grains and g(r)'s first shell.
    static func structure(_ s: ParticleStructure) -> JSONValue {
        let rdf = s.radialDistribution
        return .object([
            ("method", .string(s.method == .ptm ? "PTM (Larsen et al. 2016), RMSD cut-off \(ptmRMSDCutoff)" : "adaptive CNA (Stukowski 2012)")),
            ("counts", .object(structureCounts(s.types).map { ($0.0.name, .number(Double($0.1))) })),
            ("grains", .array(s.grainSizes.map { .number(Double($0)) })),
            ("single_crystal", .bool(s.isSingleCrystal)),
            ("rdf_first_peak", .finite(rdf.firstPeak)),
            ("rdf_first_minimum", .finite(rdf.firstMinimum)),
            ("rdf_first_shell_bond", .finite(rdf.firstShellBond)),
            ("summary", .string(s.description)),
        ])
    }

    static func lattice(_ l: LatticeFit) -> JSONValue {
        .object([
            ("method", .string(l.method.rawValue)),
            ("grain_a", .array(l.grains.map { .finite($0.fit.meanLatticeConstant) })),
            ("a", .array(l.latticeConstants.map { .finite($0) })),
            ("a_mean", .finite(l.meanLatticeConstant)),
            ("rms", .finite(l.rmsResidual)),
            ("inlier_fraction", .finite(l.inlierFraction)),
            ("cn_radius", .finite(l.coordinationRadius)),
            ("icosahedron", l.mackay.map { m in
                .object([("shell_spacing", .finite(m.shellSpacing)), ("centre", .array([.finite(m.centre.x), .finite(m.centre.y), .finite(m.centre.z)])),
                         ("shells", .finite(Double(m.shells.max() ?? 0) + 1))])
            } ?? .null),
            ("note", l.note.map { .string($0) } ?? .null),
        ])
    }

    /// Statistics binned by CN (bins of at least 5 atoms): mean, SD and S/√N per bin (paper Fig. 5).
    static func cnBins(_ atoms: AtomSet) -> JSONValue {
        guard let cn = atoms[column: "cn"]?.map({ Int($0) }) else { return .null }
        let names = Statistic.all.filter(\.binnedByCN).map(\.key)
        return .object(names.compactMap { name in
            guard let v = atoms[column: name] else { return nil }
            return (name, .array(binByCoordination(v, cn: cn).map { b in
                .object([("cn", .number(Double(b.cn))), ("n", .number(Double(b.count))), ("mean", .finite(b.mean)),
                         ("sd", .finite(b.standardDeviation)), ("sem", .finite(b.standardError))])
            }))
        })
    }

    static func depthFit(_ f: DepthFit?) -> JSONValue {
        guard let f else { return .null }
        return .object([
            ("statistic", .string(f.statistic)), ("delta", .finite(f.delta)), ("m", .finite(f.slope)), ("c", .finite(f.plateau)),
            ("c_bounds", f.plateauBounds.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null),
            ("rms", .finite(f.rmsResidual)),
            ("r_squared", .finite(f.rSquared)),
            ("interval_95", interval(f.interval)),
            ("atoms_beyond_delta", .number(Double(f.atomsBeyondDelta))),
            ("doubt", f.doubt.map { .string($0) } ?? .null),
            ("points_depth", .array(f.depths.map { .finite($0) })), ("points_value", .array(f.values.map { .finite($0) })),
        ])
    }

    /// PDB records for atoms with statistics: B = 8π²·U_iso and ANISOU where the anisotropic fit
    /// is valid; for a refined model B = 8π²·u_refined (the displacement above the simulated
    /// atom's own width), the refined occupancy, and SIGATM records with their standard errors.
    package static func pdbRecords(_ atoms: AtomSet) -> [PDBFormat.Record] {
        let uiso = atoms[column: Statistic.uiso.key], valid = atoms[column: "aniso_valid"]
        let u = Statistic.anisotropicU.map { atoms[column: $0.key] }
        let refined: (u: [Double], occupancy: [Double], sx: [Double], sy: [Double], sz: [Double], so: [Double], su: [Double])? = {
            guard let u = atoms[column: "u_refined"], let o = atoms[column: "occupancy"], let sx = atoms[column: "sigma_x"],
                  let sy = atoms[column: "sigma_y"], let sz = atoms[column: "sigma_z"], let so = atoms[column: "sigma_occupancy"],
                  let su = atoms[column: "sigma_u"] else { return nil }
            return (u, o, sx, sy, sz, so, su)
        }()
        // Each atom's element where the model holds several (a core–shell or alloy particle).
        let elements: [Element]? = atoms[column: "atomic_number"] == nil ? nil : atoms.elements
        return atoms.positions.indices.map { i in
            var r = PDBFormat.Record(position: atoms.positions[i])
            r.element = elements?[i]
            if let uiso, uiso[i].isFinite { r.bFactor = 8 * Double.pi * Double.pi * uiso[i] }
            // A refined model: B and the occupancy are the fit's, with their standard errors.
            if let refined, refined.u[i].isFinite {
                r.bFactor = 8 * Double.pi * Double.pi * max(0, refined.u[i])
                r.occupancy = refined.occupancy[i]
                r.errors = (Vector3(refined.sx[i], refined.sy[i], refined.sz[i]), refined.so[i], 8 * Double.pi * Double.pi * refined.su[i])
            }
            if let valid, valid[i] == 1, let u11 = u[0], let u22 = u[1], let u33 = u[2], let u12 = u[3], let u13 = u[4], let u23 = u[5] {
                r.anisotropicU = Matrix3([u11[i], u12[i], u13[i], u12[i], u22[i], u23[i], u13[i], u23[i], u33[i]])
            }
            return r
        }
    }

    /// The files a run writes, relative to its folder.
    package static let fileNames: Set<String> = ["model.pdb", "model.cif", "atoms.csv", "summary.json", "report.html", "plots",
                                                 "model.cxc", "model.defattr"]

    /// The level at which the ChimeraX script draws the input map: half way from the
    /// background to the median of the raw map at the atom centres (the threshold search's
    /// own threshold is on the denoised map, which is not written).
    static func mapLevel(_ r: ValidatedModel) -> Double {
        r.background.level + 0.5 * r.raw.medianValue(at: r.atoms.positions)
    }
    /// What ``mapLevel(_:)`` is, in the script's words.
    static let mapLevelMeaning = "half way from the background to the median raw-map value at the atom centres"

    /// Why model.pdb cannot hold `atoms` (a coordinate beyond its columns), or nil when it can.
    package static func pdbProblem(_ atoms: AtomSet) -> String? {
        do { try PDBFormat.checkFits(pdbRecords(atoms)); return nil }
        catch let e as EngineError { return e.message } catch { return "\(error)" }
    }

    /// Writes a run's files into `directory` as one unit (``writeRunFolder(_:files:allowed:)``);
    /// ``ParticleRun/write(to:mapName:timings:)`` is the way in.
    /// `extraFiles` join the set (a study's `task.json`); `allowed` is what an existing folder
    /// may hold.
    static func write(_ result: ValidatedModel, statistics: ParticleStatistics, mapName: String, to directory: String,
                      provenance: Provenance, extraFiles: [(path: String, bytes: [UInt8])] = [], allowed: Set<String> = fileNames,
                      timings: inout StepTimings) throws {
        // The model files and the report are made at once, on two cores (each is a pure
        // function of the result; on 21,659 atoms each takes about half a second).
        typealias Files = [(path: String, bytes: [UInt8])]
        let parts = UncheckedSendable(UnsafeMutablePointer<Result<Files, any Error>>.allocate(capacity: 2))
        let spent = UncheckedSendable(UnsafeMutablePointer<UInt64>.allocate(capacity: 2))
        defer { parts.value.deinitialize(count: 2); parts.value.deallocate(); spent.value.deallocate() }
        let shared = UncheckedSendable((result, statistics, mapName, provenance))
        Parallel.forEach(chunks: 2, threads: Parallel.availableCores) { part in
            let (result, statistics, mapName, provenance) = shared.value
            let start = DispatchTime.now().uptimeNanoseconds
            (parts.value + part).initialize(to: Result { () throws -> Files in
                part == 0 ? try modelFiles(result, statistics: statistics, mapName: mapName, provenance: provenance)
                          : reportFiles(result, statistics: statistics, mapName: mapName, provenance: provenance)
            })
            spent.value[part] = DispatchTime.now().uptimeNanoseconds - start
        }
        let files = try parts.value[0].get() + parts.value[1].get()
        let t2 = DispatchTime.now().uptimeNanoseconds
        try writeRunFolder(directory, files: files + extraFiles, allowed: allowed)
        let t3 = DispatchTime.now().uptimeNanoseconds
        // Each step's own time (they overlap): the export's includes writing the folder.
        timings.record("export", seconds: Double(spent.value[0] + t3 - t2) * 1e-9)
        timings.record("report", seconds: Double(spent.value[1]) * 1e-9)
    }

    /// The model's files: mmCIF, PDB (where the model fits its columns), atoms.csv, the
    /// ChimeraX attribute file and script, and summary.json.
    private static func modelFiles(_ result: ValidatedModel, statistics: ParticleStatistics, mapName: String,
                                   provenance: Provenance) throws -> [(path: String, bytes: [UInt8])] {
        let atoms = statistics.atoms
        var files: [(path: String, bytes: [UInt8])] = []
        let records = pdbRecords(atoms)
        files.append(("model.cif", Array(try MMCIFFormat.text(element: atoms.element, records: records, box: result.raw.boxSize).utf8)))
        if (try? PDBFormat.checkFits(records)) != nil {
            files.append(("model.pdb", Array(try PDBFormat.text(element: atoms.element, records: records, box: result.raw.boxSize,
                                                                 remark: "nanoatoms model of \(mapName); B = 8 pi^2 Uiso (A^2)").utf8)))
        }
        files.append(("atoms.csv", Array(CSVFormat.text(atoms).utf8)))
        let pdbWritten = files.contains { $0.path == "model.pdb" }
        files.append(("model.defattr", Array(ChimeraXFiles.attributeFile(atoms, columns: ChimeraXFiles.columns(of: atoms)).utf8)))
        files.append(("model.cxc", Array(ChimeraXFiles.script(
            title: "model of \(mapName)", model: ChimeraXFiles.modelFile(for: atoms, pdb: "model.pdb", mmcif: "model.cif", pdbWritten: pdbWritten),
            attributes: "model.defattr", atoms: atoms, colour: Statistic.cn.key,
            map: provenance.inputs.first { $0.role == "map" }.map { ($0.path, mapLevel(result), mapLevelMeaning) }).utf8)))
        files.append(("summary.json", Array((summary(result, statistics: statistics, mapName: mapName, provenance: provenance).serialized() + "\n").utf8)))
        return files
    }

    /// The report: its figures (plots/*.svg) and report.html.
    private static func reportFiles(_ result: ValidatedModel, statistics: ParticleStatistics, mapName: String,
                                    provenance: Provenance) -> [(path: String, bytes: [UInt8])] {
        let figures = RunReport.figures(result, statistics: statistics)
        var files: [(path: String, bytes: [UInt8])] = figures.map { ("plots/\($0.name).svg", Array($0.canvas.document.utf8)) }
        files.append(("report.html", Array(RunReport.html(result, statistics: statistics, mapName: mapName, figures: figures, provenance: provenance).utf8)))
        return files
    }
}
