import ArgumentParser

/// What a CSV column holds, which decides how its cells are written (``CSVWriter``).
enum CSVColumnKind: Sendable {
    /// Words someone typed or a mail brought (a name, an address, a reason, a category, a description): a cell a
    /// spreadsheet would run as a formula is neutralised.
    case text
    /// A number, an amount, minutes, a percentage, a date or a time: written as it is, so `-12.50` stays a number.
    case number
}

/// One column of a CSV document: its header and what its cells hold.
struct CSVColumn: Sendable, Equatable {
    let name: String
    let kind: CSVColumnKind

    /// A column of text cells.
    static func text(_ name: String) -> CSVColumn { CSVColumn(name: name, kind: .text) }
    /// A column of numbers, amounts, minutes, dates or times.
    static func number(_ name: String) -> CSVColumn { CSVColumn(name: name, kind: .number) }
}

/// The CLI's one CSV writer (`invoice export`, `report … --format csv`): a header and one line per row, each field
/// quoted when it holds a comma, a quote or a line break (RFC 4180), and a text cell that a spreadsheet would take for
/// a formula — one that begins with `=`, `+`, `-`, `@`, a tab or a carriage return, such as a mailed ticket's
/// `=HYPERLINK("http://evil","click")` — given a leading `'` (OWASP's CSV injection guidance), unless the caller asks
/// for the raw text (`--raw-text`, for programs that import it). Cells of number columns are never changed.
struct CSVWriter: Sendable {
    /// The characters that make a spreadsheet read a cell as a formula when they begin it.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Whether text cells are written as they are (`--raw-text`), formulas and all.
    var rawText = false

    /// The document: `columns`' names, then `rows` (each cell in its column's kind).
    func document(_ columns: [CSVColumn], _ rows: [[String]]) -> String {
        let header = columns.map { Self.field($0.name) }.joined(separator: ",")
        let lines = rows.map { row in
            zip(columns, row).map { column, cell in Self.field(column.kind == .text && !rawText ? Self.neutralized(cell) : cell) }
                .joined(separator: ",")
        }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    /// `text` with a leading `'` when it begins as a formula would, else as it is.
    static func neutralized(_ text: String) -> String {
        // The first scalar, not Character: "\r\n" is one Character, which is not "\r".
        guard let first = text.unicodeScalars.first, formulaStarts.contains(first) else { return text }
        return "'" + text
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func field(_ text: String) -> String {
        // Unicode scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `--raw-text`, for every command that writes CSV.
struct CSVTextOptions: ParsableArguments {
    @Flag(
        help: """
            In CSV, write text cells as they are, even one that begins with =, +, -, @, a tab or a carriage return (by \
            default given a leading ' so that a spreadsheet does not run it as a formula); for programs that import the \
            raw text.
            """)
    var rawText = false

    /// The writer these options ask for.
    var writer: CSVWriter { CSVWriter(rawText: rawText) }

    /// Refuses `--raw-text` for output that is not CSV (bad usage), where it would change nothing.
    func requireCSV(_ isCSV: Bool, format: String) throws {
        if rawText, !isCSV { throw ValidationError("--raw-text changes CSV only, not \(format); drop it, or ask for --format csv") }
    }
}
