"""Where the commit + wait time of a tiny kernel goes (GPU machine). Prints medians in µs of
several ways of timing the same command buffer, so a missed latency target can be explained."""
import time

import numpy as np
import pymetal as pm

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void tiny(device float* x [[buffer(0)]], uint i [[thread_position_in_grid]]) { x[i] += 1.0f; }
"""
dev = pm.create_system_default_device()
q = dev.new_command_queue()
pso = dev.new_compute_pipeline_state(dev.new_library_with_source(SRC).new_function("tiny"))
x = dev.new_buffer(1024, pm.ResourceStorageModePrivate)


def encoded():
    cb = q.command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(x, 0, 0)
    e.dispatch_threads(256, 1, 1, 256, 1, 1)
    e.end_encoding()
    return cb


def med(samples):
    return float(np.median(samples[20:]) * 1e6)


def commit_wait():
    cb = encoded()
    t0 = time.perf_counter()
    cb.commit()
    cb.wait_until_completed()
    return time.perf_counter() - t0


def split():
    cb = encoded()
    t0 = time.perf_counter()
    cb.commit()
    t1 = time.perf_counter()
    cb.wait_until_completed()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def encode_only():
    t0 = time.perf_counter()
    encoded()
    return time.perf_counter() - t0


for rnd in range(2):
    a = [commit_wait() for _ in range(300)]
    s = [split() for _ in range(300)]
    en = [encode_only() for _ in range(300)]
    print(f"round {rnd}: commit+wait {med(a):.2f} | split: commit {med([c for c, _ in s]):.2f} "
          f"+ wait {med([w for _, w in s]):.2f} | encoding (5 calls) {med(en):.2f}")
