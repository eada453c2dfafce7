"""Graphics classes (textures, samplers, render pipelines and passes).

Phase 1 ships the compute API only; the reference's graphics classes (Texture,
TextureDescriptor, RenderPipelineState, RenderCommandEncoder, SamplerState, ...) arrive
with their issue. This module exists so that ``import pymetal.graphics`` works.
"""

__all__: list = []
