import ArgumentParser
import DocketClient
import Foundation

/// `docket login`: saves an API token for a server in ~/.config/docket/credentials (0600).
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save an API token for a server (read from stdin), after checking it with the server.",
        discussion: """
            docket token create --user bob --name laptop | \\
                docket login https://docket.example.com
            Then: export DOCKET_SERVER=https://docket.example.com (the token is found by that address). \
            $DOCKET_TOKEN, when set, is used instead of the file (scripts, CI).
            """)

    @Argument(help: "The server: https://host or http://127.0.0.1:PORT (default: $DOCKET_SERVER).") var server: String?

    func run() throws {
        let target = server ?? ProcessInfo.processInfo.environment["DOCKET_SERVER"] ?? ""
        try reportingFailures(store: target) {
            guard !target.isEmpty else { throw CLIError.usage("name the server: docket login https://docket.example.com") }
            let endpoint = try clientCall { () throws(ClientFailure) in try ServerEndpoint.parse(target) }
            if case .socket = endpoint { throw CLIError.usage("the Unix socket identifies you by your OS account: no token needed") }
            let token = String(decoding: Terminal.standardInput(upTo: 4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CLIError.usage("give the token on stdin: echo dkt_… | docket login \(target)") }
            let reply = try clientCall { () throws(ClientFailure) in
                try DocketClient.send(endpoint, server: target, method: "GET", path: "/v1/whoami", token: token)
            }
            guard reply.status == 200, let who = try? JSONDecoder().decode([String: String].self, from: Data(reply.body)) else {
                throw CLIError.forbidden("the server refused the token (HTTP \(reply.status)); create a new one with `docket token create`")
            }
            try Credentials.save(token: token, for: target)
            Terminal.out("logged in to \(target) as \(who["login"] ?? "?")\n")
        }
    }
}
