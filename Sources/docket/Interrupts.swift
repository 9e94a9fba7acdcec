#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM end `docket` with one line on stderr and exit 130 or 143 (128 + the signal, as a shell
/// reports it), instead of dying without a word. The handler does only what is safe in a signal handler: one `write`
/// and `_exit`. Stopping there is what kill -9 would do, which every command survives: LMDB keeps what was committed
/// and drops the rest, and the long commands never leave a half-done result that passes for a finished one (a replay
/// or restore is moved into place only once complete, an export or backup written under a hidden name), so running
/// the same command again finishes the job. `docket serve` and `docket intake lmtp --listen` put their own handling
/// in place (drain, close) when they start.
enum Interrupts {
    /// Installs the handler for SIGINT and SIGTERM.
    static func install() {
        _ = (interruptLine.count, terminateLine.count)  // made now: a handler must not allocate
        for signalNumber in [SIGINT, SIGTERM] {
            // A signal ignored when docket starts (a shell's background job ignores SIGINT) stays ignored.
            var current = sigaction()
            guard sigaction(signalNumber, nil, &current) == 0,
                unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self)
            else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                let line = received == SIGINT ? Interrupts.interruptLine : Interrupts.terminateLine
                line.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
                _exit(128 + received)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
        }
    }

    /// The lines the handler writes.
    static let interruptLine = line("interrupted (Ctrl-C)")
    static let terminateLine = line("stopped by SIGTERM")

    private static func line(_ what: String) -> [UInt8] {
        Array(
            ("docket: \(what); what it had committed stays and nothing half-done passes for done: run the same command "
                + "again to finish a rebuild, import, replay, restore, backup or export\n").utf8)
    }
}
