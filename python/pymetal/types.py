"""Value types: Origin, Size, Range, ClearColor, Viewport, ScissorRect (implemented in the
extension)."""

from ._native import ClearColor, Origin, Range, ScissorRect, Size, Viewport

__all__ = ["Origin", "Size", "Range", "ClearColor", "Viewport", "ScissorRect"]
