/// A whole run, as `nanoatoms run` makes it: the validated model and its statistics, and the
/// one path that writes a run's files. `run`, `demo`, the benchmark and the language's
/// `export` of a built model all use it, so their files cannot differ.
public struct ParticleRun: Sendable {
    /// The validated model.
    public let model: ValidatedModel
    /// Its statistics (``computeStatistics(of:options:cancellation:)``).
    public let statistics: ParticleStatistics

    /// Builds the model from `map` (``buildModel(from:options:cancellation:)``), compares it
    /// with two half maps when they are given and the model is refined
    /// (``compareHalfMaps(_:halves:cancellation:)``; check their grids first with
    /// ``checkHalfMaps(_:_:names:)``), and computes its statistics with the same threads.
    public init(map: consuming Volume, options: ModelBuildingOptions, halves: (Volume, Volume)? = nil,
                cancellation: Cancellation? = nil) throws(Interrupted) {
        var model = try buildModel(from: consume map, options: options, cancellation: cancellation, keepingIntermediateMaps: false)
        if let halves { model = try compareHalfMaps(model, halves: halves, cancellation: cancellation) }
        try self.init(model: model, cancellation: cancellation)
    }

    /// The statistics of a model already built, with its threads.
    public init(model: ValidatedModel, cancellation: Cancellation? = nil) throws(Interrupted) {
        var so = StatisticsOptions()
        so.threads = model.options.threads
        self.model = model
        statistics = try computeStatistics(of: model, options: so, cancellation: cancellation)
    }

    /// Time per step: model building's, then the statistics'.
    public var timings: StepTimings {
        var t = model.timings
        t.append(statistics.timings)
        return t
    }

    /// Every flag of the run, model building's first (``runFlags(_:_:)``).
    public var flags: [QualityFlag] { runFlags(model, statistics) }

    /// The files a run writes, relative to its folder.
    public static var fileNames: Set<String> { RunOutputs.fileNames }

    /// Writes `model.cif`, `model.pdb` (when the coordinates fit its columns), `atoms.csv`,
    /// `summary.json`, `report.html` and `plots/*.svg` into `directory` as one unit: a failure at
    /// any file, or a kill, leaves the folder as it was. `mapName` names the map in the files.
    /// `provenance` says what made it (the version and command line of this process by default).
    public func write(to directory: String, mapName: String, provenance: Provenance = Provenance()) throws {
        var ignored = StepTimings()
        try write(to: directory, mapName: mapName, provenance: provenance, timings: &ignored)
    }

    /// ``write(to:mapName:)`` that records in `timings` the time spent making the model files and
    /// the summary and writing the folder (`export`), and making the figures and the report
    /// (`report`): the benchmark's hook.
    public func write(to directory: String, mapName: String, provenance: Provenance = Provenance(), timings: inout StepTimings) throws {
        try RunOutputs.write(model, statistics: statistics, mapName: mapName, to: directory, provenance: provenance, timings: &timings)
    }

    /// ``write(to:mapName:)`` with `extraFiles` in the same set, into a folder that may hold
    /// `allowed`: a study task's folder, whose `task.json` says what made it.
    package func write(to directory: String, mapName: String, provenance: Provenance, extraFiles: [(path: String, bytes: [UInt8])],
                       allowed: Set<String>) throws {
        var ignored = StepTimings()
        try RunOutputs.write(model, statistics: statistics, mapName: mapName, to: directory, provenance: provenance, extraFiles: extraFiles,
                             allowed: allowed, timings: &ignored)
    }
}
