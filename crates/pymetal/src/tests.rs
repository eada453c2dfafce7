//! Object-model tests on the noop backend: validation messages and status transitions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::*;

const SHARED: ResourceOptions = ResourceOptions::STORAGE_MODE_SHARED;

fn param(name: &str, binding: msl::Binding) -> msl::Param {
    msl::Param {
        name: name.into(),
        type_text: "device float*".into(),
        address_space: msl::AddressSpace::Device,
        is_const: false,
        binding,
    }
}

/// A device, queue and a pipeline for `kernel void add(a [[buffer(0)]], b [[buffer(1)]],
/// c [[buffer(2)]], tg [[threadgroup(0)]], id [[thread_position_in_grid]])`.
fn setup() -> (Device, CommandQueue, ComputePipelineState) {
    let dev = Device::noop();
    let queue = dev.new_command_queue().unwrap();
    let reflection = msl::Reflection {
        entry_points: vec![msl::EntryPoint {
            name: "add".into(),
            function: "add".into(),
            stage: msl::Stage::Kernel,
            params: vec![
                param("a", msl::Binding::Buffer(0)),
                param("b", msl::Binding::Buffer(1)),
                param("c", msl::Binding::Buffer(2)),
                param("tg", msl::Binding::Threadgroup(0)),
                param("id", msl::Binding::Builtin(msl::Builtin::ThreadPositionInGrid)),
            ],
            loc: msl::Loc::default(),
            uses_sync: false,
            io: Default::default(),
        }],
        function_constants: vec![],
    };
    let lib = dev.new_library_with_reflection("kernel void add() {}", &msl::Options::default(), reflection).unwrap();
    assert_eq!(lib.function_names(), vec!["add".to_string()]);
    assert!(lib.new_function("nope", None).is_none());
    let f = lib.new_function("add", None).unwrap();
    assert_eq!(f.function_type(), FunctionType::Kernel);
    let p = dev.new_compute_pipeline_state(&f).unwrap();
    (dev, queue, p)
}

#[test]
fn buffers() {
    let dev = Device::noop();
    let e = dev.new_buffer(0, SHARED).unwrap_err();
    assert_eq!(e.to_string(), "Device.new_buffer: length must be greater than 0");
    assert!(matches!(dev.new_buffer(16, ResourceOptions(3 << 4)), Err(NewBufferError::Memoryless { .. })));
    assert!(matches!(dev.new_buffer(16, ResourceOptions(7 << 4)), Err(NewBufferError::InvalidStorageMode { .. })));
    let b = dev.new_buffer_with_data(&[1, 2, 3], SHARED).unwrap();
    assert_eq!(b.length(), 3);
    // SAFETY: Shared buffer of 3 bytes, nothing else uses it.
    let s = unsafe { std::slice::from_raw_parts(b.contents().unwrap(), 3) };
    assert_eq!(s, &[1, 2, 3]);
    let p = dev.new_buffer_with_data(&[9; 8], ResourceOptions::STORAGE_MODE_PRIVATE).unwrap();
    assert_eq!(p.storage_mode(), StorageMode::Private);
    assert!(p.contents().unwrap_err().to_string().contains("Private"));
    assert!(b.did_modify_range(0..3).is_ok());
    assert!(b.did_modify(2, 2).is_err());
    b.set_label("x");
    assert_eq!(b.label(), "x");
}

#[test]
fn status_and_handlers() {
    let (dev, queue, _) = setup();
    let cmd = queue.command_buffer();
    assert_eq!(cmd.status(), CommandBufferStatus::NotEnqueued);
    assert!(cmd.wait_until_completed().is_err());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    cmd.add_completed_handler(move |c| {
        assert_eq!(c.status(), CommandBufferStatus::Completed);
        h.fetch_add(1, Ordering::SeqCst);
    });
    let h = hits.clone();
    cmd.add_scheduled_handler(move |_| {
        h.fetch_add(10, Ordering::SeqCst);
    });
    let buf = dev.new_buffer(64, SHARED).unwrap();
    let blit = cmd.blit_command_encoder().unwrap();
    assert!(matches!(cmd.compute_command_encoder(), Err(NewEncoderError::EncoderOpen { .. })));
    assert!(matches!(cmd.commit(), Err(CommitError::EncoderOpen { .. })));
    blit.fill_buffer(&buf, 8..16, 7).unwrap();
    let e = blit.fill_buffer(&buf, 60..70, 7).unwrap_err();
    assert_eq!(e.to_string(), "BlitCommandEncoder.fill_buffer: fill range 60..70 exceeds the buffer's length (64)");
    blit.end_encoding().unwrap();
    assert!(matches!(blit.fill_buffer(&buf, 0..1, 1), Err(EncodeError::Ended { .. })));
    assert!(blit.end_encoding().is_err());
    cmd.enqueue().unwrap();
    assert_eq!(cmd.status(), CommandBufferStatus::Enqueued);
    cmd.commit().unwrap();
    cmd.wait_until_completed().unwrap();
    cmd.wait_until_scheduled().unwrap();
    assert_eq!(cmd.status(), CommandBufferStatus::Completed);
    assert!(cmd.error().is_none());
    assert_eq!(hits.load(Ordering::SeqCst), 11);
    let h = hits.clone();
    cmd.add_completed_handler(move |_| {
        h.fetch_add(100, Ordering::SeqCst);
    });
    assert_eq!(hits.load(Ordering::SeqCst), 111);
    assert!(matches!(cmd.commit(), Err(CommitError::AlreadyCommitted { .. })));
    assert!(matches!(cmd.blit_command_encoder(), Err(NewEncoderError::Committed { .. })));
    // SAFETY: Shared buffer of 64 bytes, the command buffer completed.
    let s = unsafe { std::slice::from_raw_parts(buf.contents().unwrap(), 64) };
    assert_eq!(&s[6..18], &[0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0]);
}

#[test]
fn copy_between_buffers() {
    let (dev, queue, _) = setup();
    let src = dev.new_buffer_with_data(&[1, 2, 3, 4], ResourceOptions::STORAGE_MODE_PRIVATE).unwrap();
    let dst = dev.new_buffer(4, SHARED).unwrap();
    let cmd = queue.command_buffer();
    let blit = cmd.blit_command_encoder().unwrap();
    assert!(blit.copy_from_buffer(&src, 1, &dst, 0, 4).is_err());
    blit.copy_from_buffer(&src, 1, &dst, 0, 3).unwrap();
    blit.synchronize_resource(&dst).unwrap();
    blit.end_encoding().unwrap();
    cmd.commit().unwrap();
    cmd.wait_until_completed().unwrap();
    // SAFETY: Shared buffer of 4 bytes, the command buffer completed.
    let s = unsafe { std::slice::from_raw_parts(dst.contents().unwrap(), 4) };
    assert_eq!(s, &[2, 3, 4, 0]);
}

#[test]
fn compute_validation() {
    let (dev, queue, p) = setup();
    let cmd = queue.command_buffer();
    let enc = cmd.compute_command_encoder().unwrap();
    let buf = dev.new_buffer(64, SHARED).unwrap();
    let e = enc.set_buffer(&buf, 0, 32).unwrap_err();
    assert_eq!(e.to_string(), "ComputeCommandEncoder.set_buffer: buffer index 32 exceeds maximum (31)");
    let e = enc.set_bytes(&[0; 4], 40).unwrap_err();
    assert_eq!(e.to_string(), "ComputeCommandEncoder.set_bytes: buffer index 40 exceeds maximum (31)");
    assert!(matches!(enc.set_buffer(&buf, 64, 0), Err(EncodeError::OffsetOutOfBounds { offset: 64, .. })));
    assert!(matches!(enc.dispatch_threadgroups([1, 1, 1], [1, 1, 1]), Err(DispatchError::NoPipeline { .. })));
    let e = enc.dispatch_threadgroups([0, 1, 1], [1, 1, 1]).unwrap_err();
    assert_eq!(e.to_string(), "Threadgroup grid dimensions must be greater than 0");
    let e = enc.dispatch_threadgroups([1, 1, 1], [1, 0, 1]).unwrap_err();
    assert_eq!(e.to_string(), "Threads per threadgroup dimensions must be greater than 0");
    let e = enc.dispatch_threads([1, 1, 0], [1, 1, 1]).unwrap_err();
    assert_eq!(e.to_string(), "Thread grid dimensions must be greater than 0");
    enc.set_compute_pipeline_state(&p).unwrap();
    enc.set_buffer(&buf, 0, 0).unwrap();
    enc.set_bytes(&[1, 0, 0, 0], 1).unwrap();
    let e = enc.dispatch_threads([64, 1, 1], [64, 1, 1]).unwrap_err();
    assert!(matches!(&e, DispatchError::MissingBuffer { index: 2, .. }), "{e}");
    assert!(e.to_string().contains("parameter 'c'"), "{e}");
    enc.set_buffer(&buf, 16, 2).unwrap();
    let e = enc.dispatch_threads([64, 1, 1], [64, 1, 1]).unwrap_err();
    assert!(matches!(e, DispatchError::MissingThreadgroupMemory { index: 0, .. }));
    enc.set_threadgroup_memory_length(100, 0).unwrap();
    let e = enc.dispatch_threadgroups([1, 1, 1], [64, 32, 1]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ComputeCommandEncoder.dispatch_threadgroups: threads per threadgroup 64x32x1 = 2048 exceeds the \
         pipeline's max_total_threads_per_threadgroup (1024)"
    );
    assert!(matches!(
        enc.dispatch_threadgroups([1, 1, 1], [1, 1, 65]),
        Err(DispatchError::ThreadgroupDimensionTooLarge { axis: 'z', .. })
    ));
    assert!(matches!(
        enc.dispatch_threadgroups([1 << 31, 1, 1], [4, 1, 1]),
        Err(DispatchError::GridTooLarge { axis: 'x', .. })
    ));
    enc.dispatch_threads([100, 1, 1], [64, 1, 1]).unwrap();
    enc.dispatch_threadgroups([2, 1, 1], [64, 1, 1]).unwrap();
    enc.end_encoding().unwrap();
    let e = enc.set_buffer(&buf, 0, 0).unwrap_err();
    assert_eq!(e.to_string(), "ComputeCommandEncoder.set_buffer: the encoder has ended (end_encoding() was called)");
    assert!(matches!(
        enc.dispatch_threads([1, 1, 1], [1, 1, 1]),
        Err(DispatchError::Encode(EncodeError::Ended { .. }))
    ));
    cmd.commit().unwrap();
    cmd.wait_until_completed().unwrap();
    assert_eq!(cmd.status(), CommandBufferStatus::Completed);
}

#[test]
fn wrong_device() {
    let (_, queue, p) = setup();
    let other = Device::noop();
    let buf = other.new_buffer(16, SHARED).unwrap();
    let cmd = queue.command_buffer();
    let enc = cmd.compute_command_encoder().unwrap();
    assert!(matches!(enc.set_buffer(&buf, 0, 0), Err(EncodeError::WrongDevice { .. })));
    enc.set_compute_pipeline_state(&p).unwrap();
    let f = p.function().clone();
    assert!(matches!(other.new_compute_pipeline_state(&f), Err(NewPipelineError::WrongDevice { .. })));
}

#[test]
fn default_device_exists() {
    assert!(!devices().is_empty());
    assert_eq!(devices()[0], devices()[0]);
}

#[test]
fn objects_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Device>();
    check::<Library>();
    check::<Function>();
    check::<ComputePipelineState>();
    check::<CommandBuffer>();
    check::<ComputeCommandEncoder>();
    check::<BlitCommandEncoder>();
    check::<Buffer>();
}

#[test]
fn texture_validation_messages() {
    let dev = Device::noop();
    let mut d = TextureDescriptor::texture2d(PixelFormat::RGBA8Unorm as u32, 8, 4, true);
    assert_eq!(d.mipmap_level_count, 4);
    d.mipmap_level_count = 5;
    let e = dev.new_texture(&d).unwrap_err();
    assert!(matches!(e, NewTextureError::TooManyMipLevels { levels: 5, max: 4, .. }), "{e}");
    assert_eq!(e.kind(), ErrorKind::Validation);
    d.mipmap_level_count = 1;
    d.width = 0;
    assert_eq!(dev.new_texture(&d).unwrap_err().to_string(), "Device.new_texture: width must be greater than 0");
    d.width = 8;
    d.pixel_format = 0;
    assert!(matches!(dev.new_texture(&d), Err(NewTextureError::UnsupportedPixelFormat(0))));
    for f in PixelFormat::ALL {
        assert_eq!(PixelFormat::from_raw(f as u32), Some(f));
    }
    assert_eq!(PixelFormat::RGBA32Float.bytes_per_pixel(), 16);
    assert_eq!(PixelFormat::Depth32Float_Stencil8.bytes_per_pixel(), 8);
}

#[test]
fn texture_round_trip_and_blits_on_noop() {
    let dev = Device::noop();
    let d = TextureDescriptor::texture2d(PixelFormat::R32Uint as u32, 4, 4, true);
    let t = dev.new_texture(&d).unwrap();
    let data: Vec<u8> = (0..16u8).collect();
    t.replace_region([0, 0, 0], [2, 2, 1], 1, 0, &data, 8, 0).unwrap();
    assert_eq!(t.get_bytes([0, 0, 0], [2, 2, 1], 1, 0, 8, 0).unwrap(), data);
    assert!(matches!(
        t.get_bytes([1, 0, 0], [2, 1, 1], 1, 0, 8, 0),
        Err(TextureRegionError::OutOfBounds { level: 1, level_size: [2, 2, 1], .. })
    ));
    // blit level 1 to a buffer and back into level 0 at (2, 2)
    let q = dev.new_command_queue().unwrap();
    let buf = dev.new_buffer(16, SHARED).unwrap();
    let cmd = q.command_buffer();
    let blit = cmd.blit_command_encoder().unwrap();
    blit.copy_from_texture_to_buffer(&t, 0, 1, [0, 0, 0], [2, 2, 1], &buf, 0, 8, 0).unwrap();
    blit.copy_from_buffer_to_texture(&buf, 0, 8, 0, [2, 2, 1], &t, 0, 0, [2, 2, 0]).unwrap();
    let e = blit.copy_from_buffer_to_texture(&buf, 8, 8, 0, [2, 2, 1], &t, 0, 0, [0, 0, 0]).unwrap_err();
    assert!(e.to_string().contains("source range 8..24 exceeds the buffer's length (16)"), "{e}");
    blit.end_encoding().unwrap();
    cmd.commit().unwrap();
    cmd.wait_until_completed().unwrap();
    assert_eq!(t.get_bytes([2, 2, 0], [2, 2, 1], 0, 0, 8, 0).unwrap(), data);
}
