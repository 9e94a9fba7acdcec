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
    /// (a concurrent queue, served by libdispatch on Linux with about as many threads as cores, ran 4 here).
    /// Enqueued from this thread, not from tasks, so a busy cooperative pool cannot delay them.
    @Test func manyBlockingCallsWaitAtOnce() {
        let count = 32
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            DocketApplication.enqueue {
                arrived.signal()
                _ = release.wait(timeout: .now() + 30)
                finished.signal()
            }
        }
        let deadline = DispatchTime.now() + 30
        var started = 0
        while started < count, arrived.wait(timeout: deadline) == .success { started += 1 }
        for _ in 0..<count { release.signal() }
        #expect(started == count, "\(started) of \(count) blocking calls ran at once")
        for _ in 0..<count { _ = finished.wait(timeout: .now() + 30) }
    }
}
