// Builds the MIME tree of a message: headers, content types, transfer decoding, multipart and embedded messages.

struct EntityParser {
    /// Parts nested deeper than this are kept as bytes, so hostile nesting cannot exhaust the stack.
    static let maximumDepth = 40

    private(set) var issues: [MailParseIssue] = []

    /// Parses a whole message whose header section is `section`.
    mutating func message(_ bytes: ArraySlice<UInt8>, section: HeaderSection, depth: Int) -> ParsedMessage {
        let firstIssue = issues.count
        issues += section.issues
        let root = entity(section: section, body: bytes[section.bodyStart...], defaultType: .defaultText, depth: depth)
        return ParsedMessage(root: root, issues: Array(issues[firstIssue...]))
    }

    /// Parses one part: its header section, then its body.
    private mutating func part(_ bytes: ArraySlice<UInt8>, defaultType: ContentType, depth: Int) -> MIMEPart {
        let section = HeaderSection(bytes)
        issues += section.issues.filter { $0.code != .missingHeaderSeparator }  // a part may well have no headers
        return entity(section: section, body: bytes[section.bodyStart...], defaultType: defaultType, depth: depth)
    }

    private mutating func entity(
        section: HeaderSection, body: ArraySlice<UInt8>, defaultType: ContentType, depth: Int
    ) -> MIMEPart {
        let headers = section.headers
        let contentType = headers.all("Content-Type").lazy.compactMap { ContentType(headerValue: $0.rawValue) }.first
        let disposition = headers.first("Content-Disposition").map { ContentDisposition(headerValue: $0.rawValue) }
        let encoding = TransferEncoding(headerValue: headers.first("Content-Transfer-Encoding")?.rawValue)
        if case .other(let name) = encoding {
            issues.append(
                MailParseIssue(
                    .unknownTransferEncoding, "unknown Content-Transfer-Encoding \"\(name)\"; body kept as is"))
        }
        var type = contentType ?? defaultType

        func leaf(_ bytes: [UInt8]) -> MIMEPart {
            MIMEPart(
                headers: headers, contentType: type, contentDisposition: disposition, transferEncoding: encoding,
                body: .single(bytes))
        }

        if depth >= Self.maximumDepth, type.isMultipart || type.isEmbeddedMessage {
            issues.append(
                MailParseIssue(.nestingTooDeep, "parts nested more than \(Self.maximumDepth) deep kept as bytes"))
            return leaf(Array(body))
        }
        if type.isMultipart {
            if let split = multipartSplit(type: type, encoding: encoding, body: body) {
                let childDefault: ContentType = type.subtype == "digest" ? .defaultDigestPart : .defaultText
                let parts = split.parts.map { part($0, defaultType: childDefault, depth: depth + 1) }
                return MIMEPart(
                    headers: headers, contentType: type, contentDisposition: disposition, transferEncoding: encoding,
                    body: .multipart(parts: parts, preamble: Array(split.preamble), epilogue: Array(split.epilogue)))
            }
            // No usable boundary: keep the body readable as one text part.
            type = ContentType(type: "text", subtype: "plain", parameters: type.charset.map { ["charset": $0] } ?? [:])
            return leaf(encoding.decode(body))
        }
        let decoded = encoding.decode(body)
        if type.isEmbeddedMessage {
            let nested = HeaderSection(decoded[...], skipMboxEnvelope: true, skipLeadingBlankLines: true)
            guard !nested.headers.isEmpty || nested.startedWithBlankLine else {
                issues.append(
                    MailParseIssue(
                        .unparsableEmbeddedMessage, "\(type.mimeType) part holds no header fields; kept as bytes"))
                return leaf(decoded)
            }
            let message = message(decoded[...], section: nested, depth: depth + 1)
            return MIMEPart(
                headers: headers, contentType: type, contentDisposition: disposition, transferEncoding: encoding,
                body: .message(message, raw: decoded))
        }
        if type.type == "text", let label = type.charset, !Charset.isRecognized(label), !ASCII.trimmed(label).isEmpty {
            issues.append(MailParseIssue(.unknownCharset, "unknown charset \"\(label)\"; text read as UTF-8, lossily"))
        }
        return leaf(decoded)
    }

    /// Splits a multipart body; tolerates a missing boundary parameter (guessed from the body), a missing
    /// closing delimiter, and a multipart wrongly sent in base64 or quoted-printable.
    private mutating func multipartSplit(
        type: ContentType, encoding: TransferEncoding, body: ArraySlice<UInt8>
    ) -> MultipartSplit? {
        var boundary = type.boundary.flatMap { $0.isEmpty ? nil : $0 }
        if boundary == nil {
            issues.append(MailParseIssue(.missingBoundaryParameter, "\(type.mimeType) without a boundary parameter"))
            boundary = MultipartSplit.guessBoundary(body)
        }
        guard let boundary else { return nil }
        if let split = MultipartSplit(body, boundary: boundary) {
            if !split.closed {
                issues.append(MailParseIssue(.missingFinalBoundary, "\(type.mimeType) ends without --\(boundary)--"))
            }
            return split
        }
        if encoding == .base64 || encoding == .quotedPrintable {
            let decoded = encoding.decode(body)
            if let split = MultipartSplit(decoded[...], boundary: boundary) { return split }
        }
        issues.append(MailParseIssue(.boundaryNotFound, "boundary \"\(boundary)\" never occurs; body kept as text"))
        return nil
    }
}
