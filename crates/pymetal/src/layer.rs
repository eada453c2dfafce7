//! MetalLayer (CAMetalLayer) and MetalDrawable (CAMetalDrawable), offscreen.
//!
//! There is no window here. A layer keeps a pool of at most `maximum_drawable_count`
//! textures (Metal's IOSurfaces) for its current device, size and format. `next_drawable`
//! wraps a free one in a new drawable (each with a new, increasing `drawable_id`, as
//! Metal's drawables are one-shot objects over recycled surfaces), preferring the texture
//! presented longest ago. `present` (or a command buffer's `present_drawable`, once it
//! completes) returns the texture to the pool and records it as the layer's latest
//! presented image, `last_presented_texture` — our addition, so that offscreen users can
//! read "the screen".
//!
//! A texture whose drawable is out (not yet presented) is not handed out again. When all
//! are out, `next_drawable` waits up to 1 s (Metal's timeout) only if some drawable is
//! already scheduled for presentation by a command buffer (its completion frees one);
//! otherwise it returns None at once, since nothing else could free one in time.
//!
//! Drawable textures are Shared, so that `get_bytes` works on them even when the layer is
//! `framebuffer_only` (Metal makes them Private then: reading them is our addition too).

use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::command::{CommandBuffer, CommandBufferStatus};
use crate::device::Device;
use crate::texture::{texture_usage, NewTextureError, PixelFormat, Texture, TextureDescriptor, MAX_TEXTURE_SIZE_2D};
use crate::{lock, Classify, ErrorKind};

/// How long `next_drawable` waits for a scheduled presentation to free a drawable (Metal: 1 s).
pub const NEXT_DRAWABLE_TIMEOUT: Duration = Duration::from_secs(1);

/// Pixel formats a layer accepts (those of CAMetalLayer that textures here support).
pub const LAYER_PIXEL_FORMATS: [PixelFormat; 3] =
    [PixelFormat::BGRA8Unorm, PixelFormat::BGRA8Unorm_sRGB, PixelFormat::RGBA16Float];

/// Why a layer or drawable operation was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    #[error(
        "MetalLayer.pixel_format: {0} is not supported for layers (use BGRA8Unorm, BGRA8Unorm_sRGB or RGBA16Float)"
    )]
    PixelFormat(u32),
    #[error("MetalLayer.drawable_size: {what} {value} must be a finite number >= 0 and at most {max}")]
    DrawableSize { what: &'static str, value: f64, max: u64 },
    #[error("MetalLayer.maximum_drawable_count: {0} is not supported (use 2 or 3)")]
    MaximumDrawableCount(u64),
    #[error("{method}: the drawable was already presented or scheduled for presentation")]
    AlreadyPresented { method: &'static str },
    #[error("CommandBuffer.present_drawable: the command buffer was already committed")]
    Committed,
    #[error("CommandBuffer.present_drawable: the drawable belongs to another device than the command buffer")]
    WrongDevice,
    #[error("MetalLayer.next_drawable: {0}")]
    Texture(#[from] NewTextureError),
}

impl Classify for LayerError {
    fn kind(&self) -> ErrorKind {
        match self {
            LayerError::Texture(e) => e.kind(),
            _ => ErrorKind::Validation,
        }
    }
}

/// Seconds on a monotonic clock (CACurrentMediaTime's role), > 0.
fn media_time() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    // Offset by 1 s so that no presentation time is 0.0 ("not presented").
    1.0 + start.elapsed().as_secs_f64()
}

/// One texture of the pool.
struct Slot {
    texture: Texture,
    /// Id of the drawable holding it; None while free.
    out: Option<u64>,
    /// Order of its last return to the pool (0: never presented).
    returned: u64,
}

struct LayerState {
    device: Option<Device>,
    pixel_format: PixelFormat,
    framebuffer_only: bool,
    drawable_size: (f64, f64),
    maximum_drawable_count: u64,
    label: String,
    pool: Vec<Slot>,
    /// Bumped whenever the pool is dropped: drawables of an older generation do not return.
    generation: u64,
    next_id: u64,
    returns: u64,
    /// Drawables scheduled by `present_drawable` and not yet presented.
    pending: usize,
    last_presented: Option<Texture>,
}

impl LayerState {
    fn drop_pool(&mut self) {
        self.pool.clear();
        self.generation += 1;
    }
}

/// A CAMetalLayer without a window. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct MetalLayer(Arc<LayerInner>);

struct LayerInner {
    state: Mutex<LayerState>,
    /// Signalled when a drawable returns to the pool.
    freed: Condvar,
}

impl PartialEq for MetalLayer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for MetalLayer {}

impl std::fmt::Debug for MetalLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = lock(&self.0.state);
        write!(f, "MetalLayer({:?}, {:?}, label={:?})", st.pixel_format, st.drawable_size, st.label)
    }
}

impl Default for MetalLayer {
    fn default() -> Self {
        MetalLayer::new()
    }
}

impl MetalLayer {
    /// A layer with CAMetalLayer's defaults: no device, BGRA8Unorm, framebuffer-only,
    /// drawable size (0, 0), three drawables.
    pub fn new() -> MetalLayer {
        MetalLayer(Arc::new(LayerInner {
            state: Mutex::new(LayerState {
                device: None,
                pixel_format: PixelFormat::BGRA8Unorm,
                framebuffer_only: true,
                drawable_size: (0.0, 0.0),
                maximum_drawable_count: 3,
                label: String::new(),
                pool: Vec::new(),
                generation: 0,
                next_id: 0,
                returns: 0,
                pending: 0,
                last_presented: None,
            }),
            freed: Condvar::new(),
        }))
    }

    pub fn device(&self) -> Option<Device> {
        lock(&self.0.state).device.clone()
    }
    /// Sets (or clears) the device; a different device drops the pool.
    pub fn set_device(&self, device: Option<Device>) {
        let mut st = lock(&self.0.state);
        if st.device != device {
            st.device = device;
            st.drop_pool();
        }
    }
    pub fn pixel_format(&self) -> PixelFormat {
        lock(&self.0.state).pixel_format
    }
    /// Sets the pixel format (one of [`LAYER_PIXEL_FORMATS`]); a change drops the pool.
    pub fn set_pixel_format(&self, raw: u32) -> Result<(), LayerError> {
        let format = PixelFormat::from_raw(raw)
            .filter(|f| LAYER_PIXEL_FORMATS.contains(f))
            .ok_or(LayerError::PixelFormat(raw))?;
        let mut st = lock(&self.0.state);
        if st.pixel_format != format {
            st.pixel_format = format;
            st.drop_pool();
        }
        Ok(())
    }
    pub fn framebuffer_only(&self) -> bool {
        lock(&self.0.state).framebuffer_only
    }
    /// Sets framebuffer_only; a change drops the pool (the textures' usage changes).
    pub fn set_framebuffer_only(&self, v: bool) {
        let mut st = lock(&self.0.state);
        if st.framebuffer_only != v {
            st.framebuffer_only = v;
            st.drop_pool();
        }
    }
    pub fn drawable_size(&self) -> (f64, f64) {
        lock(&self.0.state).drawable_size
    }
    /// Sets the drawable size, rounded to whole pixels as Metal does; a change drops the pool.
    pub fn set_drawable_size(&self, width: f64, height: f64) -> Result<(), LayerError> {
        let max = MAX_TEXTURE_SIZE_2D;
        let mut rounded = [0.0; 2];
        for (i, (what, value)) in [("width", width), ("height", height)].into_iter().enumerate() {
            let r = value.round();
            if !value.is_finite() || r < 0.0 || r > max as f64 {
                return Err(LayerError::DrawableSize { what, value, max });
            }
            rounded[i] = r + 0.0; // -0.0 -> 0.0
        }
        let size = (rounded[0], rounded[1]);
        let mut st = lock(&self.0.state);
        if st.drawable_size != size {
            st.drawable_size = size;
            st.drop_pool();
        }
        Ok(())
    }
    pub fn maximum_drawable_count(&self) -> u64 {
        lock(&self.0.state).maximum_drawable_count
    }
    /// Sets the pool's size limit (2 or 3); a change drops the pool.
    pub fn set_maximum_drawable_count(&self, n: u64) -> Result<(), LayerError> {
        if n != 2 && n != 3 {
            return Err(LayerError::MaximumDrawableCount(n));
        }
        let mut st = lock(&self.0.state);
        if st.maximum_drawable_count != n {
            st.maximum_drawable_count = n;
            st.drop_pool();
        }
        Ok(())
    }
    pub fn label(&self) -> String {
        lock(&self.0.state).label.clone()
    }
    pub fn set_label(&self, label: &str) {
        lock(&self.0.state).label = label.to_string();
    }
    /// The texture of the drawable presented last (our addition: the "screen"), if any.
    pub fn last_presented_texture(&self) -> Option<Texture> {
        lock(&self.0.state).last_presented.clone()
    }
    /// The textures of the current pool (for bindings that cache their wrappers).
    pub fn pool_textures(&self) -> Vec<Texture> {
        lock(&self.0.state).pool.iter().map(|s| s.texture.clone()).collect()
    }

    /// A free drawable, or None when there is no device, the drawable size has a zero side,
    /// or all `maximum_drawable_count` drawables are out (see the module comment for the wait).
    pub fn next_drawable(&self) -> Result<Option<MetalDrawable>, LayerError> {
        let deadline = Instant::now() + NEXT_DRAWABLE_TIMEOUT;
        let mut st = lock(&self.0.state);
        loop {
            let Some(device) = st.device.clone() else { return Ok(None) };
            let (w, h) = st.drawable_size;
            if w == 0.0 || h == 0.0 {
                return Ok(None);
            }
            let free = st.pool.iter().enumerate().filter(|(_, s)| s.out.is_none()).min_by_key(|(_, s)| s.returned);
            let index = match free.map(|(i, _)| i) {
                Some(i) => i,
                None if (st.pool.len() as u64) < st.maximum_drawable_count => {
                    let usage =
                        texture_usage::RENDER_TARGET | if st.framebuffer_only { 0 } else { texture_usage::SHADER_READ };
                    let desc = TextureDescriptor {
                        usage,
                        ..TextureDescriptor::texture2d(st.pixel_format as u32, w as u64, h as u64, false)
                    };
                    let texture = device.new_texture(&desc)?;
                    st.pool.push(Slot { texture, out: None, returned: 0 });
                    st.pool.len() - 1
                }
                None => {
                    let now = Instant::now();
                    if st.pending == 0 || now >= deadline {
                        return Ok(None);
                    }
                    st = self.0.freed.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
                    continue;
                }
            };
            st.next_id += 1;
            let id = st.next_id;
            st.pool[index].out = Some(id);
            return Ok(Some(MetalDrawable(Arc::new(DrawableInner {
                layer: self.clone(),
                texture: st.pool[index].texture.clone(),
                id,
                generation: st.generation,
                state: Mutex::new(DrawableState::Out),
            }))));
        }
    }

    /// Returns drawable `d` to the pool (if its generation is current); records it as
    /// presented when `shown`.
    fn give_back(&self, d: &MetalDrawable, shown: bool, was_pending: bool) {
        let mut st = lock(&self.0.state);
        if was_pending {
            st.pending = st.pending.saturating_sub(1);
        }
        if shown {
            st.last_presented = Some(d.0.texture.clone());
        }
        st.returns += 1;
        let order = st.returns;
        if d.0.generation == st.generation {
            if let Some(slot) = st.pool.iter_mut().find(|s| s.out == Some(d.0.id)) {
                slot.out = None;
                slot.returned = order;
            }
        }
        drop(st);
        self.0.freed.notify_all();
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DrawableState {
    Out,
    /// Scheduled by a command buffer's `present_drawable`.
    Pending,
    /// Presented at this media time.
    Presented(f64),
}

/// A drawable handed out by [`MetalLayer::next_drawable`]. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct MetalDrawable(Arc<DrawableInner>);

struct DrawableInner {
    layer: MetalLayer,
    texture: Texture,
    id: u64,
    generation: u64,
    state: Mutex<DrawableState>,
}

impl PartialEq for MetalDrawable {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for MetalDrawable {}

impl std::fmt::Debug for MetalDrawable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MetalDrawable(id={}, {:?})", self.0.id, self.0.texture)
    }
}

impl MetalDrawable {
    pub fn texture(&self) -> &Texture {
        &self.0.texture
    }
    pub fn layer(&self) -> &MetalLayer {
        &self.0.layer
    }
    /// Positive and increasing across the drawables of a layer.
    pub fn drawable_id(&self) -> u64 {
        self.0.id
    }
    /// When the drawable was presented (seconds on a monotonic clock); 0.0 until then.
    pub fn presented_time(&self) -> f64 {
        match *lock(&self.0.state) {
            DrawableState::Presented(t) => t,
            _ => 0.0,
        }
    }

    /// Presents the drawable now: the layer's `last_presented_texture` becomes its texture
    /// and the texture returns to the pool.
    pub fn present(&self) -> Result<(), LayerError> {
        {
            let mut st = lock(&self.0.state);
            if *st != DrawableState::Out {
                return Err(LayerError::AlreadyPresented { method: "MetalDrawable.present" });
            }
            *st = DrawableState::Presented(media_time());
        }
        self.0.layer.give_back(self, true, false);
        Ok(())
    }

    /// Called by the completed handler of `present_drawable`: presents if the command buffer
    /// completed; after a failure the texture returns to the pool without being shown.
    fn finish_scheduled(&self, completed: bool) {
        *lock(&self.0.state) = DrawableState::Presented(if completed { media_time() } else { 0.0 });
        self.0.layer.give_back(self, completed, true);
    }
}

impl CommandBuffer {
    /// Presents `drawable` once this command buffer completes (Metal's presentDrawable:).
    /// Must be called before `commit`.
    pub fn present_drawable(&self, drawable: &MetalDrawable) -> Result<(), LayerError> {
        if !matches!(self.status(), CommandBufferStatus::NotEnqueued | CommandBufferStatus::Enqueued) {
            return Err(LayerError::Committed);
        }
        if drawable.texture().device() != self.device() {
            return Err(LayerError::WrongDevice);
        }
        {
            let mut st = lock(&drawable.0.state);
            if *st != DrawableState::Out {
                return Err(LayerError::AlreadyPresented { method: "CommandBuffer.present_drawable" });
            }
            *st = DrawableState::Pending;
        }
        lock(&drawable.0.layer.0.state).pending += 1;
        let d = drawable.clone();
        self.add_completed_handler(move |cb| d.finish_scheduled(cb.status() == CommandBufferStatus::Completed));
        Ok(())
    }
}
