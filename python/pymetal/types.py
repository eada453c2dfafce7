"""Value types: Origin, Size, Range, ClearColor (implemented in the extension)."""

from ._native import ClearColor, Origin, Range, Size

__all__ = ["Origin", "Size", "Range", "ClearColor"]
