"""Compute classes (re-exported at top level too)."""

from ._native import ComputeCommandEncoder, ComputePipelineState

__all__ = ["ComputePipelineState", "ComputeCommandEncoder"]
