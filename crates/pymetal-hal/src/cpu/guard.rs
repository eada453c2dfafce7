//! Faults in generated code become errors instead of killing the process (csrc/guard.c).
//!
//! Every call from Rust into a compiled kernel or shader stage goes through [`call`]. A
//! SIGSEGV (wild pointer), SIGBUS, SIGFPE (integer division by zero) or SIGILL inside it
//! returns [`Fault`]; the memory the code wrote before the fault stays written, as on a GPU.

use std::ffi::c_void;

extern "C" {
    fn pm_guard_call(f: unsafe extern "C" fn(*const c_void, *mut c_void), a: *const c_void, b: *mut c_void) -> i32;
    fn pm_guard_fault_address() -> usize;
    fn pm_guard_get() -> *mut c_void;
    fn pm_guard_set(jb: *mut c_void);
}

/// A fault caught inside generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub signal: i32,
    pub address: usize,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.signal {
            libc::SIGSEGV => "invalid memory access (out-of-bounds or wild pointer, or a stack overflow)",
            libc::SIGBUS => "bus error (misaligned or unmapped memory access)",
            libc::SIGFPE => "arithmetic fault (integer division by zero or overflow)",
            libc::SIGILL => "illegal instruction (trap)",
            _ => "fault",
        };
        write!(f, "{what} at address {:#x}", self.address)
    }
}

/// Calls `f(a, b)` under the fault guard.
///
/// # Safety
/// As calling `f(a, b)` directly. `f` must be generated code (no destructors may be skipped
/// by the jump out of a fault).
pub unsafe fn call<A, B>(f: unsafe extern "C" fn(*const A, *mut B), a: *const A, b: *mut B) -> Result<(), Fault> {
    // SAFETY: both pointer types are thin, so the signatures are ABI-identical.
    let f: unsafe extern "C" fn(*const c_void, *mut c_void) = unsafe { std::mem::transmute(f) };
    // SAFETY: per the caller's contract.
    let sig = unsafe { pm_guard_call(f, a.cast(), b.cast()) };
    if sig == 0 {
        Ok(())
    } else {
        // SAFETY: reads a thread-local written by the handler on this thread.
        Err(Fault { signal: sig, address: unsafe { pm_guard_fault_address() } })
    }
}

/// Takes the guard of the code running on this thread off (before a fiber switch: each
/// fiber runs its own guarded call), to be put back with [`resume`].
pub fn suspend() -> *mut c_void {
    // SAFETY: thread-local accesses; null means "no guarded call running".
    unsafe {
        let g = pm_guard_get();
        pm_guard_set(std::ptr::null_mut());
        g
    }
}

/// Re-installs a guard saved by [`suspend`] on the same fiber.
///
/// # Safety
/// `saved` must come from [`suspend`] in the fiber now resumed, whose guarded call is live.
pub unsafe fn resume(saved: *mut c_void) {
    // SAFETY: per the contract.
    unsafe { pm_guard_set(saved) }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn wild_write(a: *const u64, _b: *mut u8) {
        // SAFETY: deliberately not: the guard must catch this.
        unsafe { std::ptr::write_volatile(*a as *mut u32, 1) };
    }

    unsafe extern "C" fn add_one(a: *const u64, b: *mut u64) {
        // SAFETY: valid pointers from the test.
        unsafe { *b = *a + 1 };
    }

    #[test]
    fn a_wild_write_is_a_fault_and_the_thread_goes_on() {
        for _ in 0..3 {
            let addr: u64 = 0x10;
            let r = unsafe { call(wild_write, &addr, std::ptr::null_mut()) };
            let f = r.unwrap_err();
            assert_eq!(f.signal, libc::SIGSEGV);
            assert_eq!(f.address, 0x10);
        }
        let (a, mut b) = (41u64, 0u64);
        assert_eq!(unsafe { call(add_one, &a, &mut b) }, Ok(()));
        assert_eq!(b, 42);
        assert!(suspend().is_null());
    }

    #[test]
    fn faults_on_many_threads() {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let addr: u64 = 0x20;
                    unsafe { call(wild_write, &addr, std::ptr::null_mut()) }.unwrap_err().signal
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), libc::SIGSEGV);
        }
    }
}
