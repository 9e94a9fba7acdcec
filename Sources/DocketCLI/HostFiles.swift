import DocketApp

/// Files and programs named on a command line are on the host the command runs on: the user's own machine when
/// `docket` runs embedded, the server's host when it runs through `docket serve`. There the command runs as the
/// server's OS user, which can read the store's key files and more, so a caller naming a file, a folder or a program
/// on that host must be an admin; everyone else sends the file's content on stdin (`--file -`, `docket import <
/// FILE`, `docket intake email < MSG`). Embedded, nothing changes: the OS already decides what the user may open.
enum HostFiles {
    /// Refuses (exit 5) a caller through the server who is not an admin; `use` says what the command was asked to
    /// do with the host (e.g. "read --file cal.yaml") and `instead` how to do it without the host's files.
    static func requireAccess(to use: String, instead: String) throws {
        guard let served = ServedInvocation.current, let session = ServedStore.session else { return }
        try session.log.requireAdmin(served.actor, to: "\(use) on the server's host", fix: instead)
    }

    /// `requireAccess` for a YAML or JSON file given as `flag` (an option, or a name for an argument): stdin (`-`) is
    /// always allowed.
    static func requireRead(_ path: String, flag: String) throws {
        guard path != "-" else { return }
        let stdin = flag.hasPrefix("--") ? "`\(flag) -`" : "`-` in place of the file"
        try requireAccess(to: "read \(flag) \(path)", instead: "send the file on stdin with \(stdin)")
    }
}
