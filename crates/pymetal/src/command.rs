//! Command queues and command buffers: recording, commit, status and completion.
//!
//! A command buffer records commands from one encoder at a time. `commit` hands the list
//! to the queue's backend; the backend reports "scheduled" and "completed" through the
//! callbacks of the `Submission`, which move the status, wake waiters (a Condvar) and run
//! the handlers, once each, on the backend's thread. A handler added after the event ran
//! runs at once on the caller's thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use pymetal_hal as hal;

use crate::device::Device;
use crate::encoder::{BlitCommandEncoder, ComputeCommandEncoder};
use crate::{lock, Classify, ErrorKind};

/// Metal's MTLCommandBufferStatus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum CommandBufferStatus {
    NotEnqueued = 0,
    Enqueued = 1,
    Committed = 2,
    Scheduled = 3,
    Completed = 4,
    Error = 5,
}

impl CommandBufferStatus {
    fn is_done(self) -> bool {
        matches!(self, CommandBufferStatus::Completed | CommandBufferStatus::Error)
    }
    fn is_open(self) -> bool {
        matches!(self, CommandBufferStatus::NotEnqueued | CommandBufferStatus::Enqueued)
    }
}

/// Why a queue could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewCommandQueueError {
    #[error("Device.new_command_queue: {0}")]
    Device(#[from] hal::HalError),
}

impl Classify for NewCommandQueueError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Device
    }
}

/// Why an encoder could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewEncoderError {
    #[error("{method}: another encoder of this command buffer is still open (call end_encoding() on it first)")]
    EncoderOpen { method: &'static str },
    #[error("{method}: the command buffer was already committed")]
    Committed { method: &'static str },
}

impl Classify for NewEncoderError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Why `commit` or `enqueue` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    #[error("{method}: the command buffer was already committed")]
    AlreadyCommitted { method: &'static str },
    #[error("{method}: the command buffer was already enqueued")]
    AlreadyEnqueued { method: &'static str },
    #[error("{method}: an encoder is still open (call end_encoding() first)")]
    EncoderOpen { method: &'static str },
}

impl Classify for CommitError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Why a wait was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    #[error("{method}: the command buffer was never committed, so this would wait forever (call commit() first)")]
    NotCommitted { method: &'static str },
}

impl Classify for WaitError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Runs commands of its command buffers in commit order.
#[derive(Clone)]
pub struct CommandQueue(Arc<QueueInner>);

struct QueueInner {
    device: Device,
    hal: Arc<dyn hal::Queue>,
    label: Mutex<String>,
}

impl PartialEq for CommandQueue {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for CommandQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommandQueue(label={:?})", self.label())
    }
}

impl CommandQueue {
    pub(crate) fn new(device: Device, hal: Arc<dyn hal::Queue>) -> CommandQueue {
        CommandQueue(Arc::new(QueueInner { device, hal, label: Mutex::new(String::new()) }))
    }
    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }
    /// A new, empty command buffer.
    pub fn command_buffer(&self) -> CommandBuffer {
        CommandBuffer(Arc::new(CbInner {
            queue: self.clone(),
            state: Mutex::new(CbState {
                status: CommandBufferStatus::NotEnqueued,
                error: None,
                label: String::new(),
                commands: Vec::new(),
                open_encoder: None,
                next_encoder: 0,
                scheduled: Vec::new(),
                completed: Vec::new(),
            }),
            cond: Condvar::new(),
            done: AtomicBool::new(false),
        }))
    }
}

/// A callback run with the command buffer it was added to.
pub type Handler = Box<dyn FnOnce(&CommandBuffer) + Send>;

/// A list of commands, committed once to its queue.
#[derive(Clone)]
pub struct CommandBuffer(Arc<CbInner>);

struct CbInner {
    queue: CommandQueue,
    state: Mutex<CbState>,
    cond: Condvar,
    /// Set (after `state`) once the status is Completed or Error: waiters poll it briefly
    /// before sleeping on `cond` (see `spin_budget`).
    done: AtomicBool,
}

/// How long `wait_until_completed` polls for completion before sleeping on the Condvar:
/// a sleeping thread takes several µs to wake, which dominates the commit+wait of small
/// GPU kernels. `PYMETAL_WAIT_SPIN_US` (default 100; 0 = never spin); no spinning on
/// machines with fewer than 4 CPUs (a spinning waiter would steal the backend's CPU).
fn spin_budget() -> Duration {
    static US: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let us = *US.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let default = if cpus >= 4 { 100 } else { 0 };
        std::env::var("PYMETAL_WAIT_SPIN_US").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
    });
    Duration::from_micros(us)
}

pub(crate) struct CbState {
    status: CommandBufferStatus,
    error: Option<hal::ExecError>,
    label: String,
    commands: Vec<hal::Command>,
    /// Id of the encoder currently recording, if any.
    open_encoder: Option<u64>,
    next_encoder: u64,
    scheduled: Vec<Handler>,
    completed: Vec<Handler>,
}

impl PartialEq for CommandBuffer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for CommandBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommandBuffer(status={:?})", self.status())
    }
}

/// Why an encoder may not record now (used by the encoders).
pub(crate) enum RecordState {
    Ended,
    Committed,
}

impl CommandBuffer {
    pub fn command_queue(&self) -> &CommandQueue {
        &self.0.queue
    }
    pub fn device(&self) -> &Device {
        self.0.queue.device()
    }
    pub fn status(&self) -> CommandBufferStatus {
        lock(&self.0.state).status
    }
    /// The fault that put the buffer in `Error`, if any.
    pub fn error(&self) -> Option<hal::ExecError> {
        lock(&self.0.state).error.clone()
    }
    pub fn label(&self) -> String {
        lock(&self.0.state).label.clone()
    }
    pub fn set_label(&self, label: &str) {
        lock(&self.0.state).label = label.to_string();
    }

    pub(crate) fn open_encoder(&self, method: &'static str) -> Result<u64, NewEncoderError> {
        let mut st = lock(&self.0.state);
        if !st.status.is_open() {
            return Err(NewEncoderError::Committed { method });
        }
        if st.open_encoder.is_some() {
            return Err(NewEncoderError::EncoderOpen { method });
        }
        st.next_encoder += 1;
        let id = st.next_encoder;
        st.open_encoder = Some(id);
        Ok(id)
    }

    pub fn compute_command_encoder(&self) -> Result<ComputeCommandEncoder, NewEncoderError> {
        let id = self.open_encoder("CommandBuffer.compute_command_encoder")?;
        Ok(ComputeCommandEncoder::new(self.clone(), id))
    }

    pub fn blit_command_encoder(&self) -> Result<BlitCommandEncoder, NewEncoderError> {
        let id = self.open_encoder("CommandBuffer.blit_command_encoder")?;
        Ok(BlitCommandEncoder::new(self.clone(), id))
    }

    /// Runs `f` with the command list if encoder `id` may record now.
    pub(crate) fn with_recording<R>(
        &self,
        id: u64,
        f: impl FnOnce(&mut Vec<hal::Command>) -> R,
    ) -> Result<R, RecordState> {
        let mut st = lock(&self.0.state);
        if st.open_encoder != Some(id) {
            return Err(RecordState::Ended);
        }
        if !st.status.is_open() {
            return Err(RecordState::Committed);
        }
        Ok(f(&mut st.commands))
    }

    /// Closes encoder `id`.
    pub(crate) fn end_encoder(&self, id: u64) -> Result<(), RecordState> {
        let mut st = lock(&self.0.state);
        if st.open_encoder != Some(id) {
            return Err(RecordState::Ended);
        }
        st.open_encoder = None;
        Ok(())
    }

    /// Whether encoder `id` is still the one recording.
    pub(crate) fn is_encoder_open(&self, id: u64) -> bool {
        lock(&self.0.state).open_encoder == Some(id)
    }

    /// Reserves this buffer's place in its queue (status Enqueued).
    pub fn enqueue(&self) -> Result<(), CommitError> {
        let method = "CommandBuffer.enqueue";
        let mut st = lock(&self.0.state);
        match st.status {
            CommandBufferStatus::NotEnqueued => {
                st.status = CommandBufferStatus::Enqueued;
                Ok(())
            }
            CommandBufferStatus::Enqueued => Err(CommitError::AlreadyEnqueued { method }),
            _ => Err(CommitError::AlreadyCommitted { method }),
        }
    }

    /// Hands the recorded commands to the backend. Returns once they are submitted (the
    /// noop and some other backends complete them before returning).
    pub fn commit(&self) -> Result<(), CommitError> {
        let method = "CommandBuffer.commit";
        let commands = {
            let mut st = lock(&self.0.state);
            if !st.status.is_open() {
                return Err(CommitError::AlreadyCommitted { method });
            }
            if st.open_encoder.is_some() {
                return Err(CommitError::EncoderOpen { method });
            }
            st.status = CommandBufferStatus::Committed;
            std::mem::take(&mut st.commands)
        };
        let (a, b) = (self.clone(), self.clone());
        let work = hal::Submission {
            commands,
            on_scheduled: Box::new(move || a.mark_scheduled()),
            on_completed: Box::new(move |r| b.mark_completed(r)),
        };
        self.0.queue.0.hal.submit(work);
        Ok(())
    }

    fn mark_scheduled(&self) {
        let handlers = {
            let mut st = lock(&self.0.state);
            if st.status == CommandBufferStatus::Committed {
                st.status = CommandBufferStatus::Scheduled;
            }
            std::mem::take(&mut st.scheduled)
        };
        self.0.cond.notify_all();
        self.run(handlers);
    }

    fn mark_completed(&self, result: Result<(), hal::ExecError>) {
        let (scheduled, completed) = {
            let mut st = lock(&self.0.state);
            match result {
                Ok(()) => st.status = CommandBufferStatus::Completed,
                Err(e) => {
                    st.status = CommandBufferStatus::Error;
                    st.error = Some(e);
                }
            }
            self.0.done.store(true, Ordering::Release);
            (std::mem::take(&mut st.scheduled), std::mem::take(&mut st.completed))
        };
        self.0.cond.notify_all();
        self.run(scheduled);
        self.run(completed);
    }

    fn run(&self, handlers: Vec<Handler>) {
        for h in handlers {
            // A panicking handler must not take the backend's thread down with it.
            let _ = catch_unwind(AssertUnwindSafe(|| h(self)));
        }
    }

    /// Runs `handler` once the work completed (or failed); at once if it already has.
    pub fn add_completed_handler(&self, handler: impl FnOnce(&CommandBuffer) + Send + 'static) {
        let mut st = lock(&self.0.state);
        if st.status.is_done() {
            drop(st);
            self.run(vec![Box::new(handler)]);
        } else {
            st.completed.push(Box::new(handler));
        }
    }

    /// Runs `handler` once the work is scheduled; at once if it already is.
    pub fn add_scheduled_handler(&self, handler: impl FnOnce(&CommandBuffer) + Send + 'static) {
        let mut st = lock(&self.0.state);
        if st.status >= CommandBufferStatus::Scheduled {
            drop(st);
            self.run(vec![Box::new(handler)]);
        } else {
            st.scheduled.push(Box::new(handler));
        }
    }

    /// Polls `done` for up to `spin_budget()` (at most `limit`); whether it was set.
    fn spin_until_done(&self, limit: Duration) -> bool {
        let budget = spin_budget().min(limit);
        if budget.is_zero() {
            return self.0.done.load(Ordering::Acquire);
        }
        let start = Instant::now();
        loop {
            if self.0.done.load(Ordering::Acquire) {
                return true;
            }
            if start.elapsed() >= budget {
                return false;
            }
            hal::backoff();
        }
    }

    fn wait_for(&self, method: &'static str, done: impl Fn(CommandBufferStatus) -> bool) -> Result<(), WaitError> {
        let mut st = lock(&self.0.state);
        if st.status.is_open() {
            return Err(WaitError::NotCommitted { method });
        }
        while !done(st.status) {
            st = self.0.cond.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        Ok(())
    }

    /// Like the waits below, giving up after `timeout`; returns whether the state was reached
    /// (callers that must stay interruptible wait in slices).
    pub fn wait_for_timeout(&self, scheduled_only: bool, timeout: std::time::Duration) -> Result<bool, WaitError> {
        let (method, target) = if scheduled_only {
            ("CommandBuffer.wait_until_scheduled", CommandBufferStatus::Scheduled)
        } else {
            ("CommandBuffer.wait_until_completed", CommandBufferStatus::Completed)
        };
        let deadline = std::time::Instant::now() + timeout;
        if !scheduled_only {
            {
                let st = lock(&self.0.state);
                if st.status.is_open() {
                    return Err(WaitError::NotCommitted { method });
                }
            }
            if self.spin_until_done(timeout) {
                return Ok(true);
            }
        }
        let mut st = lock(&self.0.state);
        if st.status.is_open() {
            return Err(WaitError::NotCommitted { method });
        }
        while st.status < target {
            let now = std::time::Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            st = self.0.cond.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
        Ok(true)
    }

    /// Blocks until the work completed or failed (check [`status`](Self::status)).
    pub fn wait_until_completed(&self) -> Result<(), WaitError> {
        if !lock(&self.0.state).status.is_open() && self.spin_until_done(Duration::MAX) {
            return Ok(());
        }
        self.wait_for("CommandBuffer.wait_until_completed", |s| s.is_done())
    }

    /// Blocks until the work is scheduled (or done).
    pub fn wait_until_scheduled(&self) -> Result<(), WaitError> {
        self.wait_for("CommandBuffer.wait_until_scheduled", |s| s >= CommandBufferStatus::Scheduled)
    }
}
