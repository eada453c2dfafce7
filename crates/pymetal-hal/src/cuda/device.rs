//! Driver start-up (never panicking), the per-GPU shared state, and `Device` for CUDA.

use super::{compile, memory, queue};
use crate::{BackendKind, Buffer, ComputePipeline, Device, DeviceInfo, HalError, Queue, StorageMode};
use cudarc::driver::sys::{self, CUdevice_attribute as Attr, CUresult};
use std::any::Any;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Driver entry points we call (cudarc's names, versioned where it loads a `_v2`). All are
/// checked at start-up, because cudarc panics on a missing symbol at the first call.
const REQUIRED: &[&str] = &[
    "cuInit",
    "cuDriverGetVersion",
    "cuDeviceGetCount",
    "cuDeviceGet",
    "cuDeviceGetName",
    "cuDeviceTotalMem_v2",
    "cuDeviceGetAttribute",
    "cuDevicePrimaryCtxRetain",
    "cuDevicePrimaryCtxReset_v2",
    "cuCtxSetCurrent",
    "cuGetErrorName",
    "cuGetErrorString",
    "cuMemAlloc_v2",
    "cuMemFree_v2",
    "cuMemAllocManaged",
    "cuMemGetInfo_v2",
    "cuMemsetD8_v2",
    "cuMemHostAlloc",
    "cuMemFreeHost",
    "cuMemHostRegister_v2",
    "cuMemHostUnregister",
    "cuMemcpyHtoDAsync_v2",
    "cuMemcpyDtoHAsync_v2",
    "cuMemcpyDtoDAsync_v2",
    "cuMemcpy2DAsync_v2",
    "cuStreamSynchronize",
    "cuMemsetD8Async",
    "cuModuleLoadData",
    "cuModuleGetFunction",
    "cuFuncGetAttribute",
    "cuFuncSetAttribute",
    "cuLaunchKernel",
    "cuStreamCreate",
    "cuStreamDestroy_v2",
    "cuEventCreate",
    "cuEventRecord",
    "cuEventSynchronize",
    "cuEventDestroy_v2",
];
/// Used only when present.
const OPTIONAL_PREFETCH: &str = "cuMemPrefetchAsync_v2";

/// A failed driver call: its code and a readable `NAME (description)`.
#[derive(Clone, Debug)]
pub(crate) struct DriverError {
    pub code: u32,
    pub text: String,
}

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl DriverError {
    /// Errors after which the context is unusable until it is reset (sticky errors).
    pub fn is_sticky(&self) -> bool {
        matches!(self.code, 214 | 700 | 702 | 709 | 710 | 714..=719 | 720 | 999)
    }

    pub fn is_out_of_memory(&self) -> bool {
        self.code == 2
    }
}

/// `Ok` or a [`DriverError`] with the driver's name and description of `r`.
pub(crate) fn check(r: CUresult) -> Result<(), DriverError> {
    if r == CUresult::CUDA_SUCCESS {
        return Ok(());
    }
    let mut name: *const c_char = std::ptr::null();
    let mut desc: *const c_char = std::ptr::null();
    // SAFETY: out-pointers are valid; the driver returns static strings or an error.
    unsafe {
        let _ = sys::cuGetErrorName(r, &mut name);
        let _ = sys::cuGetErrorString(r, &mut desc);
    }
    let text_of = |p: *const c_char| {
        // SAFETY: non-null pointers from cuGetError* are static NUL-terminated strings.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    let code = r as u32;
    let text = match (text_of(name), text_of(desc)) {
        (Some(n), Some(d)) => format!("{n} ({d})"),
        (Some(n), None) => n,
        _ => format!("CUDA driver error {code}"),
    };
    Err(DriverError { code, text })
}

/// What start-up learned about the driver.
struct DriverState {
    version: i32,
    can_prefetch: bool,
}

/// Loads libcuda, checks the symbols we use and runs `cuInit`. Never panics.
fn start_driver() -> Result<DriverState, String> {
    // SAFETY: only tries to dlopen the candidate names.
    if !unsafe { sys::is_culib_present() } {
        return Err("no NVIDIA driver: libcuda.so could not be loaded (install the NVIDIA driver to use a \
                    GPU; the CPU device keeps working)"
            .into());
    }
    // SAFETY: the library is present, so culib() loads it instead of panicking.
    let lib = unsafe { sys::culib() };
    let has = |name: &str| {
        // SAFETY: only looks the symbol up; the pointer is never called here.
        unsafe { lib.get::<*const c_void>(name.as_bytes()) }.is_ok()
    };
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|n| !has(n)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "the NVIDIA driver is too old for pymetal (libcuda lacks {}); update the driver",
            missing.join(", ")
        ));
    }
    // SAFETY: symbols checked above.
    check(unsafe { sys::cuInit(0) }).map_err(|e| format!("cuInit failed: {e}"))?;
    let mut version: c_int = 0;
    // SAFETY: valid out-pointer.
    check(unsafe { sys::cuDriverGetVersion(&mut version) }).map_err(|e| format!("cuDriverGetVersion: {e}"))?;
    Ok(DriverState { version, can_prefetch: has(OPTIONAL_PREFETCH) })
}

/// State shared by a device and everything made from it.
///
/// **Faults.** A kernel fault is sticky: every later call on the context fails. The first
/// completion waiter that sees one calls [`DeviceShared::reset_after_fault`], which (with
/// `gate` held for writing) resets the primary context and bumps `gen`. Objects remember
/// the `gen` they were made in: pipelines and queues rebuild their CUDA objects lazily,
/// buffers of an older generation are lost (using one fails the command buffer, dropping
/// one frees nothing).
pub(crate) struct DeviceShared {
    pub ordinal: u32,
    pub cu_device: sys::CUdevice,
    ctx: AtomicPtr<sys::CUctx_st>,
    pub compute_capability: (i32, i32),
    pub driver_version: i32,
    pub can_prefetch: bool,
    pub max_dyn_smem: u32,
    pub gen: AtomicU64,
    /// Read: any driver work. Write: the reset after a fault.
    pub gate: RwLock<()>,
    pub last_fault: Mutex<Option<String>>,
    /// Set when the reset after a fault did not bring the GPU back: the driver keeps the
    /// error for the whole process, so every later use fails with [`Self::lost_message`].
    pub unrecoverable: AtomicBool,
    /// Live managed (Shared) allocations: address → length, for the remap after a reset.
    pub shared_allocs: Mutex<HashMap<u64, usize>>,
    /// Compiled modules of this device by cache key (in-process memo).
    pub modules: Mutex<HashMap<[u8; 32], Arc<compile::CompiledModule>>>,
    /// The same modules by `compile_entries` request (library files, options, entries,
    /// constants), so that a repeated request skips emission.
    pub requests: Mutex<HashMap<[u8; 32], Arc<compile::CompiledModule>>>,
}

// SAFETY: the context handle is usable from any thread (made current per call); all other
// fields are plain data or synchronised.
unsafe impl Send for DeviceShared {}
// SAFETY: as above.
unsafe impl Sync for DeviceShared {}

impl DeviceShared {
    /// Fails with [`Self::lost_message`] once a fault made the GPU unusable in this process.
    pub fn check_usable(&self) -> Result<(), HalError> {
        if self.unrecoverable.load(Ordering::Acquire) {
            return Err(HalError::Device(self.lost_message()));
        }
        Ok(())
    }

    /// Makes this device's primary context current on the calling thread (cheap: no syscall).
    pub fn make_current(&self) -> Result<(), DriverError> {
        // SAFETY: ctx is the retained primary context of this device.
        check(unsafe { sys::cuCtxSetCurrent(self.ctx.load(Ordering::Acquire)) })
    }

    pub fn generation(&self) -> u64 {
        self.gen.load(Ordering::Acquire)
    }

    /// Why objects of an older generation are gone.
    pub fn lost_message(&self) -> String {
        let fault = self.last_fault.lock().map(|f| f.clone()).unwrap_or(None);
        if self.unrecoverable.load(Ordering::Acquire) {
            return format!(
                "GPU {} cannot be used again in this process: an earlier kernel fault ({}) left the NVIDIA \
                 driver's error sticky for the whole process. Restart Python to use this GPU again (the CPU \
                 device keeps working); run with PYMETAL_VALIDATION=1 to find the out-of-range access",
                self.ordinal,
                fault.unwrap_or_else(|| "unknown".into())
            );
        }
        format!(
            "this object was lost when the GPU context was reset after an earlier kernel fault ({}); \
             create new buffers",
            fault.unwrap_or_else(|| "unknown".into())
        )
    }

    /// Resets the context after a sticky error seen in generation `seen_gen` (no-op if another
    /// thread already did). Must be called without `gate` held.
    pub fn reset_after_fault(&self, seen_gen: u64, message: &str) {
        let Ok(_w) = self.gate.write() else { return };
        if self.generation() != seen_gen {
            return;
        }
        if let Ok(mut f) = self.last_fault.lock() {
            *f = Some(message.to_string());
        }
        // Each step's outcome is kept in `last_fault`, so a failed recovery says why.
        let mut steps = Vec::new();
        // SAFETY: unbinding the calling thread's context is always allowed.
        steps.push(("cuCtxSetCurrent(NULL)", check(unsafe { sys::cuCtxSetCurrent(std::ptr::null_mut()) })));
        // SAFETY: resetting destroys every allocation of the context; gen is bumped below with
        // the gate held, so no object of the old generation touches the driver again.
        steps.push(("cuDevicePrimaryCtxReset", check(unsafe { sys::cuDevicePrimaryCtxReset_v2(self.cu_device) })));
        let mut ctx: sys::CUcontext = std::ptr::null_mut();
        // SAFETY: valid out-pointer; re-retaining gives the (re-created) primary context.
        let retained = check(unsafe { sys::cuDevicePrimaryCtxRetain(&mut ctx, self.cu_device) });
        let ok = retained.is_ok();
        steps.push(("cuDevicePrimaryCtxRetain", retained));
        let mut recovered = false;
        if ok {
            self.ctx.store(ctx, Ordering::Release);
            steps.push(("cuCtxSetCurrent", self.make_current()));
            let probe = memory::free_memory().map(|_| ());
            recovered = probe.is_ok();
            steps.push(("cuMemGetInfo", probe));
        }
        if !recovered {
            // A sticky error can survive the primary context's reset (seen on an H100, driver
            // 580: the retain returns the fault again); a fresh, non-primary context may not.
            match fresh_context(self.cu_device) {
                Ok(new_ctx) => {
                    self.ctx.store(new_ctx, Ordering::Release);
                    steps.push(("cuCtxSetCurrent(new context)", self.make_current()));
                    let probe = memory::free_memory().map(|_| ());
                    recovered = probe.is_ok();
                    steps.push(("cuMemGetInfo(new context)", probe));
                }
                Err(e) => steps.push(("cuCtxCreate", Err(e))),
            }
        }
        let failed: Vec<String> =
            steps.iter().filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}"))).collect();
        if !recovered {
            self.unrecoverable.store(true, Ordering::Release);
        }
        if !recovered && !failed.is_empty() {
            if let Ok(mut f) = self.last_fault.lock() {
                *f = Some(format!("{message}; recovery failed: {}", failed.join(", ")));
            }
        }
        if let Ok(mut allocs) = self.shared_allocs.lock() {
            if std::env::var("PYMETAL_CUDA_REMAP_LOST").map(|v| v != "0").unwrap_or(true) {
                for (&addr, &len) in allocs.iter() {
                    memory::remap_lost_host_range(addr, len);
                }
            }
            allocs.clear();
        }
        self.gen.fetch_add(1, Ordering::AcqRel);
    }
}

/// Creates a new (non-primary) context on `dev`, calling `cuCtxCreate_v2` through our own
/// symbol lookup: cudarc panics when a symbol is missing, and newer drivers may drop it.
fn fresh_context(dev: sys::CUdevice) -> Result<sys::CUcontext, DriverError> {
    type CtxCreate = unsafe extern "C" fn(*mut sys::CUcontext, std::ffi::c_uint, sys::CUdevice) -> CUresult;
    let missing = || DriverError { code: 500, text: "cuCtxCreate_v2 not found in libcuda.so.1".into() };
    // SAFETY: loading the driver library that is already loaded only bumps its refcount.
    let lib = unsafe { libloading::Library::new("libcuda.so.1") }.map_err(|_| missing())?;
    // SAFETY: the symbol has this C signature in every driver that exports it.
    let create: libloading::Symbol<CtxCreate> = unsafe { lib.get(b"cuCtxCreate_v2\0") }.map_err(|_| missing())?;
    let mut ctx: sys::CUcontext = std::ptr::null_mut();
    // SAFETY: valid out-pointer; flags 0 = default scheduling.
    check(unsafe { create(&mut ctx, 0, dev) })?;
    // The driver library stays loaded for the process (cudarc holds it too).
    std::mem::forget(lib);
    Ok(ctx)
}

/// A CUDA GPU.
pub struct CudaDevice {
    pub(crate) shared: Arc<DeviceShared>,
    info: DeviceInfo,
}

impl CudaDevice {
    /// `sm_XY` of this GPU.
    pub fn arch(&self) -> String {
        let (ma, mi) = self.shared.compute_capability;
        format!("sm_{ma}{mi}")
    }

    fn open(ordinal: u32, driver: &DriverState) -> Result<CudaDevice, String> {
        let mut dev: sys::CUdevice = 0;
        // SAFETY: valid out-pointer; ordinal < device count.
        check(unsafe { sys::cuDeviceGet(&mut dev, ordinal as c_int) }).map_err(|e| e.to_string())?;
        let attr = |a: Attr| -> i32 {
            let mut v: c_int = 0;
            // SAFETY: valid out-pointer and device.
            let r = check(unsafe { sys::cuDeviceGetAttribute(&mut v, a, dev) });
            if r.is_ok() {
                v
            } else {
                0
            }
        };
        let mut name_buf = [0 as c_char; 256];
        // SAFETY: the buffer has 256 writable bytes, as passed.
        let _ = unsafe { sys::cuDeviceGetName(name_buf.as_mut_ptr(), 256, dev) };
        // SAFETY: the driver wrote a NUL-terminated string (the buffer starts zeroed).
        let name = unsafe { CStr::from_ptr(name_buf.as_ptr()) }.to_string_lossy().into_owned();
        let mut total: usize = 0;
        // SAFETY: valid out-pointer and device.
        check(unsafe { sys::cuDeviceTotalMem_v2(&mut total, dev) }).map_err(|e| e.to_string())?;
        let mut ctx: sys::CUcontext = std::ptr::null_mut();
        // SAFETY: valid out-pointer; the retain is never released (devices live for the process).
        check(unsafe { sys::cuDevicePrimaryCtxRetain(&mut ctx, dev) })
            .map_err(|e| format!("could not create a context on GPU {ordinal}: {e}"))?;
        let cc = (
            attr(Attr::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
            attr(Attr::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
        );
        let optin = attr(Attr::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN).max(0) as u32;
        let smem = attr(Attr::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK).max(0) as u32;
        let max_dyn_smem = optin.max(smem);
        let concurrent = attr(Attr::CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS) != 0;
        let managed = attr(Attr::CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY) != 0;
        let registry_id = 0x4355_0000_0000_0000u64
            | ((attr(Attr::CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID) as u64 & 0xffff) << 24)
            | ((attr(Attr::CU_DEVICE_ATTRIBUTE_PCI_BUS_ID) as u64 & 0xff) << 16)
            | ((attr(Attr::CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID) as u64 & 0xff) << 8)
            | (ordinal as u64 & 0xff);
        if !managed {
            return Err(format!("GPU {ordinal} ({name}) has no managed memory, which Shared buffers need"));
        }
        let info = DeviceInfo {
            name,
            backend: BackendKind::Cuda,
            ordinal,
            registry_id,
            max_threads_per_threadgroup: [1024, 1024, 64],
            max_total_threads_per_threadgroup: 1024,
            thread_execution_width: 32,
            max_threadgroup_memory_length: max_dyn_smem,
            has_unified_memory: false,
            recommended_max_working_set_size: total as u64,
            max_buffer_length: total as u64,
            is_low_power: false,
            is_headless: true,
            is_removable: false,
        };
        let shared = Arc::new(DeviceShared {
            ordinal,
            cu_device: dev,
            ctx: AtomicPtr::new(ctx),
            compute_capability: cc,
            driver_version: driver.version,
            can_prefetch: driver.can_prefetch && concurrent,
            max_dyn_smem,
            gen: AtomicU64::new(0),
            gate: RwLock::new(()),
            last_fault: Mutex::new(None),
            unrecoverable: AtomicBool::new(false),
            shared_allocs: Mutex::new(HashMap::new()),
            modules: Mutex::new(HashMap::new()),
            requests: Mutex::new(HashMap::new()),
        });
        Ok(CudaDevice { shared, info })
    }
}

struct Enumerated {
    devices: Vec<Arc<CudaDevice>>,
    reason: Option<String>,
}

static ENUMERATED: OnceLock<Enumerated> = OnceLock::new();

fn enumerate_once() -> Enumerated {
    let run = || -> Enumerated {
        let driver = match start_driver() {
            Ok(d) => d,
            Err(reason) => return Enumerated { devices: Vec::new(), reason: Some(reason) },
        };
        let mut count: c_int = 0;
        // SAFETY: valid out-pointer; the driver is initialised.
        if let Err(e) = check(unsafe { sys::cuDeviceGetCount(&mut count) }) {
            return Enumerated { devices: Vec::new(), reason: Some(format!("cuDeviceGetCount failed: {e}")) };
        }
        if count <= 0 {
            return Enumerated { devices: Vec::new(), reason: Some("the NVIDIA driver reports no GPU".into()) };
        }
        let mut devices = Vec::new();
        let mut problems = Vec::new();
        for i in 0..count as u32 {
            match CudaDevice::open(i, &driver) {
                Ok(d) => devices.push(Arc::new(d)),
                Err(e) => problems.push(e),
            }
        }
        let reason = devices.is_empty().then(|| problems.join("; "));
        Enumerated { devices, reason }
    };
    match std::panic::catch_unwind(run) {
        Ok(e) => e,
        Err(p) => Enumerated {
            devices: Vec::new(),
            reason: Some(format!("the CUDA driver could not be used: {}", crate::panic_message(p.as_ref()))),
        },
    }
}

/// Every usable GPU (empty without a driver or GPU; never panics). Computed once.
pub fn enumerate() -> Vec<Arc<dyn Device>> {
    ENUMERATED.get_or_init(enumerate_once).devices.iter().map(|d| d.clone() as Arc<dyn Device>).collect()
}

/// Why [`enumerate`] found no GPU (for `python -m pymetal info`); `None` when it found one.
pub fn unavailable_reason() -> Option<String> {
    ENUMERATED.get_or_init(enumerate_once).reason.clone()
}

impl Device for CudaDevice {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn new_buffer(&self, length: usize, mode: StorageMode) -> Result<Arc<dyn Buffer>, HalError> {
        self.shared.check_usable()?;
        Ok(Arc::new(memory::CudaBuffer::new(&self.shared, length, mode)?))
    }

    fn new_sub_buffer(
        &self,
        parent: &Arc<dyn Buffer>,
        offset: usize,
        length: usize,
    ) -> Result<Arc<dyn Buffer>, HalError> {
        self.shared.check_usable()?;
        memory::CudaBuffer::new_view(parent, offset, length).map(|b| Arc::new(b) as Arc<dyn Buffer>).ok_or_else(|| {
            HalError::Device("sub-buffer: parent is not a Shared/Private CUDA buffer or the range exceeds it".into())
        })
    }

    fn new_texture(&self, desc: &crate::TextureDesc) -> Result<Arc<dyn crate::Texture>, HalError> {
        self.shared.check_usable()?;
        Ok(Arc::new(super::texture::CudaTexture::new(&self.shared, desc)?))
    }

    /// Stage functions are compiled for the host: render passes run on the software
    /// rasterizer over managed memory (see [`super::render`]).
    fn new_render_pipeline(
        &self,
        desc: &crate::render::RenderPipelineDesc<'_>,
    ) -> Result<Arc<dyn crate::render::RenderPipeline>, HalError> {
        self.shared.check_usable()?;
        super::render::new_pipeline(desc)
    }

    fn new_compute_pipeline(
        &self,
        library: &msl::Library,
        entry: &str,
        constants: &msl::ConstantValues,
    ) -> Result<Arc<dyn ComputePipeline>, HalError> {
        self.shared.check_usable()?;
        Ok(Arc::new(compile::CudaPipeline::new(&self.shared, library, entry, constants)?))
    }

    fn check_library(&self, library: &msl::Library) -> Result<(), HalError> {
        self.shared.check_usable()?;
        compile::check_library(&self.shared, library)
    }

    fn new_queue(&self) -> Result<Arc<dyn Queue>, HalError> {
        self.shared.check_usable()?;
        Ok(Arc::new(queue::CudaQueue::new(&self.shared)?))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerate_never_panics() {
        let devs = enumerate();
        if devs.is_empty() {
            assert!(unavailable_reason().is_some());
        } else {
            assert!(unavailable_reason().is_none());
            assert_eq!(devs[0].info().backend, BackendKind::Cuda);
        }
        // A second call returns the same answer.
        assert_eq!(enumerate().len(), devs.len());
    }

    #[test]
    fn sticky_codes() {
        let e = |code| DriverError { code, text: String::new() };
        assert!(e(700).is_sticky());
        assert!(e(719).is_sticky());
        assert!(!e(1).is_sticky());
        assert!(e(2).is_out_of_memory());
    }
}
