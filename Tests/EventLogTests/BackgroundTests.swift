@testable import EventLog
import Foundation
import Testing

/// `Background`: work started on a thread of its own and waited for later, its error thrown by `wait`.
@Suite struct BackgroundTests {
    struct Failed: Error, Equatable {}

    /// The work runs on another thread, beside the caller, and is done when `wait` returns.
    @Test func theWorkRunsBesideTheCallerAndIsDoneWhenWaitedFor() throws {
        let caller = ObjectIdentifier(Thread.current)
        let started = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        let ran = Locked(false)
        let elsewhere = Locked(false)
        let work = Background<Void> {
            elsewhere.set(ObjectIdentifier(Thread.current) != caller)
            started.signal()
            proceed.wait()
            ran.set(true)
        }
        // The work has begun while the caller goes on, and waits for the caller: it runs beside it.
        started.wait()
        #expect(ran.value == false)
        proceed.signal()
        try work.wait()
        #expect(ran.value)
        #expect(elsewhere.value)
    }

    /// The work's error is thrown by `wait`, by every call of it.
    @Test func theWorksErrorIsThrownByWait() {
        let work = Background<Void> { throw Failed() }
        #expect(throws: Failed.self) { try work.wait() }
        #expect(throws: Failed.self) { try work.wait() }
    }

    /// Another thread than the one that waits may wait for the value too (`valueWhenEnded`): it gets it once the work
    /// has ended, and nil when the work failed; `wait` still gets it after.
    @Test func anotherThreadGetsTheValueWhenTheWorkEnds() throws {
        let proceed = DispatchSemaphore(value: 0)
        let work = Background<Int> {
            proceed.wait()
            return 42
        }
        let got = Background<Int?> { work.valueWhenEnded() }
        proceed.signal()
        #expect(try got.wait() == 42)
        #expect(try work.wait() == 42)
        let failing = Background<Int> { throw Failed() }
        #expect(try Background<Int?> { failing.valueWhenEnded() }.wait() == nil)
        #expect(throws: Failed.self) { try failing.wait() }
    }

    /// A flag shared with the work's thread.
    final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        private var flag: Bool
        init(_ flag: Bool) { self.flag = flag }
        var value: Bool { lock.withLock { flag } }
        func set(_ value: Bool) { lock.withLock { flag = value } }
    }
}
