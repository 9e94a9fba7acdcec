@testable import DocketApp
import Testing

/// Reading a mail server's `Authentication-Results` verdict (RFC 8601) to prove a user's From.
@Suite struct MailAuthenticationTests {
    func problem(_ headers: [String], from: String = "bob@msp.example", server: String? = "mx.msp.example") -> String? {
        MailAuthentication.problem(from: from, authenticationResults: headers, authservId: server)
    }

    @Test func aDMARCPassOrAnAlignedDKIMPassFromOurServerProvesTheFrom() {
        #expect(problem(["mx.msp.example; dmarc=pass (p=reject dis=none) header.from=msp.example"]) == nil)
        #expect(problem(["MX.msp.example 1; dkim=pass (2048-bit key; unprotected) header.d=MSP.example header.s=s1 header.b=abc"]) == nil)
        #expect(problem(["mx.msp.example; spf=pass smtp.mailfrom=msp.example; dkim/1=pass header.d=\"msp.example\""]) == nil)
        #expect(problem(["mx.msp.example; dkim=pass header.d=msp.example"], from: "bob@eu.msp.example") == nil, "relaxed alignment")
    }

    @Test func anythingElseProvesNothingAndSaysWhy() {
        #expect(problem(["mx.msp.example; dmarc=pass header.from=msp.example"], server: nil)
            == "no mail server is trusted to prove a sender ($DOCKET_MAIL_AUTHSERV_ID is not set)")
        #expect(problem([]) == "no Authentication-Results header of mx.msp.example")
        #expect(problem(["mx.evil.example; dmarc=pass header.from=msp.example"]) == "no Authentication-Results header of mx.msp.example")
        #expect(problem(["mx.msp.example.evil; dmarc=pass header.from=msp.example"]) == "no Authentication-Results header of mx.msp.example")
        let none = "mx.msp.example reports no DMARC or aligned DKIM pass for msp.example"
        #expect(problem(["mx.msp.example; spf=pass smtp.mailfrom=bob@msp.example"]) == none, "SPF alone proves the envelope, not the From")
        #expect(problem(["mx.msp.example; dkim=pass header.d=evil.example"]) == none)
        #expect(problem(["mx.msp.example; dkim=pass header.d=notmsp.example"], from: "bob@msp.example") == none)
        #expect(problem(["mx.msp.example; dmarc=pass header.from=evil.example"]) == none)
        #expect(problem(["mx.msp.example; dkim=fail (dmarc=pass header.from=msp.example) header.d=msp.example"]) == none, "a comment is no result")
        #expect(problem(["mx.msp.example; none"]) == none)
        // Only the first header of our server counts: the one it put on top. A lower one was in the mail it received.
        #expect(problem(["mx.msp.example; dkim=fail header.d=msp.example", "mx.msp.example; dkim=pass header.d=msp.example"]) == none)
        #expect(problem(["other.example; dkim=fail header.d=msp.example", "mx.msp.example; dkim=pass header.d=msp.example"]) == nil)
    }
}
