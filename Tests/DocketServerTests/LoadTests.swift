import Foundation
import TestSupport
import Testing

/// The server under a real load generator (wrk) and killed with -9 under load (curl --parallel): no errors, and
/// every acknowledged command is in the log exactly once. Bounded: a few seconds each, loopback only.
@Suite(.serialized) struct LoadTests {
    /// A store with ann (admin), client acme, tickets T-1001…T-1008, and ann's token.
    func setUp(_ served: ServedStore) throws -> String {
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        for n in 1...8 {
            #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Load \(n)"]).status == 0)
        }
        return try served.docket(["token", "create", "--name", "load"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func commentTexts(_ served: ServedStore) throws -> [String] {
        let export = try served.docket(["export"])
        return export.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["type"] as? String == "ticket.commented", let payload = object["payload"] as? [String: Any]
            else { return nil }
            return payload["text"] as? String
        }
    }

    @Test func wrkLoadGetsNoErrorsAndLosesNothing() throws {
        let served = ServedStore()
        let token = try setUp(served)
        try served.start(socket: false)
        let script = served.folder.child("comment.lua")
        try """
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("id", threads)
            end
            local counter = 0
            function request()
              counter = counter + 1
              local ticket = 1001 + (counter % 8)
              local body = '{"text":"load ' .. id .. '-' .. counter .. '","internal":true}'
              return wrk.format("POST", "/v1/tickets/T-" .. ticket .. "/comments",
                {["Authorization"] = "Bearer \(token)", ["Content-Type"] = "application/json",
                 ["Idempotency-Key"] = "load-" .. id .. "-" .. counter}, body)
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try ServedStore.run(
            "/usr/bin/wrk", ["-t", "2", "-c", "8", "-d", "3s", "--timeout", "10s", "--latency", "-s", script, served.address])
        let requests = try #require(Self.number(in: output, before: " requests in"), "\(output)")
        #expect(requests > 0, "\(output)")
        #expect(!output.contains("Non-2xx"), "\(output)")
        #expect(!output.contains("Socket errors"), "\(output)")
        print("wrk: \(requests) requests; latency p50 \(Self.percentile("50%", output)), p99 \(Self.percentile("99%", output))")
        #expect(served.stop() == 0)
        let texts = try commentTexts(served)
        #expect(Set(texts).count == texts.count, "no command twice")
        // wrk counts the answers it read; a request in flight when it stopped may be in the log unanswered.
        #expect(texts.count >= requests && texts.count <= requests + 8, "\(texts.count) comments for \(requests) answered requests")
    }

    @Test func killedWithSIGKILLUnderLoadEveryAcknowledgedCommandIsInTheLogOnce() throws {
        let served = ServedStore()
        let token = try setUp(served)
        let before = try served.eventCount()
        try served.start(socket: false)
        let total = 400
        let config = served.folder.child("requests.curl")
        var lines: [String] = []
        for n in 0..<total {
            lines += [
                "url = \"\(served.address)/v1/tickets/T-\(1001 + n % 8)/comments\"",
                "data = \"{\\\"text\\\":\\\"kill-\(n)\\\",\\\"internal\\\":true}\"",
                "header = \"Authorization: Bearer \(token)\"", "header = \"Content-Type: application/json\"",
                "header = \"Idempotency-Key: kill-\(n)\"", "output = \"/dev/null\"",
                // `next` resets per-transfer options: each one names its own write-out.
                "write-out = \"%{http_code} %{urlnum}\\n\"",
            ]
            if n < total - 1 { lines.append("next") }
        }
        try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--no-progress-meter", "--parallel", "--parallel-max", "8", "--max-time", "20", "-K", config]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let reader = ReadLines(output.fileHandleForReading)
        // Kill the server once a quarter of the commands are in the log (curl's output is buffered until it exits).
        let deadline = Date().addingTimeInterval(60)
        while try served.eventCount() < before + total / 4, Date() < deadline { usleep(50_000) }
        let server = try #require(served.process)
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        curl.waitUntilExit()
        let acknowledged = reader.all().filter { $0.hasPrefix("2") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(acknowledged.count >= total / 4)
        #expect(acknowledged.count < total, "the kill stopped the load")
        let texts = try commentTexts(served)
        var counts: [String: Int] = [:]
        for text in texts { counts[text, default: 0] += 1 }
        for n in acknowledged { #expect(counts["kill-\(n)"] == 1, "acknowledged kill-\(n) is in the log once") }
        #expect(counts.values.allSatisfy { $0 == 1 }, "nothing twice")
        #expect(try served.docket(["verify"]).status == 0, "the log verifies after the kill")
    }

    static func number(in text: String, before marker: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[..<range.lowerBound].split(separator: " ").last ?? "")
    }

    static func percentile(_ label: String, _ text: String) -> String {
        text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
            .map { $0.split(separator: " ").last.map(String.init) ?? "?" } ?? "?"
    }
}

/// Collects a child's stdout lines as they come.
final class ReadLines: @unchecked Sendable {
    // @unchecked Sendable: `collected` is only touched while holding `lock`.
    private let lock = NSLock()
    private var collected: [String] = []
    private let ended = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending = Data(pending[(newline + 1)...])
                    lock.withLock { collected.append(line) }
                }
            }
            ended.signal()
        }.start()
    }

    /// Every line, once the child closed its stdout.
    func all() -> [String] {
        ended.wait()
        return lines()
    }

    func lines() -> [String] { lock.withLock { collected } }
}
