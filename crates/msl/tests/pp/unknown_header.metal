#include <metal_stdlib>
#include <metal_tensor>
