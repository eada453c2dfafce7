/* Fault guard for kernels and shader stages on the CPU backend.
 *
 * A kernel that writes through a wild pointer, divides an integer by zero or overflows its
 * stack must fail its command buffer, not kill the Python interpreter. Each call into
 * generated code goes through pm_guard_call, which records a jump buffer in a thread-local;
 * the SIGSEGV/SIGBUS/SIGFPE/SIGILL handler jumps back there when the fault happened inside a
 * guarded call on this thread, and otherwise hands the signal to whoever had it before.
 * Jumping out of the faulting call skips only generated C++ frames (no destructors).
 * Fibers switch stacks under a guarded call, so the scheduler saves and restores the
 * current jump buffer around each switch (pm_guard_get / pm_guard_set). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

typedef void (*pm_guard_fn)(const void *, void *);

static __thread sigjmp_buf *current;
static __thread int fault_signal;
static __thread uintptr_t fault_addr;
static __thread int altstack_done;

static struct sigaction previous[4];
static const int signals[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t altstack_key;

static void on_fault(int sig, siginfo_t *info, void *uc) {
    sigjmp_buf *jb = current;
    if (jb) {
        current = 0;
        fault_signal = sig;
        fault_addr = (uintptr_t)info->si_addr;
        siglongjmp(*jb, 1);
    }
    for (int i = 0; i < 4; i++) {
        if (signals[i] != sig) continue;
        struct sigaction *old = &previous[i];
        if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
            old->sa_sigaction(sig, info, uc);
            return;
        }
        if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler == SIG_IGN) return;
        if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL) {
            old->sa_handler(sig);
            return;
        }
        /* The default action: restore it; returning re-executes the faulting instruction. */
        sigaction(sig, old, 0);
        return;
    }
}

static void free_altstack(void *p) {
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, 0);
    free(p);
}

static void install(void) {
    pthread_key_create(&altstack_key, free_altstack);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* SA_NODEFER: the jump out of the handler leaves no signal blocked, so the cheap
       sigsetjmp(jb, 0) (no signal-mask syscall) suffices. SA_ONSTACK: stack overflows. */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; i++) sigaction(signals[i], &sa, &previous[i]);
}

/* An alternate signal stack for this thread (unless it has one), so that a stack overflow
   in generated code can still run the handler. Freed when the thread exits. */
static void ensure_altstack(void) {
    altstack_done = 1;
    stack_t old;
    if (sigaltstack(0, &old) == 0 && !(old.ss_flags & SS_DISABLE)) return;
    size_t size = 64 * 1024;
    void *mem = malloc(size);
    if (!mem) return;
    stack_t ss;
    ss.ss_sp = mem;
    ss.ss_size = size;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, 0) != 0) {
        free(mem);
        return;
    }
    pthread_setspecific(altstack_key, mem);
}

/* Calls f(a, b). Returns 0, or the signal number of a fault inside the call. */
int pm_guard_call(pm_guard_fn f, const void *a, void *b) {
    pthread_once(&install_once, install);
    if (!altstack_done) ensure_altstack();
    sigjmp_buf jb;
    sigjmp_buf *outer = current;
    if (sigsetjmp(jb, 0)) {
        current = outer;
        return fault_signal;
    }
    current = &jb;
    f(a, b);
    current = outer;
    return 0;
}

/* The faulting address of the last fault caught on this thread. */
uintptr_t pm_guard_fault_address(void) { return fault_addr; }

void *pm_guard_get(void) { return current; }
void pm_guard_set(void *jb) { current = (sigjmp_buf *)jb; }
