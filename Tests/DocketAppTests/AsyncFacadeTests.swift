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
}
