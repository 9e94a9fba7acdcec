#ifndef DOCKET_CLMDB_SHIM_H
#define DOCKET_CLMDB_SHIM_H
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/*
 * A last line of defence for a damaged data file: liblmdb trusts the pages it walks, and a flipped bit can make it
 * dereference a wild pointer. When a SIGSEGV or SIGBUS comes from liblmdb's own code, or touches the data file's
 * mapping, the process writes one line to stderr and exits with the store-is-damaged status (what kill -9 would
 * leave: LMDB's commits stay atomic). Any other fault goes to the handler that was there before (the Swift runtime's
 * backtracer), so real bugs still crash loudly. Installed by the LMDB module (FaultGuard.swift).
 */
struct docket_fault_state {
    uintptr_t codeLow, codeHigh;
    volatile uintptr_t mapLow, mapHigh;
    char message[2048];
    size_t length;
    int status;
    struct sigaction previousSegv, previousBus;
};

/* The one state of the guard (a function-local static: a header's file-scope statics are not emitted for Swift). */
static inline struct docket_fault_state *docket_fault_state(void) {
    static struct docket_fault_state state;
    return &state;
}

static inline uintptr_t docket_fault_pc(void *context) {
#if defined(__x86_64__) && defined(__linux__)
    return (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[16]; /* REG_RIP */
#elif defined(__aarch64__) && defined(__linux__)
    return (uintptr_t)((ucontext_t *)context)->uc_mcontext.pc;
#else
    (void)context;
    return 0;
#endif
}

static void docket_fault_handler(int sig, siginfo_t *info, void *context) {
    struct docket_fault_state *state = docket_fault_state();
    uintptr_t pc = docket_fault_pc(context);
    uintptr_t address = (uintptr_t)info->si_addr;
    int inLMDB = pc >= state->codeLow && pc < state->codeHigh;
    int inMap = address >= state->mapLow && address < state->mapHigh;
    if (inLMDB || inMap) {
        ssize_t ignored = write(2, state->message, state->length);
        (void)ignored;
        _exit(state->status);
    }
    struct sigaction *previous = sig == SIGBUS ? &state->previousBus : &state->previousSegv;
    if ((previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction) {
        previous->sa_sigaction(sig, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(sig);
    } else {
        /* Back to the default action: returning re-runs the faulting instruction, which now terminates. */
        sigaction(sig, previous, NULL);
    }
}

/** Installs the handler (once); `code` is liblmdb's executable range, `message` the line to print. */
static inline void docket_fault_install(uintptr_t codeLow, uintptr_t codeHigh, const char *message, int status) {
    struct docket_fault_state *state = docket_fault_state();
    size_t length = strlen(message);
    if (length >= sizeof(state->message)) length = sizeof(state->message) - 1;
    memcpy(state->message, message, length);
    state->length = length;
    state->status = status;
    if (state->codeHigh != 0) {
        state->codeLow = codeLow;
        state->codeHigh = codeHigh;
        return;
    }
    state->codeLow = codeLow;
    state->codeHigh = codeHigh;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = docket_fault_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &state->previousSegv);
    sigaction(SIGBUS, &action, &state->previousBus);
}

/** The data file's mapping, for faults in code that reads it on LMDB's behalf (memcpy in libc). */
static inline void docket_fault_set_map(uintptr_t low, uintptr_t high) {
    struct docket_fault_state *state = docket_fault_state();
    state->mapLow = low;
    state->mapHigh = high;
}
/* Asks the CPU to bring `bytes` from `start` into its caches, a cache line (64 bytes) at a time, without waiting for
 * them. A prefetch never faults: an address outside any mapping is simply not loaded. */
static inline void docket_prefetch(const void *start, size_t bytes) {
    const char *first = (const char *)start;
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(first + offset, 0, 3);
}
#endif
