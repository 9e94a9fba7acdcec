@testable import DocketCLI
import Testing

/// The CLI's one CSV writer (`invoice export`, `report … --format csv`): a text cell a spreadsheet would run as a formula
/// gets a leading `'` (OWASP's CSV injection guidance), number cells never change, and every field is RFC 4180. A ticket
/// reason or a client's name such as `=HYPERLINK("http://evil","click")` reached the spreadsheet as a live formula.
@Suite struct CSVWriterTests {
    let columns: [CSVColumn] = [.text("name"), .number("amount")]

    /// Each character that starts a formula; a carriage return or a line break also quotes the field.
    @Test(arguments: [
        ("=1+2", "'=1+2", "=1+2"), ("+1", "'+1", "+1"), ("-1", "'-1", "-1"), ("@SUM(A1:A9)", "'@SUM(A1:A9)", "@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd", "\tcmd"), ("\rcmd", "\"'\rcmd\"", "\"\rcmd\""), ("\r\ncmd", "\"'\r\ncmd\"", "\"\r\ncmd\""),
    ])
    func aTextCellThatBeginsAsAFormulaGetsALeadingQuote(_ cell: String, _ neutralised: String, _ raw: String) {
        let written = CSVWriter().document(columns, [[cell, "1"]])
        #expect(written == "name,amount\n\(neutralised),1\n", "\(written.debugDescription)")
        #expect(CSVWriter(rawText: true).document(columns, [[cell, "1"]]) == "name,amount\n\(raw),1\n")
    }

    @Test func numberCellsAndOtherTextAreWrittenAsTheyAre() {
        let rows = [["Acme", "-12.50"], ["a=b", "+3"], ["", "-1:00"], ["'quoted", "@1"]]
        #expect(CSVWriter().document(columns, rows) == "name,amount\nAcme,-12.50\na=b,+3\n,-1:00\n'quoted,@1\n")
    }

    @Test func aFieldWithACommaQuoteOrLineBreakIsQuotedAfterItIsNeutralised() {
        let rows = [
            [#"=HYPERLINK("http://evil","click")"#, "1"], ["Acme Corp\n12 Rue de la Paix", "2"], ["a\r\nb", "3"], ["x,y", "4"],
        ]
        #expect(
            CSVWriter().document(columns, rows)
                == "name,amount\n" + #""'=HYPERLINK(""http://evil"",""click"")",1"# + "\n\"Acme Corp\n12 Rue de la Paix\",2\n\"a\r\nb\",3\n\"x,y\",4\n")
        #expect(CSVWriter(rawText: true).document(columns, rows).hasPrefix("name,amount\n" + #""=HYPERLINK(""http://evil"",""click"")",1"#))
    }
}
