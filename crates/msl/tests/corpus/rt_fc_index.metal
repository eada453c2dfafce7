// Function constants with index expressions and is_function_constant_defined.
#include <metal_stdlib>
using namespace metal;

#define FC_BASE 20
constant bool has_bias [[function_constant(FC_BASE + 0)]];
constant bool do_relu  [[function_constant(FC_BASE + 1)]];
constant int  block_n  [[function_constant(FC_BASE * 1 + 2)]];
constant float alpha   [[function_constant(23)]];
constant bool use_alpha = is_function_constant_defined(alpha);
constant int  eff_block = is_function_constant_defined(block_n) ? block_n : 4;
constant bool no_bias = !has_bias;

kernel void fc_linear(device const float* x [[buffer(0)]],
                      device const float* bias [[buffer(1), function_constant(has_bias)]],
                      device float* y [[buffer(2)]],
                      constant uint& n [[buffer(3)]],
                      uint gid [[thread_position_in_grid]]) {
    uint base = gid * uint(eff_block);
    for (int k = 0; k < eff_block; ++k) {
        uint i = base + k;
        if (i >= n) return;
        float v = x[i];
        if (use_alpha) v *= alpha;
        if (has_bias) v += bias[i % 8];
        if (do_relu) v = max(v, 0.0f);
        y[i] = v;
    }
}
