/// Set-up steps that many end-to-end suites share, run through the suite's own way of running `docket` (its store,
/// clock and mode), so they are the real commands, embedded or served.
public enum StoreSetUp {
    /// Adds `users` (login, role) in order, each as `docket user add LOGIN --name Login --email LOGIN@msp.example --role
    /// ROLE` run by `run` (as the store's admin); throws naming the first one refused, with what docket said.
    public static func addUsers(_ users: [(String, String)], with run: ([String]) throws -> DocketRun) throws {
        for (login, role) in users {
            let added = try run(["user", "add", login, "--name", login.capitalized, "--email", "\(login)@msp.example", "--role", role])
            guard added.status == 0 else {
                throw StoreSetUpError(description: "user add \(login) (\(role)) failed, exit \(added.status): \(added.stderr)")
            }
        }
    }
}

/// A set-up step docket refused: the test cannot go on.
public struct StoreSetUpError: Error, CustomStringConvertible {
    public let description: String
}
