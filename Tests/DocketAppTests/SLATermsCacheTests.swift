import Testing

@testable import DocketApp

/// `SLATermsCache.content` takes a payload laid out like a recent one without scanning it: it must answer exactly what
/// `SLATerms.content` answers from scratch, for payloads it takes that way and for those it must not.
@Suite("SLA terms content")
struct SLATermsCacheTests {
    static func payload(priority: String, startedAt: String, calendar: String = "ny-office") -> [UInt8] {
        Array(
            #"{"calendar":{"id":"\#(calendar)","hours":[[540,1020]]},"policy":"gold","priority":\#(priority),"startedAt":\#(startedAt),"targets":{"p1":[30,120]}}"#
                .utf8)
    }

    static let first = payload(priority: #""p3""#, startedAt: #""2026-03-02T09:00:00.000Z""#)

    /// The cache's answer for `payload` after it has seen `first`, and the answer from scratch.
    static func both(_ payload: [UInt8], version: UInt16 = 1) -> (cached: SLATerms.Content?, fresh: SLATerms.Content?) {
        let cache = SLATermsCache()
        _ = cache.content(schemaVersion: 1, payload: first)
        return (cache.content(schemaVersion: version, payload: payload)?.content, SLATerms.content(schemaVersion: version, payload: payload))
    }

    @Test(
        "the same content with other values, or another content",
        arguments: [
            payload(priority: #""p1""#, startedAt: #""2026-11-30T17:59:59.999Z""#),
            payload(priority: #""p12""#, startedAt: #""2026-11-30T17:59:59.999Z""#),
            payload(priority: #""p1""#, startedAt: #""2026-11-30""#),
            payload(priority: #""\"""#, startedAt: #""2026-11-30T17:59:59.999Z""#),
            payload(priority: #""\\""#, startedAt: #""2026-11-30T17:59:59.999Z""#),
            payload(priority: "1234", startedAt: #""2026-11-30T17:59:59.999Z""#),
            payload(priority: #""p1""#, startedAt: #"["2026-11-30T17:59:59.9"]"#),
            payload(priority: #""p1""#, startedAt: #""2026-11-30T17:59:59.999Z""#, calendar: "ny-offics"),
            first,
        ])
    func sameAsFromScratch(payload: [UInt8]) throws {
        let (cached, fresh) = Self.both(payload)
        #expect(cached?.digest == fresh?.digest)
        #expect(cached?.priority == fresh?.priority)
        #expect(cached?.startedAt == fresh?.startedAt)
    }

    @Test func anotherSchemaVersionIsAnotherContent() throws {
        let (cached, fresh) = Self.both(Self.first, version: 2)
        let first = try #require(SLATerms.content(schemaVersion: 1, payload: Self.first))
        #expect(cached?.digest == fresh?.digest)
        #expect(cached?.digest != first.digest)
    }

    @Test func valuesOfTheSameLengthShareTheContent() throws {
        let other = Self.payload(priority: #""p1""#, startedAt: #""2026-11-30T17:59:59.999Z""#)
        let cached = try #require(Self.both(other).cached)
        #expect(cached.digest == SLATerms.content(schemaVersion: 1, payload: Self.first)?.digest)
        #expect(SLATerms.plainString(other, cached.priority) == "p1")
        #expect(SLATerms.plainString(other, cached.startedAt) == "2026-11-30T17:59:59.999Z")
    }

    /// Terms kept for a content come back with the next payload of that content (laid out like a recent one or not),
    /// and never with another content's.
    @Test func keptTermsComeBackWithTheirContentOnly() throws {
        let cache = SLATermsCache()
        let digest = try #require(cache.content(schemaVersion: 1, payload: Self.first)).content.digest
        let other = Self.payload(priority: #""p1""#, startedAt: #""2026-11-30T17:59:59.999Z""#, calendar: "ny-offics")
        let otherDigest = try #require(cache.content(schemaVersion: 1, payload: other)).content.digest
        #expect(cache.content(schemaVersion: 1, payload: Self.first)?.terms == nil)
        cache.keep(TicketSummaryFoldTests.started, for: digest)
        let sameLayout = Self.payload(priority: #""p1""#, startedAt: #""2026-11-30T17:59:59.999Z""#)
        let otherLayout = Self.payload(priority: #""p12""#, startedAt: #""2026-11-30T17:59:59Z""#)
        #expect(cache.content(schemaVersion: 1, payload: sameLayout)?.terms == TicketSummaryFoldTests.started)
        #expect(cache.content(schemaVersion: 1, payload: otherLayout)?.terms == TicketSummaryFoldTests.started)
        #expect(cache.content(schemaVersion: 1, payload: otherLayout)?.content.digest == digest)
        #expect(cache.content(schemaVersion: 1, payload: other)?.terms == nil)
        #expect(cache.content(schemaVersion: 1, payload: other)?.content.digest == otherDigest)
        #expect(cache.content(schemaVersion: 2, payload: Self.first)?.terms == nil)
    }
}
