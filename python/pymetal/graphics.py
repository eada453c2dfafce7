"""Graphics classes: textures, render pipelines and passes, depth/stencil state, vertex
descriptors, the render command encoder, and an offscreen MetalLayer/MetalDrawable (samplers arrive with their module).

Everything here is also re-exported at top level.
"""

from ._native import (
    DepthStencilDescriptor,
    MetalDrawable,
    MetalLayer,
    DepthStencilState,
    RenderCommandEncoder,
    RenderPassAttachmentDescriptor,
    RenderPassColorAttachmentDescriptor,
    RenderPassDepthAttachmentDescriptor,
    RenderPassDescriptor,
    RenderPassStencilAttachmentDescriptor,
    RenderPipelineColorAttachmentDescriptor,
    RenderPipelineDescriptor,
    RenderPipelineState,
    SamplerDescriptor,
    SamplerState,
    StencilDescriptor,
    Texture,
    TextureDescriptor,
    VertexAttributeDescriptor,
    VertexBufferLayoutDescriptor,
    VertexDescriptor,
)

__all__ = [
    "Texture", "TextureDescriptor", "SamplerDescriptor", "SamplerState",
    "RenderPipelineState", "RenderPipelineDescriptor", "RenderPipelineColorAttachmentDescriptor",
    "RenderCommandEncoder",
    "RenderPassDescriptor", "RenderPassAttachmentDescriptor", "RenderPassColorAttachmentDescriptor",
    "RenderPassDepthAttachmentDescriptor", "RenderPassStencilAttachmentDescriptor",
    "DepthStencilState", "DepthStencilDescriptor", "StencilDescriptor",
    "VertexDescriptor", "VertexAttributeDescriptor", "VertexBufferLayoutDescriptor",
    "MetalLayer", "MetalDrawable",
]
