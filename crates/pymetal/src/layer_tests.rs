//! MetalLayer / MetalDrawable tests on the noop backend: defaults, validation, the pool.

use crate::*;

fn layer(dev: &Device, w: f64, h: f64) -> MetalLayer {
    let l = MetalLayer::new();
    l.set_device(Some(dev.clone()));
    l.set_drawable_size(w, h).unwrap();
    l
}

#[test]
fn defaults_and_nil_drawables() {
    let l = MetalLayer::new();
    assert_eq!(l.pixel_format(), PixelFormat::BGRA8Unorm);
    assert!(l.framebuffer_only());
    assert_eq!(l.drawable_size(), (0.0, 0.0));
    assert_eq!(l.maximum_drawable_count(), 3);
    assert!(l.device().is_none());
    assert!(l.last_presented_texture().is_none());
    assert!(l.next_drawable().unwrap().is_none(), "no device");
    l.set_device(Some(Device::noop()));
    assert!(l.next_drawable().unwrap().is_none(), "zero size");
    l.set_drawable_size(4.0, 0.0).unwrap();
    assert!(l.next_drawable().unwrap().is_none(), "zero height");
}

#[test]
fn validation() {
    let l = MetalLayer::new();
    for raw in [0, PixelFormat::RGBA8Unorm as u32, PixelFormat::Depth32Float as u32, 9999] {
        let e = l.set_pixel_format(raw).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.to_string().contains("MetalLayer.pixel_format"), "{e}");
    }
    for f in LAYER_PIXEL_FORMATS {
        l.set_pixel_format(f as u32).unwrap();
        assert_eq!(l.pixel_format(), f);
    }
    for (w, h) in [(-1.0, 1.0), (1.0, f64::NAN), (f64::INFINITY, 1.0), (16385.0, 1.0)] {
        let e = l.set_drawable_size(w, h).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    }
    l.set_drawable_size(10.4, 7.6).unwrap();
    assert_eq!(l.drawable_size(), (10.0, 8.0));
    l.set_drawable_size(-0.2, 3.0).unwrap();
    assert_eq!(l.drawable_size(), (0.0, 3.0));
    for n in [0, 1, 4] {
        assert!(l.set_maximum_drawable_count(n).is_err());
    }
    l.set_maximum_drawable_count(2).unwrap();
    assert_eq!(l.maximum_drawable_count(), 2);
}

#[test]
fn drawable_texture() {
    let dev = Device::noop();
    let l = layer(&dev, 5.0, 3.0);
    let d = l.next_drawable().unwrap().unwrap();
    let t = d.texture();
    assert_eq!((t.width(), t.height(), t.depth()), (5, 3, 1));
    assert_eq!(t.texture_type(), TextureType::Type2D);
    assert_eq!(t.pixel_format(), PixelFormat::BGRA8Unorm);
    assert_eq!(t.usage(), texture_usage::RENDER_TARGET);
    assert_eq!(d.layer(), &l);
    assert_eq!(d.presented_time(), 0.0);
    l.set_framebuffer_only(false);
    l.set_pixel_format(PixelFormat::RGBA16Float as u32).unwrap();
    let d2 = l.next_drawable().unwrap().unwrap();
    assert_eq!(d2.texture().usage(), texture_usage::RENDER_TARGET | texture_usage::SHADER_READ);
    assert_eq!(d2.texture().pixel_format(), PixelFormat::RGBA16Float);
}

#[test]
fn pool_recycles_oldest_presented() {
    let dev = Device::noop();
    let l = layer(&dev, 2.0, 2.0);
    let ds: Vec<MetalDrawable> = (0..3).map(|_| l.next_drawable().unwrap().unwrap()).collect();
    let ids: Vec<u64> = ds.iter().map(|d| d.drawable_id()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(l.next_drawable().unwrap().is_none(), "all three are out");
    ds[1].present().unwrap();
    assert!(ds[1].presented_time() > 0.0);
    assert_eq!(l.last_presented_texture().as_ref(), Some(ds[1].texture()));
    ds[0].present().unwrap();
    assert!(ds[1].present().is_err(), "presented twice");
    // Oldest presented first: ds[1]'s texture, then ds[0]'s.
    let a = l.next_drawable().unwrap().unwrap();
    let b = l.next_drawable().unwrap().unwrap();
    assert_eq!(a.texture(), ds[1].texture());
    assert_eq!(b.texture(), ds[0].texture());
    assert!(a.drawable_id() > ids[2] && b.drawable_id() > a.drawable_id());
    assert!(l.next_drawable().unwrap().is_none());
    // A new size drops the pool: drawables still out do not come back, new ones are made.
    l.set_drawable_size(3.0, 3.0).unwrap();
    a.present().unwrap();
    assert_eq!(l.last_presented_texture().as_ref(), Some(a.texture()));
    let c = l.next_drawable().unwrap().unwrap();
    assert_eq!(c.texture().width(), 3);
    assert_eq!(l.pool_textures().len(), 1);
}

#[test]
fn present_drawable_on_completion() {
    let dev = Device::noop();
    let l = layer(&dev, 2.0, 2.0);
    l.set_maximum_drawable_count(2).unwrap();
    let q = dev.new_command_queue().unwrap();
    let d = l.next_drawable().unwrap().unwrap();
    let _e = l.next_drawable().unwrap().unwrap();
    let cb = q.command_buffer();
    cb.present_drawable(&d).unwrap();
    assert!(cb.present_drawable(&d).is_err(), "scheduled twice");
    assert!(d.present().is_err(), "already scheduled");
    assert!(l.last_presented_texture().is_none());
    let committer = {
        let cb = cb.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            cb.commit().unwrap();
        })
    };
    // All drawables are out but one is scheduled: next_drawable waits for it.
    let n = l.next_drawable().unwrap().expect("freed by the completed command buffer");
    committer.join().unwrap();
    cb.wait_until_completed().unwrap();
    assert!(d.presented_time() > 0.0);
    assert_eq!(l.last_presented_texture().as_ref(), Some(d.texture()));
    assert_eq!(n.texture(), d.texture());
    let e = cb.present_drawable(&n).unwrap_err();
    assert!(e.to_string().contains("already committed"), "{e}");
    let other = Device::noop();
    let e = other.new_command_queue().unwrap().command_buffer().present_drawable(&n).unwrap_err();
    assert!(e.to_string().contains("another device"), "{e}");
}
