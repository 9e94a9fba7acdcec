import Foundation

/// The facts this suite compares from one of stalwart mail-parser's expected outputs (`NNN.json` beside `NNN.eml`).
///
/// The JSON is that parser's whole message tree: `parts[0]` is the message, headers carry typed values, bodies
/// are `Text`, `Html`, `Binary`, `InlineBinary`, `Message` or `Multipart`, and `text_body`/`attachments` list
/// part indexes.
struct StalwartExpectation {
    /// The Subject text, when the message has a Subject field.
    var subject: String?
    /// Whether a From field is present, and the address of its first mailbox (nil when it has only a name).
    var from: (present: Bool, address: String?)
    /// The Message-ID, when present.
    var messageId: String?
    /// The first part of `text_body`: its text and whether it is an HTML part (which stalwart converts).
    var textBody: (text: String, isHTML: Bool)?
    /// Attachments that have a name, with their size when the JSON holds their bytes.
    var namedAttachments: [(name: String, size: Int?)]

    init(jsonAt url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let parts = root["parts"] as? [[String: Any]], let message = parts.first
        else { throw ExpectationError(description: "\(url.lastPathComponent) is not a stalwart message") }
        let headers = message["headers"] as? [[String: Any]] ?? []

        func header(_ name: String) -> Any? {
            headers.last { ($0["name"] as? String) == name }?["value"]
        }
        func text(_ value: Any?) -> String? {
            if let object = value as? [String: Any] {
                if let text = object["Text"] as? String { return text }
                if let list = object["TextList"] as? [String] { return list.first }
            }
            if let empty = value as? String, empty == "Empty" { return "" }
            return nil
        }
        subject = text(header("subject"))
        messageId = text(header("message_id"))
        if let fromValue = header("from") {
            from = (true, Self.firstAddress(fromValue))
        } else {
            from = (false, nil)
        }
        if let textIndexes = root["text_body"] as? [Int], let first = textIndexes.first, first < parts.count,
            let body = parts[first]["body"] as? [String: Any]
        {
            if let plain = body["Text"] as? String {
                textBody = (plain, false)
            } else if let html = body["Html"] as? String {
                textBody = (html, true)
            }
        }
        namedAttachments = []
        for index in root["attachments"] as? [Int] ?? [] where index < parts.count {
            let part = parts[index]
            guard let name = Self.attachmentName(part) else { continue }
            var size: Int?
            if let body = part["body"] as? [String: Any] {
                size = (body["Binary"] as? [Any])?.count ?? (body["InlineBinary"] as? [Any])?.count
            }
            namedAttachments.append((name, size))
        }
    }

    private static func firstAddress(_ value: Any) -> String? {
        guard let object = value as? [String: Any], let address = object["Address"] as? [String: Any] else {
            return nil
        }
        if let list = address["List"] as? [[String: Any]] { return list.first?["address"] as? String }
        if let groups = address["Group"] as? [[String: Any]] {
            for group in groups {
                if let first = (group["addresses"] as? [[String: Any]])?.first { return first["address"] as? String }
            }
        }
        return nil
    }

    private static func attachmentName(_ part: [String: Any]) -> String? {
        let headers = part["headers"] as? [[String: Any]] ?? []
        func attribute(_ header: String, _ name: String) -> String? {
            for field in headers where (field["name"] as? String) == header {
                guard let value = field["value"] as? [String: Any], let type = value["ContentType"] as? [String: Any],
                    let attributes = type["attributes"] as? [[String: Any]]
                else { continue }
                if let found = attributes.first(where: { ($0["name"] as? String) == name })?["value"] as? String {
                    return found
                }
            }
            return nil
        }
        return attribute("content_disposition", "filename") ?? attribute("content_type", "name")
    }
}

struct ExpectationError: Error, CustomStringConvertible {
    var description: String
}
