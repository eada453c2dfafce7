"""Advanced classes: blit encoders now; heaps, fences, events, argument buffers, indirect
command buffers, binary archives and capture scopes arrive with their issue."""

from ._native import BlitCommandEncoder, Fence, Heap, HeapDescriptor

__all__ = ["BlitCommandEncoder", "Fence", "Heap", "HeapDescriptor"]
