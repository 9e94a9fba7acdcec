#if canImport(Glibc)
import Glibc
#endif

/// A server's answer: its status, content type and body.
public struct ServerReply: Sendable {
    public let status: Int
    public let contentType: String
    public let body: [UInt8]
    /// The `Retry-After` header, if any (a busy server's: ``BusyRetry``).
    public var retryAfter: String? = nil
}

/// A minimal HTTP/1.1 client over a stream socket (one request per connection): the CLI's way to its server on
/// the Unix socket or on loopback, with no event loop to start (a client process lives for one command).
enum SocketHTTP {
    /// Sends `method path` with `body` and reads the whole reply.
    static func send(
        _ method: String, _ endpoint: ServerEndpoint, path: String, headers: [(String, String)], body: [UInt8]
    ) throws(ClientFailure) -> ServerReply {
        let fd = try connect(endpoint)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: docket\r\nConnection: close\r\nContent-Type: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try send(fd, Array(head.utf8) + body)
        let data = try receiveAll(fd)
        guard !data.isEmpty else { throw .unanswered }
        let (reply, complete) = try parse(data)
        guard complete else { throw .unanswered }
        return reply
    }

    private static func connect(_ endpoint: ServerEndpoint) throws(ClientFailure) -> Int32 {
        switch endpoint {
        case .socket(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw .usage("the socket path \(path) is too long; use a shorter path")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in bytes.enumerated() { raw[i] = byte }
            }
            return try open(AF_UNIX, &address, what: "the server's socket \(path)")
        case .http(let host, let port):
            if host.contains(where: { $0 == ":" }) {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw .usage("bad address \(host)") }
                return try open(AF_INET6, &address, what: "the server at [\(host)]:\(port)")
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw .usage("bad address \(host)") }
            return try open(AF_INET, &address, what: "the server at \(host):\(port)")
        case .https:
            throw .failure("internal: https goes through curl (CurlRequest)")
        }
    }

    private static func open<Address>(_ family: Int32, _ address: inout Address, what: String) throws(ClientFailure) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .failure("cannot make a socket: \(SystemError.text(errno))") }
        let size = socklen_t(MemoryLayout<Address>.size)
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } }
        guard result == 0 else {
            let reason = SystemError.text(errno)
            close(fd)
            throw .unreachable("cannot reach \(what) (\(reason)); start it with `docket serve` or unset DOCKET_SERVER")
        }
        return fd
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) throws(ClientFailure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            // The server went away part way through the request (killed, restarted): it may have read all of it.
            guard sent > 0 else { throw .unanswered }
            offset += sent
        }
    }

    private static func receiveAll(_ fd: Int32) throws(ClientFailure) -> [UInt8] {
        guard let bytes = SystemError.readAll(fd) else {
            // A server killed with the request unread in its socket resets the connection: no answer came.
            if errno == ECONNRESET { throw .unanswered }
            throw .failure("reading the server's reply failed: \(SystemError.text(errno))")
        }
        return bytes
    }

    /// Status line, headers and body (by Content-Length, else to the end); `complete` is false when the body is
    /// shorter than its Content-Length (the connection closed part way).
    static func parse(_ data: [UInt8]) throws(ClientFailure) -> (reply: ServerReply, complete: Bool) {
        guard let end = headEnd(data) else { throw .failure("the server's reply is not HTTP") }
        let lines = SystemError.lines(data[..<end])
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw .failure("the server's reply is not HTTP") }
        var length: Int?
        var contentType = ""
        var retryAfter: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            if name == "content-length" { length = Int(value) }
            if name == "content-type" { contentType = value }
            if name == "retry-after" { retryAfter = value }
        }
        var body = data[(end + 4)...]
        let complete = length.map { body.count >= $0 } ?? true
        if let length { body = body.prefix(length) }
        return (ServerReply(status: status, contentType: contentType, body: Array(body), retryAfter: retryAfter), complete)
    }

    /// Where the blank line after the headers starts.
    private static func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i }
        return nil
    }
}

/// Small system helpers: error text, whole reads, writes, and the string helpers the client needs written out
/// plainly (the standard library's generic `joined(separator:)` and substring search resolve their types at run
/// time, which walks the binary's conformance tables: the start-up cost this client avoids).
enum SystemError {
    /// `parts` joined by `separator`.
    static func join(_ parts: [String], _ separator: String) -> String {
        var out = ""
        for (index, part) in parts.enumerated() { out += (index == 0 ? "" : separator) + part }
        return out
    }

    /// Whether `text` holds `part`.
    static func contains(_ text: String, _ part: String) -> Bool {
        let haystack = Array(text.utf8)
        let needle = Array(part.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle { return true }
        return false
    }

    /// The lines of `bytes` split at CR LF.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [String] {
        var lines: [String] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 13, index + 1 < bytes.endIndex, bytes[index + 1] == 10 {
                lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(String(decoding: bytes[start..<bytes.endIndex], as: UTF8.self))
        return lines
    }

    /// `strerror(code)`.
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Everything `fd` gives until its end; nil on a read error.
    static func readAll(_ fd: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Writes all of `bytes` to `fd` (stdout, stderr, a pipe); gives up quietly on an error (a closed pipe).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
