import Dispatch
import Foundation
import Testing

@testable import DocketApp

/// The async façade a server calls: the blocking API runs on the application's own queue, not the cooperative pool.
@Suite struct AsyncFacadeTests {
    @Test func theAsyncFacadeRunsTheBlockingAPIOffTheCooperativePool() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("thin-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let app = try await DocketApplication.open(folder, clock: FixedClock(Timestamp(iso8601: "2026-11-02T09:00:00Z")!))
        let created = try await app.run { try $0.directory.bootstrapAdmin(login: "ann", name: "Ann", email: "ann@msp.example") }
        #expect(created)
        let offThePool = try await app.run { _ in DocketApplication.isOnBlockingQueue }
        #expect(offThePool)
        #expect(!DocketApplication.isOnBlockingQueue)
        let login = try await app.run { try $0.directory.user("ann").login }
        #expect(login == "ann")
        await #expect(throws: ApplicationFailure.self) {
            try await app.run { app -> Int in
                do { _ = try app.directory.user("nobody") } catch { throw ApplicationFailure(classifying: error, store: folder) }
                return 0
            }
        }
    }

    /// Blocking calls wait at once, not one per core: 32 calls that each block until all 32 have started finish
    /// (with a concurrent queue, libdispatch on Linux runs as many as there are cores and they would wait forever).
    @Test func manyBlockingCallsWaitAtOnce() async throws {
        let count = 32
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await DocketApplication.blocking {
                        arrived.signal()
                        return release.wait(timeout: .now() + 30) == .success
                    }
                }
            }
            // Counted on a thread of its own (a semaphore must not block the cooperative pool), within 30 s in all.
            let started = try await DocketApplication.blocking {
                let deadline = DispatchTime.now() + 30
                var started = 0
                while started < count, arrived.wait(timeout: deadline) == .success { started += 1 }
                for _ in 0..<count { release.signal() }
                return started
            }
            #expect(started == count, "\(started) of \(count) blocking calls ran at once")
            for try await released in group { #expect(released) }
        }
    }
}
