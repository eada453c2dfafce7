"""Graphics classes (textures now; samplers, render pipelines and passes with their issue).

Texture and TextureDescriptor are also re-exported at top level.
"""

from ._native import Texture, TextureDescriptor

__all__ = ["Texture", "TextureDescriptor"]
