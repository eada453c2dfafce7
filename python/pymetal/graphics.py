"""Graphics classes: textures, render pipelines and passes, depth/stencil state, vertex
descriptors and the render command encoder (samplers arrive with their module).

Everything here is also re-exported at top level.
"""

from ._native import (
    DepthStencilDescriptor,
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
    StencilDescriptor,
    Texture,
    TextureDescriptor,
    VertexAttributeDescriptor,
    VertexBufferLayoutDescriptor,
    VertexDescriptor,
)

__all__ = [
    "Texture", "TextureDescriptor",
    "RenderPipelineState", "RenderPipelineDescriptor", "RenderPipelineColorAttachmentDescriptor",
    "RenderCommandEncoder",
    "RenderPassDescriptor", "RenderPassAttachmentDescriptor", "RenderPassColorAttachmentDescriptor",
    "RenderPassDepthAttachmentDescriptor", "RenderPassStencilAttachmentDescriptor",
    "DepthStencilState", "DepthStencilDescriptor", "StencilDescriptor",
    "VertexDescriptor", "VertexAttributeDescriptor", "VertexBufferLayoutDescriptor",
]
