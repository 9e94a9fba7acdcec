import Foundation
import TestSupport
import Testing

/// A store whose `hook-secrets.key` is missing (restored from a backup, which leaves it out, or copied without it)
/// while its log keeps secrets sealed under it: `hook create`, `hook rotate`, `notify add` and `notify rotate` made a
/// new key without a word, after which the other sources' and channels' secrets could never be opened.
extension SLACommandsTests {
    @Test(arguments: DocketMode.allCases) func aMissingKeyFileIsNotReplacedSilentlyWhileSecretsAreSealedUnderIt(_ mode: DocketMode) throws {
        try setUp()
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "on-call", "--url", "-"], at: t, stdin: "http://127.0.0.1:9/page\n").status == 0)
        #expect(try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "dora"], at: t).status == 0)
        let key = store + "/hook-secrets.key"
        try FileManager.default.removeItem(atPath: key)
        let events = { () throws -> Int in try docket(["log", "--json", "--limit", "100000"], at: t).stdout.count }
        try mode.run {
            // Through a server ann's token is made (an event) on her first command: before counting.
            #expect(try docket(["queue"], at: t).status == 0)
            let before = try events()
            let channels = "remove and add each channel again (`docket notify remove NAME`, then `docket notify add NAME --url -`)"
            let refusal = { (sealed: String, renewing: String) in
                "docket: error: \(key) is missing, and it seals the secrets of \(sealed) (`docket backup` leaves it out on purpose): "
                    + "copy hook-secrets.key from the original store into \(store) (mode 0600), or pass --new-hook-key to make a new "
                    + "key, after which \(renewing); nothing written\n"
            }
            let both = refusal(
                "webhook source ninja and notification channel on-call", "rotate each source (`docket hook rotate SOURCE`) and \(channels)")
            for (arguments, stdin, expected) in [
                (["hook", "create", "kaseya", "--format", "generic", "--acts-as", "dora"], "", both),
                // Rotating ninja renews ninja's secret: only on-call's would stay shut.
                (["hook", "rotate", "ninja"], "", refusal("notification channel on-call", channels)),
                (["notify", "add", "ops", "--url", "-"], "http://127.0.0.1:9/ops\n", both),
                // A channel's URL stays sealed under the old key through a rotation: on-call is among them.
                (["notify", "rotate", "on-call"], "", both),
            ] {
                let run = try docket(arguments, at: t, stdin: stdin)
                #expect(run.status == 6, "\(arguments): \(run.stderr)")
                #expect(run.stderr == expected, "\(arguments): \(run.stderr)")
                #expect(run.stdout.isEmpty, "\(arguments): no secret printed: \(run.stdout)")
                #expect(!FileManager.default.fileExists(atPath: key), "\(arguments): no key made behind the operator's back")
            }
            #expect(try events() == before, "nothing written")

            // Asked for, the new key is made, and what it cannot open is named.
            let made = try docket(["hook", "create", "kaseya", "--format", "generic", "--acts-as", "dora", "--new-hook-key"], at: t)
            #expect(made.status == 0 && !made.stdout.isEmpty, "\(made.stderr)")
            #expect(FileManager.default.fileExists(atPath: key))
            #expect(
                made.stderr.hasPrefix("docket: warning: made a new \(key) (key ")
                    && made.stderr.hasSuffix(
                        "the secrets of webhook source ninja and notification channel on-call were sealed under the old key and can no "
                            + "longer be opened: rotate each source (`docket hook rotate SOURCE`) and remove and add each channel again "
                            + "(`docket notify remove NAME`, then `docket notify add NAME --url -`)\n")
                    && made.stderr.split(separator: "\n").count == 1, "\(made.stderr)")
            // With a key in place, rotating needs no flag and says nothing more.
            let rotated = try docket(["hook", "rotate", "ninja"], at: t)
            #expect(rotated.status == 0 && rotated.stderr.isEmpty, "\(rotated.stderr)")
        }
    }
}
