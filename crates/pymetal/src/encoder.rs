//! Compute and blit encoders: they validate each call and record commands into their
//! command buffer. Nothing runs before `commit`.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use pymetal_hal as hal;

use crate::command::{CommandBuffer, RecordState};
use crate::library::ComputePipelineState;
use crate::resource::Buffer;
use crate::sampler::SamplerState;
use crate::texture::{Region, Texture, TextureRegionError};
use crate::{lock, Classify, ErrorKind};

mod texture_blit;
pub use texture_blit::TextureBlitError;

/// Highest buffer (and threadgroup-memory) index of an encoder.
pub const MAX_BUFFER_INDEX: u32 = 31;
/// Highest texture index of an encoder.
pub const MAX_TEXTURE_INDEX: u32 = 31;
/// Highest sampler index of an encoder (16, as the reference accepts; kernels can use 0..15).
pub const MAX_SAMPLER_INDEX: u32 = 16;
/// Most bytes `set_bytes` takes (Metal's limit; use a buffer for more).
pub const MAX_SET_BYTES: usize = 4096;

/// Why an encoder call was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    #[error("{method}: the encoder has ended (end_encoding() was called)")]
    Ended { method: &'static str },
    #[error("{method}: the command buffer was already committed")]
    Committed { method: &'static str },
    #[error("{method}: buffer index {index} exceeds maximum (31)")]
    BufferIndex { method: &'static str, index: u64 },
    #[error("{method}: texture index {index} exceeds maximum (31)")]
    TextureIndex { method: &'static str, index: u64 },
    #[error("{method}: sampler index {index} exceeds maximum (16)")]
    SamplerIndex { method: &'static str, index: u64 },
    #[error("{method}: threadgroup memory index {index} exceeds maximum (31)")]
    ThreadgroupMemoryIndex { method: &'static str, index: u64 },
    #[error("{method}: offset {offset} is beyond the end of the buffer (length {length})")]
    OffsetOutOfBounds { method: &'static str, offset: u64, length: usize },
    #[error("{method}: {what} range {offset}..{end} exceeds the buffer's length ({length})")]
    RangeOutOfBounds { method: &'static str, what: &'static str, offset: u64, end: u128, length: usize },
    #[error("{method}: data of {length} bytes exceeds maximum ({max} bytes); use a buffer instead")]
    BytesTooLong { method: &'static str, length: usize, max: usize },
    #[error("{method}: data must not be empty")]
    BytesEmpty { method: &'static str },
    #[error("{method}: length {length} exceeds the device's max_threadgroup_memory_length ({max})")]
    ThreadgroupMemoryTooLong { method: &'static str, length: u64, max: u32 },
    #[error("{method}: the {what} belongs to another device ({other}) than the command buffer ({this})")]
    WrongDevice { method: &'static str, what: &'static str, other: String, this: String },
}

impl Classify for EncodeError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Why a dispatch was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("Threadgroup grid dimensions must be greater than 0")]
    ZeroThreadgroups { threadgroups: [u32; 3] },
    #[error("Threads per threadgroup dimensions must be greater than 0")]
    ZeroThreadsPerThreadgroup { threads_per_threadgroup: [u32; 3] },
    #[error("Thread grid dimensions must be greater than 0")]
    ZeroThreads { threads: [u32; 3] },
    #[error("{method}: no compute pipeline state is set (call set_compute_pipeline_state() first)")]
    NoPipeline { method: &'static str },
    #[error(
        "{method}: threads per threadgroup {}x{}x{} = {total} exceeds the pipeline's \
         max_total_threads_per_threadgroup ({max})", size[0], size[1], size[2]
    )]
    ThreadgroupTooLarge { method: &'static str, size: [u32; 3], total: u64, max: u32 },
    #[error("{method}: threads per threadgroup in {axis} is {value}, more than the device allows ({max})")]
    ThreadgroupDimensionTooLarge { method: &'static str, axis: char, value: u32, max: u32 },
    #[error("{method}: the grid has {total} threads in {axis}, more than 4294967295")]
    GridTooLarge { method: &'static str, axis: char, total: u64 },
    #[error(
        "{method}: kernel '{kernel}' needs a buffer at index {index} (parameter '{param}'), but none is set \
         (call set_buffer or set_bytes with index {index})"
    )]
    MissingBuffer { method: &'static str, kernel: String, param: String, index: u32 },
    #[error(
        "{method}: kernel '{kernel}' needs threadgroup memory at index {index} (parameter '{param}'), but none is \
         set (call set_threadgroup_memory_length with index {index})"
    )]
    MissingThreadgroupMemory { method: &'static str, kernel: String, param: String, index: u32 },
    #[error(
        "{method}: kernel '{kernel}' needs a texture at index {index} (parameter '{param}'), but none is set \
         (call set_texture with index {index})"
    )]
    MissingTexture { method: &'static str, kernel: String, param: String, index: u32 },
    #[error(
        "{method}: kernel '{kernel}' needs a sampler at index {index} (parameter '{param}'), but none is set \
         (call set_sampler_state with index {index})"
    )]
    MissingSampler { method: &'static str, kernel: String, param: String, index: u32 },
    #[error(
        "{method}: threadgroup memory of {total} bytes (static {static_len} + arguments) exceeds the device's \
         max_threadgroup_memory_length ({max})"
    )]
    ThreadgroupMemoryTooLarge { method: &'static str, total: u64, static_len: u32, max: u32 },
}

impl Classify for DispatchError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Why a blit copy between a buffer and a texture was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextureCopyError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    Region(#[from] TextureRegionError),
    #[error("{method}: the {what} belongs to another device ({other}) than the command buffer ({this})")]
    WrongDevice { method: &'static str, what: &'static str, other: String, this: String },
    #[error("{method}: {what} {value} is not a multiple of the texture's pixel size ({bpp} bytes)")]
    Misaligned { method: &'static str, what: &'static str, value: u64, bpp: u32 },
}

impl Classify for TextureCopyError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

fn record_err(method: &'static str, e: RecordState) -> EncodeError {
    match e {
        RecordState::Ended => EncodeError::Ended { method },
        RecordState::Committed => EncodeError::Committed { method },
    }
}

fn check_device(
    cb: &CommandBuffer,
    method: &'static str,
    what: &'static str,
    dev: &crate::Device,
) -> Result<(), EncodeError> {
    if dev != cb.device() {
        return Err(EncodeError::WrongDevice { method, what, other: dev.spec(), this: cb.device().spec() });
    }
    Ok(())
}

fn check_range(
    method: &'static str,
    what: &'static str,
    buffer: &Buffer,
    offset: u64,
    size: u64,
) -> Result<(), EncodeError> {
    let end = offset as u128 + size as u128;
    if end > buffer.length() as u128 {
        return Err(EncodeError::RangeOutOfBounds { method, what, offset, end, length: buffer.length() });
    }
    Ok(())
}

/// The name of a blit's buffer offset argument for its side.
fn offset_what(side: &str) -> &'static str {
    if side == "source" {
        "source_offset"
    } else {
        "destination_offset"
    }
}

/// Records compute dispatches.
#[derive(Clone)]
pub struct ComputeCommandEncoder(Arc<ComputeInner>);

struct ComputeInner {
    cb: CommandBuffer,
    id: u64,
    state: Mutex<ComputeState>,
}

struct ComputeState {
    pipeline: Option<ComputePipelineState>,
    buffers: Vec<Option<hal::BufferBinding>>,
    textures: Vec<Option<Texture>>,
    samplers: Vec<Option<SamplerState>>,
    threadgroup_memory: Vec<u32>,
    label: String,
}

impl ComputeCommandEncoder {
    pub(crate) fn new(cb: CommandBuffer, id: u64) -> Self {
        ComputeCommandEncoder(Arc::new(ComputeInner {
            cb,
            id,
            state: Mutex::new(ComputeState {
                pipeline: None,
                buffers: vec![None; MAX_BUFFER_INDEX as usize + 1],
                textures: vec![None; MAX_TEXTURE_INDEX as usize + 1],
                samplers: vec![None; MAX_SAMPLER_INDEX as usize + 1],
                threadgroup_memory: vec![0; MAX_BUFFER_INDEX as usize + 1],
                label: String::new(),
            }),
        }))
    }

    pub fn command_buffer(&self) -> &CommandBuffer {
        &self.0.cb
    }
    pub fn label(&self) -> String {
        lock(&self.0.state).label.clone()
    }
    pub fn set_label(&self, label: &str) {
        lock(&self.0.state).label = label.to_string();
    }
    /// Whether `end_encoding` has not been called yet.
    pub fn is_open(&self) -> bool {
        self.0.cb.is_encoder_open(self.0.id)
    }

    /// Fails unless this encoder may record now.
    fn check_open(&self, method: &'static str) -> Result<(), EncodeError> {
        self.0.cb.with_recording(self.0.id, |_| ()).map_err(|e| record_err(method, e))
    }

    pub fn set_compute_pipeline_state(&self, state: &ComputePipelineState) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_compute_pipeline_state";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "pipeline state", state.device())?;
        lock(&self.0.state).pipeline = Some(state.clone());
        Ok(())
    }

    /// Binds `buffer` from `offset` at `[[buffer(index)]]`.
    pub fn set_buffer(&self, buffer: &Buffer, offset: u64, index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_buffer";
        self.check_open(method)?;
        if index > MAX_BUFFER_INDEX as u64 {
            return Err(EncodeError::BufferIndex { method, index });
        }
        check_device(&self.0.cb, method, "buffer", buffer.device())?;
        if offset >= buffer.length() as u64 {
            return Err(EncodeError::OffsetOutOfBounds { method, offset, length: buffer.length() });
        }
        let binding = hal::BufferBinding::Buffer { buffer: buffer.hal().clone(), offset: offset as usize };
        lock(&self.0.state).buffers[index as usize] = Some(binding);
        Ok(())
    }

    /// Changes only the offset of the buffer bound at `index`.
    pub fn set_buffer_offset(&self, offset: u64, index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_buffer_offset";
        self.check_open(method)?;
        if index > MAX_BUFFER_INDEX as u64 {
            return Err(EncodeError::BufferIndex { method, index });
        }
        let mut st = lock(&self.0.state);
        match &mut st.buffers[index as usize] {
            Some(hal::BufferBinding::Buffer { buffer, offset: o }) => {
                if offset >= buffer.length() as u64 {
                    return Err(EncodeError::OffsetOutOfBounds { method, offset, length: buffer.length() });
                }
                *o = offset as usize;
                Ok(())
            }
            _ => Err(EncodeError::OffsetOutOfBounds { method, offset, length: 0 }),
        }
    }

    /// Copies `data` (at most 4096 bytes) for `[[buffer(index)]]`.
    pub fn set_bytes(&self, data: &[u8], index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_bytes";
        self.check_open(method)?;
        if index > MAX_BUFFER_INDEX as u64 {
            return Err(EncodeError::BufferIndex { method, index });
        }
        if data.is_empty() {
            return Err(EncodeError::BytesEmpty { method });
        }
        if data.len() > MAX_SET_BYTES {
            return Err(EncodeError::BytesTooLong { method, length: data.len(), max: MAX_SET_BYTES });
        }
        // Pad to 16 bytes so kernels reading a whole vector past a short scalar stay in bounds.
        let mut bytes = data.to_vec();
        bytes.resize(data.len().next_multiple_of(16), 0);
        lock(&self.0.state).buffers[index as usize] = Some(hal::BufferBinding::Bytes(bytes.into()));
        Ok(())
    }

    /// Binds `texture` at `[[texture(index)]]`.
    pub fn set_texture(&self, texture: &Texture, index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_texture";
        self.check_open(method)?;
        if index > MAX_TEXTURE_INDEX as u64 {
            return Err(EncodeError::TextureIndex { method, index });
        }
        check_device(&self.0.cb, method, "texture", texture.device())?;
        lock(&self.0.state).textures[index as usize] = Some(texture.clone());
        Ok(())
    }

    /// Binds `sampler` at `[[sampler(index)]]`.
    pub fn set_sampler_state(&self, sampler: &SamplerState, index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_sampler_state";
        self.check_open(method)?;
        if index > MAX_SAMPLER_INDEX as u64 {
            return Err(EncodeError::SamplerIndex { method, index });
        }
        check_device(&self.0.cb, method, "sampler state", sampler.device())?;
        lock(&self.0.state).samplers[index as usize] = Some(sampler.clone());
        Ok(())
    }

    /// Sizes the `[[threadgroup(index)]]` argument (rounded up to 16 bytes, as Metal requires).
    pub fn set_threadgroup_memory_length(&self, length: u64, index: u64) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.set_threadgroup_memory_length";
        self.check_open(method)?;
        if index > MAX_BUFFER_INDEX as u64 {
            return Err(EncodeError::ThreadgroupMemoryIndex { method, index });
        }
        let max = self.0.cb.device().max_threadgroup_memory_length();
        let rounded = length.next_multiple_of(16);
        if rounded > max as u64 {
            return Err(EncodeError::ThreadgroupMemoryTooLong { method, length, max });
        }
        lock(&self.0.state).threadgroup_memory[index as usize] = rounded as u32;
        Ok(())
    }

    /// Dispatches `threadgroups` whole groups of `threads_per_threadgroup` threads.
    pub fn dispatch_threadgroups(
        &self,
        threadgroups: [u32; 3],
        threads_per_threadgroup: [u32; 3],
    ) -> Result<(), DispatchError> {
        let method = "ComputeCommandEncoder.dispatch_threadgroups";
        if threadgroups.contains(&0) {
            return Err(DispatchError::ZeroThreadgroups { threadgroups });
        }
        if threads_per_threadgroup.contains(&0) {
            return Err(DispatchError::ZeroThreadsPerThreadgroup { threads_per_threadgroup });
        }
        for (i, axis) in ['x', 'y', 'z'].into_iter().enumerate() {
            let total = threadgroups[i] as u64 * threads_per_threadgroup[i] as u64;
            if total > u32::MAX as u64 {
                return Err(DispatchError::GridTooLarge { method, axis, total });
            }
        }
        let grid = hal::Grid::Threadgroups { groups: threadgroups, threads_per_group: threads_per_threadgroup };
        self.dispatch(method, threads_per_threadgroup, grid)
    }

    /// Dispatches exactly `threads` threads in groups of `threads_per_threadgroup` (edge
    /// groups are smaller).
    pub fn dispatch_threads(&self, threads: [u32; 3], threads_per_threadgroup: [u32; 3]) -> Result<(), DispatchError> {
        let method = "ComputeCommandEncoder.dispatch_threads";
        if threads.contains(&0) {
            return Err(DispatchError::ZeroThreads { threads });
        }
        if threads_per_threadgroup.contains(&0) {
            return Err(DispatchError::ZeroThreadsPerThreadgroup { threads_per_threadgroup });
        }
        let grid = hal::Grid::Threads { threads, threads_per_group: threads_per_threadgroup };
        self.dispatch(method, threads_per_threadgroup, grid)
    }

    fn dispatch(&self, method: &'static str, tg: [u32; 3], grid: hal::Grid) -> Result<(), DispatchError> {
        self.check_open(method)?;
        let st = lock(&self.0.state);
        let pipeline = st.pipeline.clone().ok_or(DispatchError::NoPipeline { method })?;
        let dev_max = self.0.cb.device().max_threads_per_threadgroup();
        for (i, axis) in ['x', 'y', 'z'].into_iter().enumerate() {
            if tg[i] > dev_max[i] {
                return Err(DispatchError::ThreadgroupDimensionTooLarge {
                    method,
                    axis,
                    value: tg[i],
                    max: dev_max[i],
                });
            }
        }
        let total = tg.iter().map(|&v| v as u64).product::<u64>();
        let max = pipeline.max_total_threads_per_threadgroup();
        if total > max as u64 {
            return Err(DispatchError::ThreadgroupTooLarge { method, size: tg, total, max });
        }
        let entry = pipeline.function().entry();
        let mut tg_total = pipeline.static_threadgroup_memory_length() as u64;
        for p in &entry.params {
            match p.binding {
                msl::Binding::Buffer(i) if st.buffers.get(i as usize).is_none_or(|b| b.is_none()) => {
                    let (kernel, param) = (entry.name.clone(), p.name.clone());
                    return Err(DispatchError::MissingBuffer { method, kernel, param, index: i });
                }
                msl::Binding::Threadgroup(i) => {
                    let len = st.threadgroup_memory.get(i as usize).copied().unwrap_or(0);
                    if len == 0 {
                        let (kernel, param) = (entry.name.clone(), p.name.clone());
                        return Err(DispatchError::MissingThreadgroupMemory { method, kernel, param, index: i });
                    }
                    tg_total += len as u64;
                }
                msl::Binding::Texture(i) if st.textures.get(i as usize).is_none_or(|t| t.is_none()) => {
                    let (kernel, param) = (entry.name.clone(), p.name.clone());
                    return Err(DispatchError::MissingTexture { method, kernel, param, index: i });
                }
                msl::Binding::Sampler(i) if st.samplers.get(i as usize).is_none_or(|t| t.is_none()) => {
                    let (kernel, param) = (entry.name.clone(), p.name.clone());
                    return Err(DispatchError::MissingSampler { method, kernel, param, index: i });
                }
                _ => {}
            }
        }
        let tg_max = self.0.cb.device().max_threadgroup_memory_length();
        if tg_total > tg_max as u64 {
            let static_len = pipeline.static_threadgroup_memory_length();
            return Err(DispatchError::ThreadgroupMemoryTooLarge { method, total: tg_total, static_len, max: tg_max });
        }
        let used = st.buffers.iter().rposition(|b| b.is_some()).map_or(0, |i| i + 1);
        let tex_used = st.textures.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        let smp_used = st.samplers.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        let tg_used = st.threadgroup_memory.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let dispatch = hal::Dispatch {
            pipeline: pipeline.hal().clone(),
            buffers: st.buffers[..used].to_vec(),
            textures: st.textures[..tex_used].iter().map(|t| t.as_ref().map(|t| t.hal().clone())).collect(),
            samplers: st.samplers[..smp_used].iter().map(|s| s.as_ref().map(SamplerState::pm)).collect(),
            threadgroup_memory: st.threadgroup_memory[..tg_used].to_vec(),
            grid,
        };
        drop(st);
        self.0
            .cb
            .with_recording(self.0.id, |cmds| cmds.push(hal::Command::Dispatch(dispatch)))
            .map_err(|e| record_err(method, e).into())
    }

    pub fn end_encoding(&self) -> Result<(), EncodeError> {
        let method = "ComputeCommandEncoder.end_encoding";
        self.0.cb.end_encoder(self.0.id).map_err(|e| record_err(method, e))
    }
}

/// Records buffer copies, fills and synchronisations.
#[derive(Clone)]
pub struct BlitCommandEncoder(Arc<BlitInner>);

struct BlitInner {
    cb: CommandBuffer,
    id: u64,
    label: Mutex<String>,
}

impl BlitCommandEncoder {
    pub(crate) fn new(cb: CommandBuffer, id: u64) -> Self {
        BlitCommandEncoder(Arc::new(BlitInner { cb, id, label: Mutex::new(String::new()) }))
    }

    pub fn command_buffer(&self) -> &CommandBuffer {
        &self.0.cb
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }
    pub fn is_open(&self) -> bool {
        self.0.cb.is_encoder_open(self.0.id)
    }

    fn record(&self, method: &'static str, cmd: hal::Command) -> Result<(), EncodeError> {
        self.0.cb.with_recording(self.0.id, |cmds| cmds.push(cmd)).map_err(|e| record_err(method, e))
    }

    fn check_open(&self, method: &'static str) -> Result<(), EncodeError> {
        self.0.cb.with_recording(self.0.id, |_| ()).map_err(|e| record_err(method, e))
    }

    /// Copies `size` bytes (the ranges may be in the same buffer).
    pub fn copy_from_buffer(
        &self,
        source: &Buffer,
        source_offset: usize,
        destination: &Buffer,
        destination_offset: usize,
        size: usize,
    ) -> Result<(), EncodeError> {
        let method = "BlitCommandEncoder.copy_from_buffer";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "source buffer", source.device())?;
        check_device(&self.0.cb, method, "destination buffer", destination.device())?;
        check_range(method, "source", source, source_offset as u64, size as u64)?;
        check_range(method, "destination", destination, destination_offset as u64, size as u64)?;
        if size == 0 {
            return Ok(());
        }
        let cmd = hal::Command::CopyBuffer {
            src: source.hal().clone(),
            src_offset: source_offset,
            dst: destination.hal().clone(),
            dst_offset: destination_offset,
            size,
        };
        self.record(method, cmd)
    }

    /// Sets every byte of `range` to `value`.
    pub fn fill_buffer(&self, buffer: &Buffer, range: Range<usize>, value: u8) -> Result<(), EncodeError> {
        let method = "BlitCommandEncoder.fill_buffer";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "buffer", buffer.device())?;
        let len = range.end.checked_sub(range.start).ok_or(EncodeError::RangeOutOfBounds {
            method,
            what: "fill",
            offset: range.start as u64,
            end: range.end as u128,
            length: buffer.length(),
        })?;
        check_range(method, "fill", buffer, range.start as u64, len as u64)?;
        if len == 0 {
            return Ok(());
        }
        let cmd = hal::Command::FillBuffer { buffer: buffer.hal().clone(), offset: range.start, length: len, value };
        self.record(method, cmd)
    }

    /// Makes the host copy of a Managed buffer current (a no-op for other storage modes).
    pub fn synchronize_resource(&self, buffer: &Buffer) -> Result<(), EncodeError> {
        let method = "BlitCommandEncoder.synchronize_resource";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "buffer", buffer.device())?;
        if buffer.storage_mode() != hal::StorageMode::Managed {
            return Ok(());
        }
        self.record(method, hal::Command::SynchronizeBuffer { buffer: buffer.hal().clone() })
    }

    /// Checks a buffer↔texture copy; returns the HAL region (None: nothing to copy).
    #[allow(clippy::too_many_arguments)]
    fn check_texture_copy(
        &self,
        method: &'static str,
        texture: &Texture,
        buffer: &Buffer,
        buffer_what: &'static str,
        offset: u64,
        r: Region,
    ) -> Result<Option<hal::TexelRegion>, TextureCopyError> {
        self.check_open(method)?;
        let this = self.0.cb.device();
        for (what, dev) in [("texture", texture.device()), ("buffer", buffer.device())] {
            if dev != this {
                return Err(TextureCopyError::WrongDevice { method, what, other: dev.spec(), this: this.spec() });
            }
        }
        // Metal: the buffer offset and pitches are whole texels.
        let bpp = texture.pixel_format().bytes_per_pixel();
        let pitches = [(offset_what(buffer_what), offset), ("bytes_per_row", r.bytes_per_row)];
        let image = if r.size[2] > 1 { Some(("bytes_per_image", r.bytes_per_image)) } else { None };
        for (what, value) in pitches.into_iter().chain(image) {
            if value % bpp as u64 != 0 {
                return Err(TextureCopyError::Misaligned { method, what, value, bpp });
            }
        }
        let (region, needed) = texture.check_region(method, &r)?;
        let end = offset as u128 + needed;
        if end > buffer.length() as u128 {
            return Err(TextureRegionError::BufferRange {
                method,
                what: buffer_what,
                offset,
                end,
                length: buffer.length(),
            }
            .into());
        }
        Ok(if needed == 0 { None } else { Some(region) })
    }

    /// Copies a box of texels of `source_texture` into linear memory of a buffer.
    #[allow(clippy::too_many_arguments)]
    pub fn copy_from_texture_to_buffer(
        &self,
        source_texture: &Texture,
        source_slice: u64,
        source_level: u64,
        source_origin: [u64; 3],
        source_size: [u64; 3],
        destination_buffer: &Buffer,
        destination_offset: u64,
        destination_bytes_per_row: u64,
        destination_bytes_per_image: u64,
    ) -> Result<(), TextureCopyError> {
        let method = "BlitCommandEncoder.copy_from_texture_to_buffer";
        let r = Region {
            slice: source_slice,
            level: source_level,
            origin: source_origin,
            size: source_size,
            bytes_per_row: destination_bytes_per_row,
            bytes_per_image: destination_bytes_per_image,
        };
        let Some(region) =
            self.check_texture_copy(method, source_texture, destination_buffer, "destination", destination_offset, r)?
        else {
            return Ok(());
        };
        let cmd = hal::Command::CopyTextureToBuffer {
            src: source_texture.hal().clone(),
            dst: destination_buffer.hal().clone(),
            dst_offset: destination_offset as usize,
            region,
        };
        Ok(self.record(method, cmd)?)
    }

    /// Copies linear memory of a buffer into a box of texels of `destination_texture`.
    #[allow(clippy::too_many_arguments)]
    pub fn copy_from_buffer_to_texture(
        &self,
        source_buffer: &Buffer,
        source_offset: u64,
        source_bytes_per_row: u64,
        source_bytes_per_image: u64,
        source_size: [u64; 3],
        destination_texture: &Texture,
        destination_slice: u64,
        destination_level: u64,
        destination_origin: [u64; 3],
    ) -> Result<(), TextureCopyError> {
        let method = "BlitCommandEncoder.copy_from_buffer_to_texture";
        let r = Region {
            slice: destination_slice,
            level: destination_level,
            origin: destination_origin,
            size: source_size,
            bytes_per_row: source_bytes_per_row,
            bytes_per_image: source_bytes_per_image,
        };
        let Some(region) =
            self.check_texture_copy(method, destination_texture, source_buffer, "source", source_offset, r)?
        else {
            return Ok(());
        };
        let cmd = hal::Command::CopyBufferToTexture {
            src: source_buffer.hal().clone(),
            src_offset: source_offset as usize,
            dst: destination_texture.hal().clone(),
            region,
        };
        Ok(self.record(method, cmd)?)
    }

    pub fn end_encoding(&self) -> Result<(), EncodeError> {
        let method = "BlitCommandEncoder.end_encoding";
        self.0.cb.end_encoder(self.0.id).map_err(|e| record_err(method, e))
    }
}
