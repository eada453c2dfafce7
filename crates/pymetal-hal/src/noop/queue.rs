//! The noop queue: runs blits on the caller's thread, skips dispatches.

use std::any::Any;
use std::sync::Arc;

use super::memory::NoopBuffer;
use crate::blit::CopySide;
use crate::{Buffer, Command, Queue, Submission, Texture};

/// Completes every submission before `submit` returns.
pub struct NoopQueue;

fn host_ptr(buffer: &dyn Buffer) -> *mut u8 {
    match buffer.as_any().downcast_ref::<NoopBuffer>() {
        Some(b) => b.ptr(),
        None => unreachable!("noop queue given a buffer of another backend (core bug)"),
    }
}

fn side<'a>(t: &'a Arc<dyn Texture>, slice: &u32, level: &u32, origin: &[u32; 3]) -> CopySide<'a> {
    let data = t.contents().expect("host texture");
    CopySide { data, desc: t.desc(), slice: *slice, level: *level, origin: *origin }
}

impl Queue for NoopQueue {
    fn submit(&self, work: Submission) {
        (work.on_scheduled)();
        for cmd in &work.commands {
            match cmd {
                Command::Dispatch(_) | Command::SynchronizeBuffer { .. } => {}
                Command::CopyBuffer { src, src_offset, dst, dst_offset, size } => {
                    let (s, d) = (host_ptr(src.as_ref()), host_ptr(dst.as_ref()));
                    // SAFETY: core checked both ranges against the buffers' lengths; `copy`
                    // allows the ranges to overlap (same buffer).
                    unsafe { std::ptr::copy(s.add(*src_offset), d.add(*dst_offset), *size) }
                }
                Command::FillBuffer { buffer, offset, length, value } => {
                    let p = host_ptr(buffer.as_ref());
                    // SAFETY: core checked `offset + length <= buffer.length()`.
                    unsafe { std::ptr::write_bytes(p.add(*offset), *value, *length) }
                }
                Command::CopyBufferToTexture { src, src_offset, dst, region } => {
                    let (s, t) = (host_ptr(src.as_ref()), dst.contents().expect("host texture"));
                    // SAFETY: core validated the region against both resources.
                    unsafe { crate::texture::copy_region(t, dst.desc(), region, s.add(*src_offset), true) }
                }
                Command::CopyTextureToBuffer { src, dst, dst_offset, region } => {
                    let (t, d) = (src.contents().expect("host texture"), host_ptr(dst.as_ref()));
                    // SAFETY: as above.
                    unsafe { crate::texture::copy_region(t, src.desc(), region, d.add(*dst_offset), false) }
                }
                Command::CopyTexture {
                    src,
                    src_slice,
                    src_level,
                    src_origin,
                    dst,
                    dst_slice,
                    dst_level,
                    dst_origin,
                    size,
                } => {
                    let (s, d) =
                        (side(src, src_slice, src_level, src_origin), side(dst, dst_slice, dst_level, dst_origin));
                    // SAFETY: core validated both boxes and the texel sizes.
                    unsafe { crate::blit::copy_texture(&s, &d, *size) }
                }
                Command::GenerateMipmaps { texture, format } => {
                    let p = texture.contents().expect("host texture");
                    // SAFETY: core checked the format; commands run one at a time.
                    unsafe { crate::blit::generate_mipmaps(p, texture.desc(), *format) }
                }
                Command::SynchronizeTexture { .. } | Command::RenderPass(_) => {}
            }
        }
        (work.on_completed)(Ok(()));
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
