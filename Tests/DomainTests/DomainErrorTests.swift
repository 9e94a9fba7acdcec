import Domain
import Testing

@Suite("DomainError")
struct DomainErrorTests {
    @Test func messagesStayOnOneLine() throws {
        let error = try #require(
            given(UserDecider.self).refusal(
                of: .add(AddUser(login: "a\nb", name: "X", email: "x@msp.example", role: .tech))))
        #expect(!error.message.contains("\n"))
        #expect(error.message.contains(#""a\nb""#))
        #expect(DomainError(.invalid, "tab\there\u{7}").message == #"tab\there\u{7}"#)
    }

    @Test func codesCompareAndPrint() {
        #expect(DomainError.Code.closed != DomainError.Code.merged)
        #expect(DomainError.Code.notFound.description == "notFound")
        let error = DomainError(.closed, "ticket T-1 is closed")
        #expect(error == DomainError(.closed, "ticket T-1 is closed"))
        #expect(error != DomainError(.merged, "ticket T-1 is closed"))
        #expect("\(error)" == "ticket T-1 is closed")
    }
}
