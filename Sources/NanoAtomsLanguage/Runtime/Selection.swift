import NanoAtomsEngine

/// Picking parts of values: `list[i]`, `tab[12]` (one atom's row), `atoms[0:10]`,
/// `list[mask]` and `atoms where condition`. A selection of atoms or of a table's rows is
/// atoms: their columns, and the map they were measured in, so `stats`, `plot`, `export`
/// and `compare` work on it.
enum Selection {
    /// The atoms whose columns a `where` condition sees: those of atoms or of a table.
    static func atoms(of v: Value) -> AtomSet? {
        switch v {
        case .atoms(let a): return a.atoms
        case .table(let t): return t.atoms
        default: return nil
        }
    }

    /// The names a `where` condition may use.
    static func columnNames(of atoms: AtomSet) -> [String] { ["x", "y", "z", "index", "element"] + atoms.columnNames }

    /// Column `name` of `atoms` as a list: x, y, z, index (from 0), element (symbols) or a
    /// named column; nil when there is none.
    static func column(_ name: String, of atoms: AtomSet) -> Value? {
        switch name {
        case "x": return .list(atoms.positions.map { .number($0.x) })
        case "y": return .list(atoms.positions.map { .number($0.y) })
        case "z": return .list(atoms.positions.map { .number($0.z) })
        case "index": return .list(atoms.positions.indices.map { .number(Double($0)) })
        case "element": return .list(atoms.elements.map { .string($0.symbol) })
        default: return atoms[column: name].map { .list($0.map { .number($0) }) }
        }
    }

    /// The atoms of `v` at `indices` (a table's become atoms with the table's columns).
    private static func pick(_ v: Value, _ indices: [Int]) -> Value {
        switch v {
        case .list(let l): return .list(indices.map { l[$0] })
        case .atoms(let a): return .atoms(a.subset(indices, source: "a selection of " + a.source))
        case .table(let t):
            return .atoms(AtomsValue(atoms: t.atoms, source: "the table", evidence: t.map).subset(indices, source: "a selection of the table's atoms"))
        default: return v
        }
    }

    /// How many items or atoms `v` has, nil when it has none to pick from.
    private static func length(_ v: Value) -> Int? {
        switch v {
        case .list(let l): return l.count
        case .atoms(let a): return a.atoms.count
        case .table(let t): return t.atoms.count
        default: return nil
        }
    }

    /// `base where keep`: `keep` is true or false for each atom (or one value for all).
    static func select(_ base: Value, where keep: Value, at: SourceLocation) throws(LanguageError) -> Value {
        let n = length(base) ?? 0
        switch keep {
        case .bool(let b): return pick(base, b ? Array(0..<n) : [])
        case .list(let flags):
            guard flags.count == n else {
                throw LanguageError("the condition gives \(flags.count) values for \(n) atoms", at: at)
            }
            var indices: [Int] = []
            for (i, f) in flags.enumerated() {
                guard case .bool(let b) = f else {
                    throw LanguageError("the condition must be true or false for each atom, not \(Operators.article(f)) (compare it, e.g. cn < 9)", at: at)
                }
                if b { indices.append(i) }
            }
            return pick(base, indices)
        default:
            throw LanguageError("the condition must be true or false for each atom, not \(Operators.article(keep)) (compare a column, e.g. cn < 9)", at: at)
        }
    }

    /// A whole-number position in 0..<n (negative counts from the end), or an error.
    private static func position(_ v: Double, count n: Int, at: SourceLocation) throws(LanguageError) -> Int {
        guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
            throw LanguageError("an index must be a whole number, not \(formatNumber(v))", at: at)
        }
        let i = v < 0 ? Int(v) + n : Int(v)
        guard (0..<n).contains(i) else {
            throw LanguageError(n == 0 ? "index \(formatNumber(v)) is out of range: there are no items"
                                       : "index \(formatNumber(v)) is out of range: \(n) item\(n == 1 ? "" : "s"), 0 to \(n - 1) (or -1 for the last)", at: at)
        }
        return i
    }

    /// `base[i]`: an item, one atom's row (a record), or with a list of indices or of
    /// true/false those items or atoms.
    static func index(_ base: Value, by i: Value, at: SourceLocation) throws(LanguageError) -> Value {
        guard let n = length(base) else {
            throw LanguageError("cannot index \(Operators.article(base)): only lists, atoms and tables", at: at)
        }
        switch i {
        case .number(let v):
            let k = try position(v, count: n, at: at)
            switch base {
            case .list(let l): return l[k]
            case .atoms(let a): return row(a.atoms, k)
            case .table(let t): return row(t.atoms, k)
            default: break
            }
        case .list(let items):
            if items.allSatisfy({ if case .bool = $0 { return true }; return false }) && !items.isEmpty {
                return try select(base, where: i, at: at)
            }
            var picked: [Int] = []
            for item in items {
                guard case .number(let v) = item else {
                    throw LanguageError("indices must be whole numbers, or true/false for each item, not \(Operators.article(item))", at: at)
                }
                picked.append(try position(v, count: n, at: at))
            }
            return pick(base, picked)
        default: break
        }
        throw LanguageError("an index must be a whole number, a list of them, or true/false for each item; not \(Operators.article(i))", at: at)
    }

    /// `base[from:to]`: items from `from` up to, not including, `to` (Python's rule: ends
    /// beyond the list are clipped, negative ones count from the end).
    static func slice(_ base: Value, from: Value?, to: Value?, at: SourceLocation) throws(LanguageError) -> Value {
        guard let n = length(base) else {
            throw LanguageError("cannot slice \(Operators.article(base)): only lists, atoms and tables", at: at)
        }
        func bound(_ v: Value?, _ otherwise: Int) throws(LanguageError) -> Int {
            guard let v else { return otherwise }
            guard case .number(let x) = v, x.isFinite, x == x.rounded() else {
                throw LanguageError("a slice's ends must be whole numbers, not \(Operators.article(v))", at: at)
            }
            let k = x < 0 ? max(0, Double(n) + x) : min(Double(n), x)
            return Int(k)
        }
        let a = try bound(from, 0), b = try bound(to, n)
        return pick(base, a < b ? Array(a..<b) : [])
    }

    /// One atom's row: its index, position and every column.
    static func row(_ atoms: AtomSet, _ k: Int) -> Value {
        let p = atoms.positions[k]
        var fields: [(String, Value)] = [("index", .number(Double(k))), ("element", .string(atoms.elements[k].symbol)),
                                         ("x", .number(p.x)), ("y", .number(p.y)), ("z", .number(p.z))]
        for name in atoms.columnNames { fields.append((name, .number(atoms[column: name]![k]))) }
        return .record(RecordValue(title: "atom \(k)", fields: fields))
    }
}
