// Splits a multipart body at its boundary delimiter lines (RFC 2046 §5.1.1).

struct MultipartSplit {
    var preamble: ArraySlice<UInt8>
    var parts: [ArraySlice<UInt8>]
    var epilogue: ArraySlice<UInt8>
    /// Whether the closing delimiter (`--boundary--`) was found.
    var closed: Bool

    /// Splits `body` at lines that are `--boundary` (or `--boundary--`), ignoring trailing blanks; nil when no
    /// delimiter line occurs. The line break before a delimiter belongs to the delimiter. Without a closing
    /// delimiter the last part runs to the end.
    init?(_ body: ArraySlice<UInt8>, boundary: String) {
        let marker = [ASCII.hyphen, ASCII.hyphen] + Array(boundary.utf8)
        var delimiters: [(lineStart: Int, next: Int, isClose: Bool)] = []
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let (contentEnd, next) = HeaderSection.endOfLine(body, from: lineStart)
            if let isClose = Self.delimiter(body[lineStart..<contentEnd], marker: marker) {
                delimiters.append((lineStart, next, isClose))
                if isClose { break }
            }
            lineStart = next
        }
        guard let first = delimiters.first else { return nil }
        preamble = body[body.startIndex..<Self.trimmingLineBreak(body, before: first.lineStart)]
        parts = []
        for (position, delimiter) in delimiters.enumerated() where !delimiter.isClose {
            let end =
                position + 1 < delimiters.count
                ? Self.trimmingLineBreak(body, before: delimiters[position + 1].lineStart) : body.endIndex
            parts.append(body[delimiter.next..<max(delimiter.next, end)])
        }
        if let last = delimiters.last, last.isClose {
            closed = true
            epilogue = body[last.next...]
        } else {
            closed = false
            epilogue = body[body.endIndex...]
        }
    }

    /// Whether `line` is a delimiter: nil if not, else whether it is the closing one.
    private static func delimiter(_ line: ArraySlice<UInt8>, marker: [UInt8]) -> Bool? {
        guard line.count >= marker.count, line.starts(with: marker) else { return nil }
        var rest = line.dropFirst(marker.count)
        var isClose = false
        if rest.starts(with: [ASCII.hyphen, ASCII.hyphen]) {
            isClose = true
            rest = rest.dropFirst(2)
        }
        return rest.allSatisfy(ASCII.isWhitespace) ? isClose : nil
    }

    private static func trimmingLineBreak(_ body: ArraySlice<UInt8>, before index: Int) -> Int {
        var end = index
        if end > body.startIndex, body[end - 1] == ASCII.lineFeed { end -= 1 }
        if end > body.startIndex, body[end - 1] == ASCII.carriageReturn { end -= 1 }
        return end
    }

    /// A boundary guessed from the first `--token` line, for multiparts that forgot the parameter.
    static func guessBoundary(_ body: ArraySlice<UInt8>) -> String? {
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let (contentEnd, next) = HeaderSection.endOfLine(body, from: lineStart)
            let line = body[lineStart..<contentEnd]
            if line.count > 2, line.starts(with: [ASCII.hyphen, ASCII.hyphen]) {
                var token = line.dropFirst(2)
                while let last = token.last, ASCII.isWhitespace(last) { token = token.dropLast() }
                if !token.isEmpty, !token.contains(where: ASCII.isBlank) {
                    return String(decoding: token, as: UTF8.self)
                }
            }
            lineStart = next
        }
        return nil
    }
}
