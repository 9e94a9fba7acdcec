import EventLog
import Foundation
import TestSupport
import Testing

/// An append guarded by a family of streams a decision listed (``AppendRequest/listGuards``): refused while the family
/// has another number of streams than listed, so a stream added to it since (which no ``StreamGuard`` can name) is seen.
@Suite struct ListGuardTests {
    let folder = TemporaryFolder()

    func guarded(_ stream: String, listing prefix: String, count: UInt64) -> AppendRequest {
        var request = sampleAppend(stream)
        request.listGuards = [StreamListGuard(prefix: prefix, count: count)]
        return request
    }

    @Test func aStreamAddedToTheListedFamilyRefusesTheAppend() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("sla-policy-gold"))
        try store.append(sampleAppend("sla-policy-silver"))
        try store.append(sampleAppend("sla-policyholder"))  // shares the prefix's letters, not the prefix
        try store.append(guarded("notify-oncall", listing: "sla-policy-", count: 2))
        #expect(try store.version(of: "notify-oncall") == 1, "the family as listed: appended")

        try store.append(sampleAppend("sla-policy-bronze"))
        let head = try store.head().position
        #expect(throws: WrongExpectedVersion(stream: "sla-policy-*", expected: .exact(2), actual: 3)) {
            try store.append(guarded("notify-oncall", listing: "sla-policy-", count: 2))
        }
        #expect(try store.head().position == head, "nothing written")
        #expect(throws: WrongExpectedVersion(stream: "calendar-*", expected: .exact(1), actual: 0)) {
            try store.append(guarded("notify-oncall", listing: "calendar-", count: 1))
        }
        try store.append(guarded("notify-oncall", listing: "calendar-", count: 0))
        #expect(try store.version(of: "notify-oncall") == 2)
    }
}
