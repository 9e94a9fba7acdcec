import Foundation
import TestSupport
import Testing

/// The token `docket login` saves is found by the address as the user writes it next (a trailing slash, the host in
/// capitals); without one, the client says which address has none and how to log in, not the server's "no API token".
@Suite(.serialized) struct LoginLookupTests {
    @Test func aTokenSavedByLoginIsFoundWithATrailingSlash() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        let token = try served.docket(["token", "create", "--name", "laptop"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false)
        let config = served.folder.child("config")
        let login = try DocketProcess.runEmbedded(
            ["login", served.address], store: served.store, stdin: token + "\n", environment: ["XDG_CONFIG_HOME": config])
        #expect(login.status == 0, "\(login.stderr)")
        for address in [served.address, served.address + "/"] {
            let queue = try DocketProcess.runEmbedded(
                ["queue"], store: served.store, environment: ["XDG_CONFIG_HOME": config, "DOCKET_SERVER": address])
            #expect(queue.status == 0, "\(address): \(queue.stderr)")
        }
        let elsewhere = "http://127.0.0.1:1/"
        let none = try DocketProcess.runEmbedded(
            ["queue"], store: served.store, environment: ["XDG_CONFIG_HOME": config, "DOCKET_SERVER": elsewhere])
        #expect(none.status == 5, "\(none.stderr)")
        #expect(none.stderr == "docket: error: no saved token for http://127.0.0.1:1 (nor $DOCKET_TOKEN); run `docket login http://127.0.0.1:1`\n")
    }
}
