// Ctrl-C handling: the first SIGINT asks the trainer to checkpoint and stop at the next step.

#if canImport(Glibc)
import Glibc
#endif

/// Set by the SIGINT handler, read by the trainer between steps.
nonisolated(unsafe) public var interruptRequested: sig_atomic_t = 0

public enum InterruptHandler {
    /// Installs the handler; a second Ctrl-C kills the process the default way.
    public static func install() {
        signal(SIGINT) { _ in
            if interruptRequested != 0 { signal(SIGINT, SIG_DFL); raise(SIGINT) }
            interruptRequested = 1
        }
    }
}
