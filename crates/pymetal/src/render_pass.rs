//! Render passes: a `RenderPassDescriptor` is checked when an encoder is made
//! (`CommandBuffer::render_command_encoder`) and becomes the HAL's `RenderPass`, without draws.

use pymetal_hal as hal;
use pymetal_hal::abi::MAX_COLOR_ATTACHMENTS;
use pymetal_hal::render as hr;

use crate::command::{CommandBuffer, NewEncoderError};
use crate::render_desc::{RenderPassAttachmentDescriptor, RenderPassDescriptor};
use crate::texture::{PixelFormat, TextureType};
use crate::{Classify, ErrorKind};

const METHOD: &str = "CommandBuffer.render_command_encoder";

/// Why `CommandBuffer.render_command_encoder` refused a pass descriptor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewRenderEncoderError {
    #[error(transparent)]
    Encoder(#[from] NewEncoderError),
    #[error("{METHOD}: the render pass has no attachment (set color_attachment(i).texture or depth/stencil_attachment.texture)")]
    NoAttachments,
    #[error("{METHOD}: {what} has a texture of the {format:?} format, which is not a color format")]
    NotColorFormat { what: String, format: PixelFormat },
    #[error("{METHOD}: depth_attachment has a texture of the {format:?} format, which has no depth")]
    NotDepthFormat { format: PixelFormat },
    #[error("{METHOD}: stencil_attachment has a texture of the {format:?} format, which has no stencil")]
    NotStencilFormat { format: PixelFormat },
    #[error("{METHOD}: the texture of {what} belongs to another device ({other}) than the command buffer ({this})")]
    WrongDevice { what: String, other: String, this: String },
    #[error("{METHOD}: the texture of {what} is a {kind:?} texture; render targets must be 2D, 2D array, cube or 3D")]
    TextureType { what: String, kind: TextureType },
    #[error("{METHOD}: {what}.level {level} is out of range (the texture has {levels} mip level(s))")]
    Level { what: String, level: u64, levels: u64 },
    #[error("{METHOD}: {what}.slice {slice} is out of range (the texture has {slices} slice(s))")]
    Slice { what: String, slice: u64, slices: u64 },
    #[error("{METHOD}: {what}.depth_plane {plane} is out of range (level {level} has depth {depth})")]
    DepthPlane { what: String, plane: u64, level: u64, depth: u64 },
    #[error(
        "{METHOD}: attachments must all have the same size: {what} is {}x{} but {first} is {}x{}",
        size[0], size[1], first_size[0], first_size[1]
    )]
    SizeMismatch { what: String, size: [u32; 2], first: String, first_size: [u32; 2] },
    #[error("{METHOD}: {what}.load_action {value} is not a LoadAction")]
    InvalidLoadAction { what: String, value: u32 },
    #[error("{METHOD}: {what}.store_action {value} is not supported (use StoreAction.Store or DontCare; multisampling is not implemented)")]
    InvalidStoreAction { what: String, value: u32 },
    #[error("{METHOD}: depth_attachment.clear_depth {value} must be between 0.0 and 1.0")]
    ClearDepth { value: f64 },
    #[error("{METHOD}: {what} and {other} render into the same texture level and slice")]
    SameTarget { what: String, other: String },
}

impl Classify for NewRenderEncoderError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

type E = NewRenderEncoderError;

fn load_action(what: &str, v: u32) -> Result<hr::LoadAction, E> {
    match v {
        0 => Ok(hr::LoadAction::DontCare),
        1 => Ok(hr::LoadAction::Load),
        2 => Ok(hr::LoadAction::Clear),
        _ => Err(E::InvalidLoadAction { what: what.into(), value: v }),
    }
}

fn store_action(what: &str, v: u32) -> Result<hr::StoreAction, E> {
    match v {
        0 => Ok(hr::StoreAction::DontCare),
        1 => Ok(hr::StoreAction::Store),
        _ => Err(E::InvalidStoreAction { what: what.into(), value: v }),
    }
}

/// Checks one attachment that has a texture; returns it and its size at the chosen level.
fn attachment(cb: &CommandBuffer, what: &str, a: &RenderPassAttachmentDescriptor) -> Result<Option<hr::Attachment>, E> {
    let Some(t) = &a.texture else { return Ok(None) };
    let this = cb.device();
    if t.device() != this {
        return Err(E::WrongDevice { what: what.into(), other: t.device().spec(), this: this.spec() });
    }
    if t.texture_type() == TextureType::Type1D {
        return Err(E::TextureType { what: what.into(), kind: t.texture_type() });
    }
    if a.level >= t.mipmap_level_count() {
        return Err(E::Level { what: what.into(), level: a.level, levels: t.mipmap_level_count() });
    }
    let slices = t.slice_count() as u64;
    if a.slice >= slices {
        return Err(E::Slice { what: what.into(), slice: a.slice, slices });
    }
    let level_depth = (t.depth() >> a.level).max(1);
    if a.depth_plane >= level_depth {
        return Err(E::DepthPlane { what: what.into(), plane: a.depth_plane, level: a.level, depth: level_depth });
    }
    Ok(Some(hr::Attachment {
        texture: t.hal().clone(),
        format: t.pixel_format(),
        level: a.level as u32,
        slice: a.slice as u32,
        depth_plane: a.depth_plane as u32,
        load: load_action(what, a.load_action)?,
        store: store_action(what, a.store_action)?,
    }))
}

/// Width and height of an attachment's level.
fn level_size(a: &hr::Attachment) -> [u32; 2] {
    let s = a.texture.desc().level_size(a.level);
    [s[0], s[1]]
}

/// Checks `d` for `cb` and makes the pass (without draws).
pub(crate) fn build_pass(cb: &CommandBuffer, d: &RenderPassDescriptor) -> Result<hr::RenderPass, E> {
    let mut colors: [Option<(hr::Attachment, [f64; 4])>; MAX_COLOR_ATTACHMENTS] = Default::default();
    // (name, texture identity, level, slice, depth plane, size) of each attachment, for the
    // size and aliasing checks.
    #[allow(clippy::type_complexity)]
    let mut seen: Vec<(String, *const (), u32, u32, u32, [u32; 2])> = Vec::new();
    let mut note = |what: String, a: &hr::Attachment| -> Result<(), E> {
        let size = level_size(a);
        let id = std::sync::Arc::as_ptr(&a.texture) as *const ();
        if let Some((first, ..)) = seen.first() {
            let first_size = seen[0].5;
            if size != first_size {
                return Err(E::SizeMismatch { what, size, first: first.clone(), first_size });
            }
        }
        let key = (id, a.level, a.slice, a.depth_plane);
        if let Some((other, ..)) = seen.iter().find(|s| (s.1, s.2, s.3, s.4) == key) {
            // A combined depth/stencil texture is both the depth and the stencil attachment.
            let combined = what == "stencil_attachment" && other == "depth_attachment";
            if !combined {
                return Err(E::SameTarget { what, other: other.clone() });
            }
        }
        seen.push((what, id, a.level, a.slice, a.depth_plane, size));
        Ok(())
    };
    for (i, c) in d.color_attachments.iter().enumerate() {
        let what = format!("color_attachment({i})");
        let Some(a) = attachment(cb, &what, &c.base)? else { continue };
        if a.format.kind() == hal::FormatKind::DepthStencil {
            return Err(E::NotColorFormat { what, format: a.format });
        }
        note(what, &a)?;
        colors[i] = Some((a, c.clear_color));
    }
    let depth = match attachment(cb, "depth_attachment", &d.depth_attachment.base)? {
        Some(a) => {
            if !a.format.has_depth() {
                return Err(E::NotDepthFormat { format: a.format });
            }
            let v = d.depth_attachment.clear_depth;
            if !(0.0..=1.0).contains(&v) {
                return Err(E::ClearDepth { value: v });
            }
            note("depth_attachment".into(), &a)?;
            Some((a, v))
        }
        None => None,
    };
    let stencil = match attachment(cb, "stencil_attachment", &d.stencil_attachment.base)? {
        Some(a) => {
            if !a.format.has_stencil() {
                return Err(E::NotStencilFormat { format: a.format });
            }
            note("stencil_attachment".into(), &a)?;
            Some((a, d.stencil_attachment.clear_stencil))
        }
        None => None,
    };
    let size = seen.first().map(|s| s.5).ok_or(E::NoAttachments)?;
    Ok(hr::RenderPass { colors, depth, stencil, size, draws: Vec::new() })
}
