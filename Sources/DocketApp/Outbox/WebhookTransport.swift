import Foundation
import Hooks

/// What a notification channel's receiver answered one POST.
public enum WebhookAnswer: Sendable, Equatable {
    /// The HTTP status it answered.
    case status(Int)
    /// No answer: the connection was refused, timed out, or TLS failed (the transport's one-line reason).
    case failed(String)
}

/// POSTs a page's body to a notification channel.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` to `url` with `headers`; waits at most a few seconds.
    func post(url: String, body: String, headers: [(name: String, value: String)]) -> WebhookAnswer
}

/// Pages through the `curl` program, as the CLI's HTTPS does (Sources/DocketClient/CurlRequest.swift: no TLS library
/// linked into every `docket` start). The URL, the headers (the signature among them) and the body go in curl's
/// config on its stdin and in a 0600 temporary file, never on its command line, which other users can read. At most
/// `maxSeconds` for the whole request; http and https only, redirects not followed.
public struct CurlWebhookTransport: WebhookTransport {
    /// The curl program.
    public let curl: String
    /// curl's `max-time`.
    public let maxSeconds: Int

    /// A transport running `curl` (a path) with a time limit of `maxSeconds`.
    public init(curl: String, maxSeconds: Int = 10) {
        self.curl = curl
        self.maxSeconds = maxSeconds
    }

    /// The first `curl` on `$PATH`, nil when there is none.
    public static func onPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/curl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @available(*, noasync, message: "waits for the curl process")
    public func post(url: String, body: String, headers: [(name: String, value: String)]) -> WebhookAnswer {
        signal(SIGPIPE, SIG_IGN)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("docket-page-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: file, contents: Data(body.utf8), attributes: [.posixPermissions: 0o600]) else {
            return .failed("cannot write the body to \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        var config = [
            "url = \(Self.quoted(url))", "request = \"POST\"", "silent", "show-error", "max-time = \(maxSeconds)",
            "connect-timeout = \(min(5, maxSeconds))", "proto = \"=http,https\"", "output = \"/dev/null\"",
            "write-out = \"%{http_code}\"", "data-binary = \(Self.quoted("@" + file))",
        ]
        config += headers.map { "header = \(Self.quoted("\($0.name): \($0.value)"))" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["--config", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .failed("could not run \(curl): \(error)")
        }
        try? input.fileHandleForWriting.write(contentsOf: Data((config.joined(separator: "\n") + "\n").utf8))
        try? input.fileHandleForWriting.close()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let code = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationReason == .exit, process.terminationStatus == 0, let status = Int(code), status > 0 { return .status(status) }
        let line = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return .failed(line.isEmpty ? "curl exit \(process.terminationStatus)" : line)
    }

    /// `text` as a double-quoted curl config value.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}

/// How `outbox send` delivers pages: the transport, and the store's key file that the channels' secrets are sealed
/// under (asked for only when a page is due).
public struct PageSender: Sendable {
    /// Posts each page.
    public let transport: any WebhookTransport
    /// The store's key file (``HookKey``).
    public let key: @Sendable () throws -> HookKey

    /// A sender posting with `transport`, opening secrets with `key`.
    public init(transport: any WebhookTransport, key: @escaping @Sendable () throws -> HookKey) {
        self.transport = transport
        self.key = key
    }

    /// What `answer` means: 2xx delivered; a 4xx other than 408 (timeout) and 429 (too many) refused for good; any other
    /// status (5xx, 408, 429, a 3xx redirect not followed) and no answer at all failed, tried again later.
    public static func outcome(of answer: WebhookAnswer, url: String) -> DeliveryOutcome {
        switch answer {
        case .status(let status) where (200..<300).contains(status): .accepted
        case .status(let status) where (400..<500).contains(status) && status != 408 && status != 429:
            .refused(error: "HTTP \(status) from \(url)")
        case .status(let status): .failed(exitStatus: nil, error: "HTTP \(status) from \(url)")
        case .failed(let reason): .failed(exitStatus: nil, error: reason)
        }
    }
}
