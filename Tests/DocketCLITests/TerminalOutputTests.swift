import DocketClient
import Foundation
import TestSupport
import Testing

/// Text from outside (mail, alerts) reaches a technician's terminal: its control characters are shown, never obeyed,
/// and a subject is one line — refused from a technician, made one line from a sender.
@Suite struct TerminalOutputTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        let run = try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// A message whose sender's name and Subject (encoded words) and body carry a terminal's escape sequences:
    /// ESC [ 2 J clears the screen, ESC ] 0 ; … BEL retitles the window.
    static let hostileMail = "From: =?utf-8?q?Jane=1B[1m=0ADoe?= <jane@globex.example>\r\nTo: help@msp.example\r\n"
        + "Subject: =?utf-8?q?Printer_=1B[2J_offline=0Asecond_line?=\r\nMessage-ID: <esc-1@globex.example>\r\n"
        + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: quoted-printable\r\n\r\nIt is=1B]0;pwned=07 broken.\r\n"

    @Test func visibleControlCharactersReplaceEveryControlButTheLinesOwn() {
        let text = "a\u{1B}[31mb\tc\r\nd\re\u{7F}f\u{9B}g\u{0}\n"
        let shown = String(decoding: TerminalText.visible(Array(text.utf8)), as: UTF8.self)
        #expect(shown == "a\u{241B}[31mb\tc\r\nd\u{240D}e\u{2421}f\u{FFFD}g\u{2400}\n")
        let plain = Array("Überweisung für Café\tok\r\n".utf8)
        #expect(TerminalText.visible(plain) == plain)
        #expect(TerminalText.visible(Array("end\r".utf8)) == Array("end\u{240D}".utf8))
    }

    @Test func aTechniciansSubjectWithALineBreakIsRefusedAndNothingIsWritten() throws {
        try setUp()
        let before = try docket(["log", "--json", "--limit", "1000"]).stdout
        let run = try docket(["ticket", "open", "--client", "globex", "--subject", "Printer\noffline"])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr == "docket: error: the subject holds a line break or control character (U+000A); give a one-line subject and put the rest in the description\n")
        let long = try docket(["ticket", "open", "--client", "globex", "--subject", String(repeating: "x", count: 300)])
        #expect(long.status == 65)
        #expect(long.stderr.contains("the subject is 300 bytes, over the 255 allowed"))
        #expect(try docket(["log", "--json", "--limit", "1000"]).stdout == before)
    }

    @Test(arguments: DocketMode.allCases) func aSendersControlCharactersAreShownNotObeyedOnATerminal(_ mode: DocketMode) throws {
        try mode.run(aSendersControlCharactersAreShownNotObeyedOnATerminal)
    }
    func aSendersControlCharactersAreShownNotObeyedOnATerminal() throws {
        try setUp()
        let intake = try docket(["intake", "email"], stdin: Self.hostileMail, as: "intake")
        #expect(intake.status == 0, "\(intake.stderr)")
        // The subject became one line: the newline a space, the ESC a space beside the spaces around it.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
        let ticket = try #require(json["ticket"] as? [String: Any])
        #expect(ticket["subject"] as? String == "Printer [2J offline second line")
        // The sender (in the client's domain) became a contact under the one-line form of the name the mail gave.
        let client = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["client", "show", "globex", "--json"]).stdout.utf8)) as? [String: Any])
        let contacts = try #require(client["contacts"] as? [[String: Any]])
        #expect(contacts.map { $0["name"] as? String } == ["Jane [1m Doe"])
        // The body keeps its bytes: a pipe gets them as they are, a terminal sees their pictures.
        let piped = try docket(["ticket", "show", "T-1001"])
        #expect(piped.stdout.contains("It is\u{1B}]0;pwned\u{07} broken."))
        let shown = try DocketProcess.runOnTerminal(["ticket", "show", "T-1001"], store: store)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("It is\u{241B}]0;pwned\u{2407} broken."))
        #expect(!shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\u{07}"))
        #expect(shown.stdout.contains("Printer [2J offline second line"))
        let queue = try DocketProcess.runOnTerminal(["queue"], store: store)
        #expect(queue.stdout.contains("T-1001"))
        #expect(!queue.stdout.contains("\u{1B}"))
    }

    @Test func anAlertsMultiLineMessageBecomesAOneLineSubjectCutToTheLimit() throws {
        try setUp()
        let message = "Disk C: 97% full\nfree: 1.2 GB\r\n" + String(repeating: "details ", count: 40)
        let alert = try String(decoding: JSONSerialization.data(withJSONObject: [
            "client": "globex", "device": "fs-01", "check": "disk", "severity": "warning", "status": "firing", "id": "disk-fs-01",
            "message": message,
        ]), as: UTF8.self)
        let run = try docket(["intake", "alert", "--format", "generic"], stdin: alert, as: "intake")
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", "T-1001", "--json"]).stdout.utf8)) as? [String: Any])
        let subject = try #require((json["ticket"] as? [String: Any])?["subject"] as? String)
        #expect(subject.hasPrefix("[disk] Disk C: 97% full free: 1.2 GB details details "))
        #expect(subject.hasSuffix("…"))
        #expect(subject.utf8.count <= 255)
    }

    @Test func aTableCellWithALineBreakStaysOnItsRow() throws {
        try setUp()
        // A subject recorded before subjects were checked (appended raw, as an old store holds it).
        let payload = #"{"client":"globex","number":"T-1001","priority":"P3","source":"phone","subject":"Printer\nrm -rf \u001b[31mred","description":""}"#
        let append = try docket(["event", "append", "--repair", "--stream", "ticket-T-1001", "--type", "ticket.opened", "--payload", payload])
        #expect(append.status == 0, "\(append.stderr)")
        let queue = try docket(["queue"])
        let rows = queue.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.count == 3, "header, one row, the final newline: \(queue.stdout)")
        #expect(rows[1].hasSuffix("Printer rm -rf \u{1B}[31mred"))
        let shown = try DocketProcess.runOnTerminal(["queue"], store: store)
        #expect(shown.stdout.contains("Printer rm -rf \u{241B}[31mred"))
    }

    @Test(arguments: DocketMode.allCases) func anErrorQuotingAnArgumentShowsItsControlCharactersOnATerminal(_ mode: DocketMode) throws {
        try mode.run(anErrorQuotingAnArgumentShowsItsControlCharactersOnATerminal)
    }
    func anErrorQuotingAnArgumentShowsItsControlCharactersOnATerminal() throws {
        try setUp()
        // A client code pasted from a mail, ESC [ 2 J and all: the usage error quotes it back.
        let arguments = ["client", "show", "glo\u{1B}[2Jbex"]
        let piped = try docket(arguments)
        #expect(piped.status == 64, "\(piped.stderr)")
        #expect(piped.stderr.contains("'glo\u{1B}[2Jbex'"), "a pipe gets the bytes as they are: \(piped.stderr)")
        let shown = try DocketProcess.runOnTerminal(arguments, store: store, environment: ["DOCKET_USER": "ann"], stderrToo: true)
        #expect(shown.status == 64)
        #expect(shown.stdout.contains("'glo\u{241B}[2Jbex'"), "\(shown.stdout)")
        #expect(!shown.stdout.contains("\u{1B}"))
    }

    @Test func anImportErrorQuotingAFilesStreamNameShowsItsControlCharactersOnATerminal() throws {
        // An export from elsewhere whose stream name carries ESC [ 2 J: the import refuses it and its error names it.
        let zeros = String(repeating: "0", count: 64)
        let line = #"{"position":1,"stream":"ticket\u001b[2J-1","streamVersion":1,"type":"x","schemaVersion":1,"#
            + #""eventId":"00000000-0000-0000-0000-000000000001","commandId":null,"actor":"a","#
            + #""recordedAt":"2026-01-01T00:00:00.000Z","payload":{},"previousHash":"\#(zeros)","hash":"\#(zeros)"}"# + "\n"
        let file = folder.child("hostile.ndjson")
        try Data(line.utf8).write(to: URL(fileURLWithPath: file))
        let piped = try docket(["import", file])
        #expect(piped.status == 65, "\(piped.stderr)")
        #expect(piped.stderr.contains("'ticket\u{1B}[2J-1'"), "a pipe gets the bytes as they are: \(piped.stderr)")
        let shown = try DocketProcess.runOnTerminal(["import", file], store: store, environment: ["DOCKET_USER": "ann"], stderrToo: true)
        #expect(shown.status == 65)
        #expect(shown.stdout == "docket: error: line 1: stream name 'ticket\u{241B}[2J-1' must be 1 to 200 bytes without control characters; nothing was imported\n")
    }
}
