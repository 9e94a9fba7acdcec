import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTPS to a server behind a TLS-terminating proxy, through Foundation's URLSession (certificates checked by the
/// system's trust store).
enum HTTPSRequest {
    @available(*, noasync, message: "blocks until the reply")
    static func send(_ method: String, url: URL, path: String, headers: [(String, String)], body: Data) throws -> HTTPOverSocket.Reply {
        guard let target = URL(string: path, relativeTo: url) else { throw CLIError.usage("bad server URL \(url)") }
        var request = URLRequest(url: target, timeoutInterval: 300)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if method != "GET" { request.httpBody = body }
        let box = ReplyBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response as? HTTPURLResponse, error: error)
            done.signal()
        }.resume()
        done.wait()
        return try box.reply(url: url)
    }

    private final class ReplyBox: @unchecked Sendable {
        // @unchecked Sendable: written once by URLSession's callback before the semaphore is signalled, read after.
        private var data: Data?
        private var response: HTTPURLResponse?
        private var error: (any Error)?

        func set(data: Data?, response: HTTPURLResponse?, error: (any Error)?) {
            (self.data, self.response, self.error) = (data, response, error)
        }

        func reply(url: URL) throws -> HTTPOverSocket.Reply {
            guard let response else {
                throw CLIError.noStore("cannot reach the server at \(url) (\(error.map { "\($0.localizedDescription)" } ?? "no reply")); check DOCKET_SERVER")
            }
            return HTTPOverSocket.Reply(
                status: response.statusCode, contentType: response.value(forHTTPHeaderField: "Content-Type") ?? "", body: data ?? Data())
        }
    }
}
