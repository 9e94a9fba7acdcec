import Allocator
import DocketCLI
import DocketClient

#if canImport(Glibc)
import Glibc
#endif

AllocatorTuning.apply()
Interrupts.install()
// With $DOCKET_SERVER set, the client sends the command line to the server untouched (the server parses it):
// nothing of the embedded CLI runs, so a client process starts as a small C-like program would.
let arguments = Array(CommandLine.arguments.dropFirst())
if let server = DocketClient.server(for: arguments) {
    exit(DocketClient.run(arguments, server: server))
}
DocketCommand.runEmbedded()
