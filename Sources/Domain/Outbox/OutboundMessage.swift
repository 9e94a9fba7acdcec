import DocketTime
import Foundation

/// One recipient: an address and its display name, if known.
public struct Mailbox: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(address: String, name: String?) {
        self.address = address
        self.name = name
    }
}

/// A plain-text email Docket writes to a client, rendered as a complete RFC 5322 message
/// (CRLF line ends, quoted-printable UTF-8 body, RFC 2047 Subject and display names when not ASCII).
public struct OutboundMessage: Sendable, Equatable {
    public var from: String
    /// The recipient's address, and display name if known.
    public var to: String
    public var toName: String?
    /// Further recipients, as Cc: the ticket's mail thread, the requesters of tickets merged into it.
    public var cc: [Mailbox]
    public var subject: String
    public var date: Timestamp
    /// Without angle brackets.
    public var messageId: String
    /// The message this answers (without angle brackets).
    public var inReplyTo: String?
    /// The thread before this message, oldest first, without angle brackets (``referencesChain(parentReferences:parent:)``);
    /// empty: `inReplyTo` alone.
    public var references: [String]
    /// `Auto-Submitted` (RFC 3834) for messages no person wrote, so that vacation responders stay quiet: `auto-replied`
    /// when the message answers one (``inReplyTo``), else `auto-generated`.
    public var isAutomatic: Bool
    /// The ticket, as `X-Docket-Ticket` (empty: no such header, e.g. a portal sign-in link).
    public var ticket: String
    public var body: String

    public init(
        from: String, to: String, toName: String?, subject: String, date: Timestamp, messageId: String, inReplyTo: String?,
        isAutomatic: Bool, ticket: String, body: String, references: [String] = [], cc: [Mailbox] = []
    ) {
        self.from = from
        self.to = to
        self.toName = toName
        self.subject = subject
        self.date = date
        self.messageId = messageId
        self.inReplyTo = inReplyTo
        self.references = references
        self.cc = cc
        self.isAutomatic = isAutomatic
        self.ticket = ticket
        self.body = body
    }

    /// The whole message: headers, a blank line, the encoded body; every line ends in CRLF.
    public var rendered: String {
        var headers = [
            "From: \(from)",
            "To: \(OutboundMessage.mailbox(name: toName, address: to))",
        ]
        if !cc.isEmpty { headers.append("Cc: " + cc.map { OutboundMessage.mailbox(name: $0.name, address: $0.address) }.joined(separator: ",\r\n ")) }
        headers += [
            "Subject: \(OutboundMessage.headerText(subject, nameLength: "Subject: ".count))",
            "Date: \(OutboundMessage.rfc5322Date(date))",
            "Message-ID: <\(messageId)>",
        ]
        if let inReplyTo {
            headers.append("In-Reply-To: <\(inReplyTo)>")
            let chain = references.isEmpty ? [inReplyTo] : references
            headers.append("References: " + chain.map { "<\($0)>" }.joined(separator: "\r\n "))
        }
        // RFC 3834 section 5: an automatic answer to a message is auto-replied; a notice that answers none (an SLA
        // warning, a sign-in link, an acknowledgement of a phoned-in ticket) is auto-generated.
        if isAutomatic { headers.append("Auto-Submitted: " + (inReplyTo == nil ? "auto-generated" : "auto-replied")) }
        if !ticket.isEmpty { headers.append("X-Docket-Ticket: \(ticket)") }
        headers += [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + OutboundMessage.quotedPrintable(body)
    }

    /// How many Message-IDs a References field keeps at most: the thread's first and its last ones.
    public static let maxReferences = 10

    /// A reply's References (RFC 5322 §3.6.4): the parent's References (or else its In-Reply-To) followed by the
    /// parent's Message-ID, duplicates left out; when longer than ``maxReferences``, the first (the thread's root)
    /// and the last ones, as common mail programs trim it.
    public static func referencesChain(parentReferences: [String], parent: String) -> [String] {
        var chain: [String] = []
        for id in parentReferences + [parent] where !id.isEmpty && !chain.contains(id) { chain.append(id) }
        return trimmedThread(chain)
    }

    /// `ids` when at most ``maxReferences``, else the first and the last ones, ``maxReferences`` in all.
    public static func trimmedThread(_ ids: [String]) -> [String] {
        guard ids.count > maxReferences, let root = ids.first else { return ids }
        return [root] + ids.suffix(maxReferences - 1)
    }

    // MARK: - Encoding

    /// `Sun, 29 Nov 2026 03:11:35 +0000` (always UTC).
    static func rfc5322Date(_ time: Timestamp) -> String {
        let millis = time.millisecondsSinceEpoch
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = CivilCalendar.date(fromDaysSinceEpoch: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(day) \(months[month - 1]) \(year) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }

    /// `Name <address>`: the name as an atom phrase, a quoted string, or RFC 2047 encoded-words (folded, one per line,
    /// so that no header line grows past 78 characters however long the name); the address alone without a name.
    public static func mailbox(name: String?, address: String) -> String {
        guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return address }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        let phrase: String
        if name.count <= 60, name.allSatisfy({ atext.contains($0) }) {
            phrase = name
        } else if name.count <= 60, name.allSatisfy({ $0.isASCII && !$0.isNewline }) {
            phrase = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        } else {
            phrase = encodedWords(name).joined(separator: "\r\n ")
        }
        return "\(phrase) <\(address)>"
    }

    /// Unstructured header text: as is (folded at spaces, runs of spaces made one, so no folded line is only white
    /// space) when ASCII, else — or when it holds `=?`, which a mail program would read as an encoded-word (RFC 2047
    /// §5) and show as other text — RFC 2047 `B` encoded-words, folded.
    static func headerText(_ text: String, nameLength: Int) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.allSatisfy(\.isASCII), !flat.contains("=?") {
            var lines: [String] = []
            var line: String?
            var room = 78 - nameLength
            for word in flat.split(separator: " ") {
                guard let current = line else {
                    line = String(word)
                    continue
                }
                if !current.isEmpty, current.count + 1 + word.count > room {
                    lines.append(current)
                    line = String(word)
                    room = 77
                } else {
                    line = current + " " + word
                }
            }
            lines.append(line ?? "")
            return lines.joined(separator: "\r\n ")
        }
        return encodedWords(flat).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words of at most 64 characters (room for `Subject: ` before one), never splitting a character.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }

    /// RFC 2045 quoted-printable of `text` as UTF-8: lines of at most 76 characters, CRLF line ends, soft breaks.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            let bytes = Array(line.utf8)
            var length = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let token: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                // Keep room for the soft break's `=`, unless this token ends the line.
                if length + token.count > (isLast ? 76 : 75) {
                    output += Array("=\r\n".utf8)
                    length = 0
                }
                output += token
                length += token.count
            }
            output += [13, 10]
        }
        return String(decoding: output, as: UTF8.self)
    }
}
