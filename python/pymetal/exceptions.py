"""Exception classes of pymetal (the extension raises these; see pymetal-api.md §2)."""

__all__ = ["MetalError", "CompileError", "PipelineError", "ResourceError", "ValidationError"]


class MetalError(Exception):
    """Base class of every pymetal error."""


class CompileError(MetalError):
    """MSL source did not compile: "Metal shader compilation failed: FILE:LINE:COL: error: ..."."""


class PipelineError(MetalError):
    """A pipeline state could not be created: "Failed to create compute pipeline: ..."."""


class ResourceError(MetalError):
    """A resource (buffer, heap, archive...) could not be created."""


class ValidationError(MetalError):
    """An API call was refused by validation (bad index, zero size, wrong state...)."""
