//! `pymetal._native`: thin PyO3 bindings over the `pymetal` object model. Each method
//! converts its arguments (`convert`), calls `pymetal`, and maps errors (`errors`) to the
//! classes of `pymetal.exceptions`. The Python package `pymetal` re-exports everything.

mod buffer_protocol;
mod command;
mod convert;
mod device;
mod enums;
mod errors;
mod fence;
mod heap;
mod layer;
mod library;
mod render;
mod render_desc;
mod render_pass;
mod resource;
mod sampler;
mod texture;
mod texture_blit;
mod types;

use pyo3::prelude::*;

/// Backends compiled into this build, and the devices each one found.
#[pyfunction]
fn backends(py: Python<'_>) -> PyResult<Vec<(String, Vec<Py<device::Device>>)>> {
    let devs = device::copy_all_devices(py)?;
    let mut names: Vec<&str> = Vec::new();
    if cfg!(feature = "cpu") {
        names.push("cpu");
    }
    if cfg!(feature = "cuda") {
        names.push("cuda");
    }
    if devs.iter().any(|d| d.get().inner.backend() == pymetal::BackendName::Noop) {
        names.push("noop");
    }
    Ok(names
        .into_iter()
        .map(|n| {
            let ds = devs.iter().filter(|d| d.get().inner.backend().as_str() == n).map(|d| d.clone_ref(py)).collect();
            (n.to_string(), ds)
        })
        .collect())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(device::create_system_default_device, m)?)?;
    m.add_function(wrap_pyfunction!(device::copy_all_devices, m)?)?;
    m.add_function(wrap_pyfunction!(backends, m)?)?;
    m.add_class::<device::Device>()?;
    m.add_class::<command::CommandQueue>()?;
    m.add_class::<command::CommandBuffer>()?;
    m.add_class::<command::ComputeCommandEncoder>()?;
    m.add_class::<command::BlitCommandEncoder>()?;
    m.add("Buffer", buffer_protocol::buffer_type(m.py())?)?;
    m.add_class::<library::CompileOptions>()?;
    m.add_class::<library::Library>()?;
    m.add_class::<library::Function>()?;
    m.add_class::<library::ComputePipelineState>()?;
    m.add_class::<texture::TextureDescriptor>()?;
    m.add_class::<texture::Texture>()?;
    m.add_class::<render_desc::RenderPipelineColorAttachmentDescriptor>()?;
    m.add_class::<render_desc::RenderPipelineDescriptor>()?;
    m.add_class::<render_desc::VertexAttributeDescriptor>()?;
    m.add_class::<render_desc::VertexBufferLayoutDescriptor>()?;
    m.add_class::<render_desc::VertexDescriptor>()?;
    m.add_class::<render_desc::StencilDescriptor>()?;
    m.add_class::<render_desc::DepthStencilDescriptor>()?;
    m.add_class::<render_pass::RenderPassAttachmentDescriptor>()?;
    m.add_class::<render_pass::RenderPassColorAttachmentDescriptor>()?;
    m.add_class::<render_pass::RenderPassDepthAttachmentDescriptor>()?;
    m.add_class::<render_pass::RenderPassStencilAttachmentDescriptor>()?;
    m.add_class::<render_pass::RenderPassDescriptor>()?;
    m.add_class::<render::RenderPipelineState>()?;
    m.add_class::<render::DepthStencilState>()?;
    m.add_class::<render::RenderCommandEncoder>()?;
    m.add_class::<render::Viewport>()?;
    m.add_class::<fence::Fence>()?;
    m.add_class::<heap::HeapDescriptor>()?;
    m.add_class::<heap::Heap>()?;
    m.add_class::<layer::MetalLayer>()?;
    m.add_class::<layer::MetalDrawable>()?;
    m.add_class::<render::ScissorRect>()?;
    m.add_class::<sampler::SamplerDescriptor>()?;
    m.add_class::<sampler::SamplerState>()?;
    m.add_class::<types::Origin>()?;
    m.add_class::<types::Size>()?;
    m.add_class::<types::Range>()?;
    m.add_class::<types::ClearColor>()?;
    Ok(())
}
