"""Graphics classes (textures now; samplers, render pipelines and passes with their issue).

Texture, TextureDescriptor, SamplerDescriptor and SamplerState are also re-exported at top level.
"""

from ._native import SamplerDescriptor, SamplerState, Texture, TextureDescriptor

__all__ = ["Texture", "TextureDescriptor", "SamplerDescriptor", "SamplerState"]
