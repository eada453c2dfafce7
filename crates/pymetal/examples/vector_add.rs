//! Vector addition on the default device (`PYMETAL_DEVICE` picks another), verified.
//!
//! cargo run -p pymetal --example vector_add

use pymetal::{default_device, ResourceOptions};

const SOURCE: &str = r#"
#include <metal_stdlib>
using namespace metal;

kernel void vector_add(device const float* a [[buffer(0)]],
                       device const float* b [[buffer(1)]],
                       device float* c [[buffer(2)]],
                       uint id [[thread_position_in_grid]])
{
    c[id] = a[id] + b[id];
}
"#;

fn as_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let device = default_device()?;
    println!("device: {} ({})", device.name(), device.spec());
    let queue = device.new_command_queue()?;
    let n = 1 << 20;
    let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5).collect();
    let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32).collect();

    let library = device.new_library_with_source(SOURCE, &pymetal::msl::Options::default())?;
    let function = library.new_function("vector_add", None).ok_or("no function vector_add")?;
    let pipeline = device.new_compute_pipeline_state(&function)?;

    let shared = ResourceOptions::STORAGE_MODE_SHARED;
    let buf_a = device.new_buffer_with_data(&as_bytes(&a), shared)?;
    let buf_b = device.new_buffer_with_data(&as_bytes(&b), shared)?;
    let buf_c = device.new_buffer(n * 4, shared)?;

    let cmd = queue.command_buffer();
    let enc = cmd.compute_command_encoder()?;
    enc.set_compute_pipeline_state(&pipeline)?;
    enc.set_buffer(&buf_a, 0, 0)?;
    enc.set_buffer(&buf_b, 0, 1)?;
    enc.set_buffer(&buf_c, 0, 2)?;
    let tg = pipeline.max_total_threads_per_threadgroup().min(256);
    enc.dispatch_threads([n as u32, 1, 1], [tg, 1, 1])?;
    enc.end_encoding()?;
    cmd.commit()?;
    cmd.wait_until_completed()?;
    if let Some(e) = cmd.error() {
        return Err(e.into());
    }

    // SAFETY: a Shared buffer of n floats (page-aligned); the GPU work has completed.
    let c = unsafe { std::slice::from_raw_parts(buf_c.contents()? as *const f32, n) };
    if device.backend() == pymetal::BackendName::Noop {
        println!("noop device: kernels do not run; skipping the check");
        return Ok(());
    }
    let bad = (0..n).filter(|&i| c[i] != a[i] + b[i]).count();
    if bad > 0 {
        return Err(format!("{bad} of {n} results are wrong (c[0] = {}, expected {})", c[0], a[0] + b[0]).into());
    }
    println!("vector_add: {n} elements verified; c[..4] = {:?}", &c[..4]);
    Ok(())
}
