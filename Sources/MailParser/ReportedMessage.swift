// Which message a report or bounce is about: the Message-ID of the original it returns or quotes.

extension ParsedMessage {
    /// The Message-IDs (without angle brackets) of the original message(s) a report is about, in order, without
    /// repeats: the Message-ID of each embedded `message/rfc822` (or `message/global`) part, of each
    /// `text/rfc822-headers` (or `message/global-headers`) part (RFC 3462 §3, RFC 6533), and, for bounces that quote
    /// the original as text, of each `Message-ID:` line in a text/plain part. Like the classifier, only the
    /// message's own structure is read; an embedded message's own parts are not.
    public var reportedMessageIds: [String] {
        var ids: [String] = []
        func add(_ found: [String]) {
            for id in found where !ids.contains(id) { ids.append(id) }
        }
        for part in root.allParts {
            switch (part.body, part.contentType.mimeType) {
            case (.message(let embedded, _), _):
                add(embedded.messageId.map { [$0] } ?? [])
            case (.single(let bytes), "text/rfc822-headers"), (.single(let bytes), "message/global-headers"),
                (.single(let bytes), "message/rfc822"), (.single(let bytes), "message/global"):
                add(Self.quotedMessageIds(bytes))
            case (.single(let bytes), "text/plain"):
                add(Self.quotedMessageIds(bytes))
            default:
                break
            }
        }
        return ids
    }

    /// The ids on every line of `bytes` that reads `Message-ID: <…>` (any case, after blanks or `>` quoting).
    static func quotedMessageIds(_ bytes: [UInt8]) -> [String] {
        let marker = Array("message-id:".utf8)
        var ids: [String] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let (contentEnd, next) = HeaderSection.endOfLine(bytes[...], from: start)
            var index = start
            while index < contentEnd, ASCII.isBlank(bytes[index]) || bytes[index] == UInt8(ascii: ">") { index += 1 }
            if contentEnd - index > marker.count,
                bytes[index..<(index + marker.count)].map(ASCII.lowercased).elementsEqual(marker)
            {
                let value = String(decoding: bytes[(index + marker.count)..<contentEnd], as: UTF8.self)
                ids += MessageIDs.parse(value).filter { !$0.isEmpty }
            }
            start = next
        }
        return ids
    }
}
