//! The fiber scheduler: one threadgroup whose threads can reach a barrier.
//!
//! Every GPU thread of the group is a stackful coroutine (`corosensei`) running the
//! generated `pm_entry_<k>` on a 256 KiB stack; the stacks belong to the worker and are
//! reused across groups. A barrier in the kernel calls [`fiber_sync`], which suspends the
//! fiber with the barrier's scope. The scheduler sweeps the fibers round-robin and
//!
//! - releases a **threadgroup** barrier (scope 0) when every live thread of the group
//!   has arrived;
//! - releases a **SIMD-group** barrier (scope 1) when every live thread of that SIMD group
//!   (32 consecutive flat indices) has arrived: only those 32 wait, so
//!   `if (simd_group == 0) { simd_sum(...) }` works;
//! - treats a thread that returned as arrived at every later barrier (its bit leaves
//!   the SIMD group's `simd_live` mask, which the prelude reads);
//! - reports a deadlock (a sweep in which no fiber can run) as an error instead of hanging.

use crate::abi::{PmCpuEntryFn, PmCpuTgStatic, PmCpuThread, PmDispatch, SIMD_SLOT, SIMD_WIDTH};
use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use std::ffi::c_void;

/// Stack of one fiber (virtual; pages are committed only when touched).
pub const FIBER_STACK_BYTES: usize = 256 * 1024;
/// Bytes of SIMD-group exchange area per SIMD group.
pub const SIMD_SCRATCH_BYTES: usize = SIMD_WIDTH as usize * SIMD_SLOT;

type Fiber = Coroutine<(), u32, (), DefaultStack>;

/// What `sched` points at for one fiber: how to suspend it.
struct FiberCtx {
    yielder: *const Yielder<(), u32>,
    /// A fault caught in this thread's kernel code (the fiber then returned).
    fault: Option<super::guard::Fault>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Runnable,
    WaitGroup,
    WaitSimd,
    Done,
}

/// The barrier callback handed to generated code (`pm_cpu_thread::sync`).
///
/// # Safety
/// `sched` must be the `FiberCtx` of the fiber that is running on this OS thread, set up
/// by [`FiberSet::run_group`], and the call must come from inside that fiber.
unsafe extern "C" fn fiber_sync(sched: *mut c_void, _this: *mut PmCpuThread, scope: u32) {
    // SAFETY: per the contract, `sched` is this fiber's context and its yielder pointer was
    // stored when the fiber started; the yielder lives as long as the running coroutine.
    unsafe {
        let ctx = &*(sched as *const FiberCtx);
        // The guard belongs to this fiber's stack: none while others run, ours again after.
        let guard = super::guard::suspend();
        (*ctx.yielder).suspend(scope);
        super::guard::resume(guard);
    }
}

/// Everything the fiber path reuses between groups on one worker thread.
#[derive(Default)]
pub struct FiberSet {
    stacks: Vec<DefaultStack>,
    threads: Vec<PmCpuThread>,
    ctxs: Vec<FiberCtx>,
    live: Vec<u32>,
    arrived: Vec<u32>,
    state: Vec<State>,
    fibers: Vec<Option<Fiber>>,
}

/// Where one group's memory is.
pub struct GroupMemory {
    pub arena: *mut u8,
    pub tg_static: *mut PmCpuTgStatic,
    /// `ceil(n / 32) * SIMD_SCRATCH_BYTES` bytes.
    pub simd_scratch: *mut u8,
}

impl FiberSet {
    /// Runs every thread of group `group` (clipped size `size`) to completion.
    ///
    /// # Safety
    /// `d` must describe a valid dispatch for `entry` (buffers alive, offsets in range) and
    /// `mem` must point to areas sized for this group, unused by anything else meanwhile.
    pub unsafe fn run_group(
        &mut self,
        d: &PmDispatch,
        entry: PmCpuEntryFn,
        group: [u32; 3],
        size: [u32; 3],
        mem: &GroupMemory,
    ) -> Result<(), String> {
        let n = (size[0] * size[1] * size[2]) as usize;
        if n == 0 {
            return Ok(());
        }
        let nsimd = n.div_ceil(SIMD_WIDTH as usize);
        while self.stacks.len() < n {
            let s = DefaultStack::new(FIBER_STACK_BYTES).map_err(|e| format!("cannot allocate a fiber stack: {e}"))?;
            self.stacks.push(s);
        }
        self.live.clear();
        self.live.extend((0..nsimd).map(|g| {
            let lanes = (n - g * SIMD_WIDTH as usize).min(SIMD_WIDTH as usize);
            if lanes == 32 {
                u32::MAX
            } else {
                (1u32 << lanes) - 1
            }
        }));
        self.arrived.clear();
        self.arrived.resize(nsimd, 0);
        self.state.clear();
        self.state.resize(n, State::Runnable);
        self.ctxs.clear();
        self.ctxs.extend((0..n).map(|_| FiberCtx { yielder: std::ptr::null(), fault: None }));
        self.threads.clear();
        for i in 0..n {
            let (x, rest) = (i as u32 % size[0], i as u32 / size[0]);
            let sg = i / SIMD_WIDTH as usize;
            self.threads.push(PmCpuThread {
                tid: [x, rest % size[1], rest / size[1]],
                group,
                tg_size: size,
                flat: i as u32,
                arena: mem.arena,
                tg_static: mem.tg_static,
                // SAFETY: the scratch area holds `nsimd` SIMD groups.
                simd_scratch: unsafe { mem.simd_scratch.add(sg * SIMD_SCRATCH_BYTES) },
                simd_live: &self.live[sg] as *const u32,
                sched: &mut self.ctxs[i] as *mut FiberCtx as *mut c_void,
                sync: Some(fiber_sync),
            });
        }
        // From here on the vectors above are not resized, so the pointers stay valid.
        self.fibers.clear();
        let dp = d as *const PmDispatch;
        for i in 0..n {
            let Some(stack) = self.stacks.pop() else { return Err("fiber stack pool exhausted".into()) };
            let tp = &mut self.threads[i] as *mut PmCpuThread;
            let cp = &mut self.ctxs[i] as *mut FiberCtx;
            self.fibers.push(Some(Coroutine::with_stack(stack, move |y: &Yielder<(), u32>, ()| {
                // SAFETY: `cp`, `tp` and `dp` outlive the group (see above); the entry follows
                // the ABI and runs only on this fiber.
                unsafe {
                    (*cp).yielder = y as *const Yielder<(), u32>;
                    if let Err(f) = super::guard::call(entry, dp, tp) {
                        (*cp).fault = Some(f);
                    }
                }
            })));
        }
        let mut result = self.schedule(n, group);
        self.reclaim();
        if let Some((i, f)) = self.ctxs.iter().enumerate().find_map(|(i, c)| c.fault.map(|f| (i, f))) {
            let t = self.threads[i].tid;
            result = Err(format!(
                "{f} in thread ({}, {}, {}) of threadgroup ({}, {}, {})",
                t[0], t[1], t[2], group[0], group[1], group[2]
            ));
        }
        result
    }

    fn schedule(&mut self, n: usize, group: [u32; 3]) -> Result<(), String> {
        let mut live_threads = n;
        let mut at_group_barrier = 0usize;
        loop {
            let mut progressed = false;
            for i in 0..n {
                if self.state[i] != State::Runnable {
                    continue;
                }
                progressed = true;
                let Some(fiber) = self.fibers[i].as_mut() else { return Err("fiber lost".into()) };
                let sg = i / SIMD_WIDTH as usize;
                let bit = 1u32 << (i % SIMD_WIDTH as usize);
                match fiber.resume(()) {
                    CoroutineResult::Yield(0) => {
                        self.state[i] = State::WaitGroup;
                        at_group_barrier += 1;
                    }
                    CoroutineResult::Yield(_) => {
                        self.state[i] = State::WaitSimd;
                        self.arrived[sg] |= bit;
                    }
                    CoroutineResult::Return(()) => {
                        self.state[i] = State::Done;
                        live_threads -= 1;
                        self.live[sg] &= !bit;
                        if let Some(f) = self.fibers[i].take() {
                            self.stacks.push(f.into_stack());
                        }
                    }
                }
                if at_group_barrier > 0 && at_group_barrier == live_threads {
                    for s in self.state[..n].iter_mut().filter(|s| **s == State::WaitGroup) {
                        *s = State::Runnable;
                    }
                    at_group_barrier = 0;
                }
                if self.arrived[sg] != 0 && self.arrived[sg] == self.live[sg] {
                    let lo = sg * SIMD_WIDTH as usize;
                    let hi = (lo + SIMD_WIDTH as usize).min(n);
                    for s in self.state[lo..hi].iter_mut().filter(|s| **s == State::WaitSimd) {
                        *s = State::Runnable;
                    }
                    self.arrived[sg] = 0;
                }
            }
            if live_threads == 0 {
                return Ok(());
            }
            if !progressed {
                let simd = self.state[..n].iter().filter(|s| **s == State::WaitSimd).count();
                return Err(format!(
                    "deadlock in threadgroup ({}, {}, {}): {at_group_barrier} thread(s) wait at a threadgroup \
                     barrier and {simd} at a SIMD-group operation, and neither can complete (every thread of a \
                     barrier's scope that has not returned must reach the same barrier)",
                    group[0], group[1], group[2]
                ));
            }
        }
    }

    /// Returns every stack to the pool, abandoning fibers that did not finish.
    fn reclaim(&mut self) {
        for slot in self.fibers.iter_mut() {
            if let Some(mut f) = slot.take() {
                if !f.done() {
                    // SAFETY: the fiber is suspended inside `fiber_sync`, below generated C++
                    // frames that must not be unwound; abandoning them (like longjmp) leaks
                    // only what they hold on the stack, and the stack is reused from scratch.
                    unsafe { f.force_reset() };
                }
                self.stacks.push(f.into_stack());
            }
        }
    }
}
