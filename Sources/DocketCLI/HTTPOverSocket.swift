import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the server is: its Unix socket, or an HTTP address (plain HTTP only on loopback; HTTPS goes through
/// a TLS-terminating proxy and is sent with the `curl` program: HTTPSRequest).
enum ServerEndpoint: Equatable {
    case socket(path: String)
    case http(host: String, port: Int)
    case https(URL)

    /// Reads `$DOCKET_SERVER`: a socket path, `http://127.0.0.1:8642` (loopback only) or `https://host[:port]`.
    static func parse(_ text: String) throws -> ServerEndpoint {
        if text.hasPrefix("https://") {
            guard let url = URL(string: text), url.host != nil else { throw CLIError.usage("DOCKET_SERVER \(text) is not a URL") }
            return .https(url)
        }
        if text.hasPrefix("http://") {
            guard let url = URL(string: text), let host = url.host else { throw CLIError.usage("DOCKET_SERVER \(text) is not a URL") }
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            guard bare == "localhost" || bare == "::1" || bare.hasPrefix("127.") else {
                throw CLIError.usage(
                    "DOCKET_SERVER \(text): plain http:// is allowed only to a loopback address (tokens would cross the network in clear); use https://")
            }
            return .http(host: bare == "localhost" ? "127.0.0.1" : bare, port: url.port ?? 80)
        }
        if text.contains("://") { throw CLIError.usage("DOCKET_SERVER \(text): use a socket path, https://… or http://127.0.0.1:PORT") }
        return .socket(path: text)
    }
}

/// A minimal HTTP/1.1 client over a stream socket (one request per connection): the CLI's way to its server on
/// the Unix socket or on loopback, with no event loop to start (a client process lives for one command).
enum HTTPOverSocket {
    struct Reply {
        let status: Int
        let contentType: String
        let body: Data
    }

    /// Sends `method path` with `body` and reads the whole reply.
    @available(*, noasync, message: "blocks on the socket")
    static func send(
        _ method: String, _ endpoint: ServerEndpoint, path: String, headers: [(String, String)], body: Data = Data()
    ) throws -> Reply {
        let fd = try connect(endpoint)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: docket\r\nConnection: close\r\nContent-Type: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try send(fd, Data(head.utf8) + body)
        return try parse(receiveAll(fd))
    }

    private static func connect(_ endpoint: ServerEndpoint) throws -> Int32 {
        switch endpoint {
        case .socket(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw CLIError.usage("the socket path \(path) is too long; use a shorter path")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in bytes.enumerated() { raw[i] = byte }
            }
            return try open(AF_UNIX, &address, what: "the server's socket \(path)")
        case .http(let host, let port):
            if host.contains(":") {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw CLIError.usage("bad address \(host)") }
                return try open(AF_INET6, &address, what: "the server at [\(host)]:\(port)")
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw CLIError.usage("bad address \(host)") }
            return try open(AF_INET, &address, what: "the server at \(host):\(port)")
        case .https:
            throw CLIError.failure("internal: https goes through curl (HTTPSRequest)")
        }
    }

    private static func open<Address>(_ family: Int32, _ address: inout Address, what: String) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError.failure("cannot make a socket: \(String(cString: strerror(errno)))") }
        let size = socklen_t(MemoryLayout<Address>.size)
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CLIError.noStore("cannot reach \(what) (\(reason)); start it with `docket serve` or unset DOCKET_SERVER")
        }
        return fd
    }

    private static func send(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { throw CLIError.failure("the server closed the connection while the request was sent") }
                offset += sent
            }
        }
    }

    private static func receiveAll(_ fd: Int32) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw CLIError.failure("reading the server's reply failed: \(String(cString: strerror(errno)))") }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Status line, headers and body (by Content-Length, else to the end).
    static func parse(_ data: Data) throws -> Reply {
        let separator = Data("\r\n\r\n".utf8)
        guard let end = data.range(of: separator) else { throw CLIError.failure("the server's reply is not HTTP") }
        let lines = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw CLIError.failure("the server's reply is not HTTP") }
        var length: Int?
        var contentType = ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { length = Int(value) }
            if name == "content-type" { contentType = value }
        }
        var body = data[end.upperBound...]
        if let length { body = body.prefix(length) }
        return Reply(status: status, contentType: contentType, body: Data(body))
    }
}
