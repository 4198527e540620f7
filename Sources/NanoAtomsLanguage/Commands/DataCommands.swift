import Foundation
import NanoAtomsEngine

// Aggregates and list tools for analyses the pipeline does not fix: the mean Uiso of the
// core, the number of surface atoms, the ten widest atoms.

/// The numbers of a list (true and false count as 1 and 0), the count of nan among them, or an error naming the command.
private func numbers(_ v: Value, _ command: String) throws(LanguageError) -> (values: [Double], missing: Int) {
    guard case .list(let items) = v else {
        throw LanguageError("\(command): needs a list of numbers (a column such as tab.uiso), not \(Operators.article(v))")
    }
    var out: [Double] = []
    out.reserveCapacity(items.count)
    var missing = 0
    for i in items {
        let x: Double
        switch i {
        case .number(let v): x = v
        case .bool(let b): x = b ? 1 : 0          // sum (cn == 12) counts, mean gives the fraction
        default: throw LanguageError("\(command): needs a list of numbers, but it holds \(Operators.article(i))")
        }
        if x.isNaN { missing += 1 } else { out.append(x) }
    }
    return (out, missing)
}

/// An aggregate over a list's numbers, nan values (not measured) left out; nan when none is left.
private func aggregate(_ name: String, summary: String, teaching: String, example: String,
                       _ f: @escaping @Sendable ([Double]) -> Double) -> CommandDeclaration {
    CommandDeclaration(
        name: name,
        parameters: [.required("values", [.list], "a list of numbers, e.g. a column: tab.uiso")],
        returns: .number,
        summary: summary,
        teaching: teaching + " Values that are nan (not measured for that atom) are left out; with none left the result is nan.",
        example: example,
        run: { args, _ in
            let (v, _) = try numbers(args["values"], name)
            return .number(v.isEmpty ? .nan : f(v))
        })
}

let meanCommand = aggregate("mean", summary: "the mean of a list of numbers",
                            teaching: "mean averages a list, such as a column of a table or of a selection: mean (tab where cn == 12).uiso is the core atoms' mean Uiso.",
                            example: "mean (tab where cn < 9).uiso") { $0.reduce(0, +) / Double($0.count) }
let medianCommand = aggregate("median", summary: "the median of a list of numbers",
                              teaching: "median gives the middle value of a list (the mean of the two middle ones for an even count), robust to a few extreme atoms.",
                              example: "median tab.nn_bond_median") { median($0) }
let sdCommand = aggregate("sd", summary: "the standard deviation of a list of numbers (n − 1)",
                          teaching: "sd gives the sample standard deviation, with n − 1 in the denominator (nan for fewer than two values).",
                          example: "sd tab.uiso") { v in
    guard v.count > 1 else { return .nan }
    let m = v.reduce(0, +) / Double(v.count)
    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
}
let minCommand = aggregate("min", summary: "the smallest of a list of numbers",
                           teaching: "min gives the smallest value of a list: min tab.radial_depth is the depth of the atom nearest the surface radius, min tab.nn_bond the shortest bond.", example: "min tab.radial_depth") { $0.min()! }
let maxCommand = aggregate("max", summary: "the largest of a list of numbers",
                           teaching: "max gives the largest value of a list: max tab.cn above 12 in an fcc particle points at a misplaced or doubled atom, max tab.uiso at the widest atom.", example: "max tab.cn") { $0.max()! }
let sumCommand = aggregate("sum", summary: "the sum of a list of numbers",
                           teaching: "sum adds a list's numbers; true counts as 1 and false as 0, so sum (tab.cn == 12) is the number of core atoms and mean (tab.cn == 12) their fraction.", example: "sum (tab.cn == 12)") { $0.reduce(0, +) }

let countCommand = CommandDeclaration(
    name: "count",
    parameters: [.required("values", [.list, .atoms, .table], "a list, atoms or a table")],
    returns: .number,
    summary: "how many: items of a list (true ones for a list of true/false), or atoms",
    teaching: "count gives the number of atoms of atoms or a table, the number of items of a list, and for a list of true/false (a comparison of a column) the number that are true: count (tab.cn < 9) is the number of atoms with CN below 9, the same as count (tab where cn < 9).",
    example: "count (tab where cn < 9)",
    run: { args, _ in
        switch args["values"] {
        case .atoms(let a): return .number(Double(a.atoms.count))
        case .table(let t): return .number(Double(t.atoms.count))
        case .list(let items):
            let bools = items.compactMap { v -> Bool? in if case .bool(let b) = v { return b }; return nil }
            if !items.isEmpty && bools.count == items.count { return .number(Double(bools.filter { $0 }.count)) }
            return .number(Double(items.count))
        default: throw LanguageError("count: needs a list, atoms or a table")
        }
    })

let sortCommand = CommandDeclaration(
    name: "sort",
    parameters: [.required("values", [.list, .atoms, .table], "a list of numbers or strings, atoms or a table"),
                 .option("by", [.string, .none], default: .none, "for atoms: the column to order them by"),
                 .option("descending", [.bool], default: .bool(false), "largest first")],
    returns: .any,
    summary: "a list in order, or atoms ordered by a column",
    teaching: "sort orders a list of numbers (nan last) or of strings; for atoms or a table's atoms it orders the atoms by the column given with by=, keeping each atom's row whole: head (sort tab by=uiso descending=true) n=10 are the ten widest atoms.",
    example: "widest = head (sort tab by=uiso descending=true) n=10",
    run: { args, _ in
        let descending = try args.bool("descending")
        func before(_ a: Double, _ b: Double) -> Bool {
            if a.isNaN { return false }
            if b.isNaN { return true }
            return descending ? a > b : a < b
        }
        switch args["values"] {
        case .list(let items):
            if items.allSatisfy({ if case .number = $0 { return true }; return false }) {
                let v = items.map { if case .number(let x) = $0 { return x }; return 0 }
                return .list(v.indices.sorted { before(v[$0], v[$1]) || (v[$0] == v[$1] && $0 < $1) }.map { .number(v[$0]) })
            }
            if items.allSatisfy({ if case .string = $0 { return true }; return false }) {
                let v = items.map { if case .string(let s) = $0 { return s }; return "" }
                return .list((descending ? v.sorted(by: >) : v.sorted()).map { .string($0) })
            }
            throw LanguageError("sort: a list of numbers or of strings, not of mixed values")
        case let v:
            guard let by = try args.string("by") else { throw LanguageError("sort: which column orders the atoms? e.g. sort tab by=uiso") }
            guard let atoms = Selection.atoms(of: v), case .list(let column)? = Selection.column(by, of: atoms) else {
                let names = Selection.atoms(of: v).map { Selection.columnNames(of: $0) } ?? []
                throw LanguageError("sort: no column '\(by)'\(suggestion(for: by, among: names))")
            }
            let keys = column.map { if case .number(let x) = $0 { return x }; return .nan }
            let order = keys.indices.sorted { before(keys[$0], keys[$1]) || (keys[$0] == keys[$1] && $0 < $1) }
            return try Selection.index(v, by: .list(order.map { .number(Double($0)) }), at: SourceLocation(line: 1, column: 1))
        }
    })

let headCommand = CommandDeclaration(
    name: "head",
    parameters: [.required("values", [.list, .atoms, .table], "a list, atoms or a table"),
                 .option("n", [.number], default: .number(10), "how many").within(0...1e9, whole: true)],
    returns: .any,
    summary: "the first n items of a list, or the first n atoms",
    teaching: "head keeps the first n (default 10) items of a list, or atoms of atoms or a table (as atoms, with the table's columns): the same as values[0:n].",
    example: "head (sort tab by=uiso descending=true) n=5",
    run: { args, _ in
        let n = try args.count("n") ?? 10
        return try Selection.slice(args["values"], from: nil, to: .number(Double(n)), at: SourceLocation(line: 1, column: 1))
    })

let columnsCommand = CommandDeclaration(
    name: "columns",
    parameters: [.required("values", [.atoms, .table], "atoms or a table")],
    returns: .list,
    summary: "the names of the columns of atoms or a table",
    teaching: "columns lists the names a 'where' condition, sort by= and .member can use: x, y, z, index and element for every atom, then each column (docs/statistics.md defines those of stats).",
    example: "columns tab",
    run: { args, _ in
        guard let atoms = Selection.atoms(of: args["values"]) else { throw LanguageError("columns: needs atoms or a table") }
        return .list(Selection.columnNames(of: atoms).map { .string($0) })
    })

let dataCommands = [countCommand, meanCommand, medianCommand, sdCommand, minCommand, maxCommand, sumCommand, sortCommand, headCommand, columnsCommand]
