@testable import DocketClient
import Testing

/// How the client waits out a busy server (``BusyRetry``), as a pure function; the real client against a real busy
/// server is `ServerLimitsTests`.
@Suite struct BusyRetryTests {
    /// The client's decision, as a pure function: only a 503 or 429 with `Retry-After` is waited for, at least a quarter
    /// second a time, until the waits would pass the budget.
    @Test func whatTheClientWaitsFor() {
        var retry = BusyRetry(budgetSeconds: 3)
        #expect(retry.next(status: 200, retryAfter: nil) == .answer)
        #expect(retry.next(status: 503, retryAfter: nil) == .answer, "a 503 without Retry-After (no store) is an answer")
        #expect(retry.next(status: 503, retryAfter: "1") == .retry(afterMilliseconds: 1_000))
        #expect(retry.next(status: 429, retryAfter: "0") == .retry(afterMilliseconds: 250))
        #expect(retry.next(status: 503, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT") == .retry(afterMilliseconds: 1_000))
        #expect(retry.next(status: 503, retryAfter: "1") == .giveUp, "3.25 s would pass the 3 s budget")
        var patient = BusyRetry(budgetSeconds: 30)
        #expect(patient.next(status: 429, retryAfter: "60") == .giveUp, "asked to wait longer than the budget")
    }
}
