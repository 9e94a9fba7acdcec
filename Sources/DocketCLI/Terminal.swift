import DocketClient
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to the terminal: results to stdout, errors and progress to stderr.
enum Terminal {
    /// Whether stderr is a terminal: progress lines are shown only then.
    /// Never inside the server (the client's terminal is not the server's).
    static var stderrIsTerminal: Bool { ServedInvocation.current == nil && isatty(STDERR_FILENO) == 1 }

    /// Writes `text` to stdout (inside the server: to the client's stdout, whose client does the same). On a terminal
    /// its control characters are shown, not obeyed (`TerminalText`): Docket prints text from outside (mail, alerts);
    /// a pipe or a file gets the text as it is.
    static func out(_ text: String) {
        if let served = ServedInvocation.current { return served.writeOut(Data(text.utf8)) }
        FileHandle.standardOutput.write(Data(TerminalText.forDescriptor(STDOUT_FILENO, Array(text.utf8))))
    }

    /// Writes bytes to stdout (inside the server: to the client's stdout).
    static func outData(_ data: Data) {
        if let served = ServedInvocation.current { return served.writeOut(data) }
        FileHandle.standardOutput.write(data)
    }

    /// Writes a line to stderr (inside the server: to the client's stderr, whose client does the same). On a terminal
    /// its control characters are shown, not obeyed, as on stdout: an error may quote text from outside (a stream name
    /// in an imported file, a field of an alert).
    static func error(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        if let served = ServedInvocation.current { return served.writeError(Data(bytes)) }
        FileHandle.standardError.write(Data(TerminalText.forDescriptor(STDERR_FILENO, bytes)))
    }

    /// Up to `limit` bytes of stdin (inside the server: what the client sent).
    static func standardInput(upTo limit: Int = .max) -> Data {
        if let served = ServedInvocation.current { return served.stdin.prefix(limit) }
        return limit == .max ? FileHandle.standardInput.readDataToEndOfFile() : FileHandle.standardInput.readData(ofLength: limit)
    }

    /// Rewrites the progress line on stderr (only on a terminal): position reached of total, percent, events per
    /// second and the time left at that rate, measured from the first call with this label.
    static func progress(_ label: String, _ done: UInt64, _ total: UInt64) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(ProgressLine.shared.line(label, done, total, now: .now).utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Formats rows as a left-aligned table with a header, one line a row: a line break or tab in a cell (a subject
    /// from an old mail, a multi-line note) shows as a space.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(oneLine) }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let isLast = i == cells.count - 1
                out += isLast ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            return out + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    /// `cell` with each line break (CR, LF, CRLF, NEL, U+2028, U+2029) and tab replaced by a space.
    static func oneLine(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: breaksLine) else { return cell }
        var line = ""
        for character in cell { line.append(character.unicodeScalars.contains(where: breaksLine) ? " " : character) }
        return line
    }

    private static func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\n", "\r", "\t", "\u{85}", "\u{2028}", "\u{2029}": return true
        default: return false
        }
    }
}

/// The text of a progress line, with the rate since the label's first line.
final class ProgressLine: @unchecked Sendable {
    // @unchecked Sendable: `start` is only touched while holding `lock`.
    static let shared = ProgressLine()
    private let lock = NSLock()
    private var start: (label: String, at: ContinuousClock.Instant, done: UInt64)?

    /// `\rLABEL: DONE/TOTAL (P%), R events/s, ETA Ns` (rate and ETA once time has passed since the first line).
    func line(_ label: String, _ done: UInt64, _ total: UInt64, now: ContinuousClock.Instant) -> String {
        let first = lock.withLock { () -> (label: String, at: ContinuousClock.Instant, done: UInt64) in
            if let start, start.label == label { return start }
            start = (label, now, done)
            return (label, now, done)
        }
        let percent = total == 0 ? 100 : Int(done * 100 / total)
        var text = "\r\(label): \(done)/\(total) (\(percent)%)"
        let elapsed = first.at.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds > 0.05, done > first.done {
            let rate = Double(done - first.done) / seconds
            text += ", \(Int(rate)) events/s"
            if done < total { text += ", ETA \(Int((Double(total - done) / rate).rounded(.up)))s" }
        }
        return text + "\u{1B}[K"
    }
}
