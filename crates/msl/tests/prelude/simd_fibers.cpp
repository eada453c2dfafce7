// Compiled after msl::prelude::source(Target::Cpu) (with <ucontext.h> before it) by
// tests/prelude_compile.rs: runs 64 GPU threads (two SIMD groups) of one threadgroup as
// ucontext fibers with a round-robin scheduler, the way the CPU executor runs kernels with
// barriers, and checks the SIMD-group, quad, barrier and threadgroup-memory hooks.
using namespace metal;

static int failures = 0;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            __builtin_printf("FAIL thread %u line %d: %s\n", t->flat, __LINE__, #c);               \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

enum { NT = 64, STACK = 1 << 16 };
static ucontext_t sched_ctx, fiber_ctx[NT];
static char stacks[NT][STACK];
static pm_cpu_thread threads[NT];
static bool done[NT];
static unsigned live[2];
static unsigned char scratch[2][PM_SIMD_WIDTH * PM_SIMD_SLOT];
static unsigned char tg_mem[4096];
static pm_cpu_tg_static tg_static;

static void sync_fn(void *, pm_cpu_thread *self, unsigned) {
    swapcontext(&fiber_ctx[self->flat], &sched_ctx);
}

static void kernel(uint flat) {
    pm_cpu_thread *t = &threads[flat];
    uint l = flat % 32;
    CHECK(simd_sum(float(l)) == 496.0f);
    CHECK(::metal::detail::pm_cur == t);
    CHECK(simd_sum(int2(int(l), 1)).y == 32);
    CHECK(simd_max(l) == 31u && simd_min(l) == 0u && simd_product(l == 3 ? 2 : 1) == 2);
    CHECK(simd_prefix_exclusive_sum(l) == l * (l - 1) / 2 && simd_prefix_inclusive_sum(l) == l * (l + 1) / 2);
    CHECK(simd_prefix_exclusive_product(l < 4 ? 2u : 1u) == (1u << (l < 4 ? l : 4)));
    CHECK(simd_shuffle(l, ushort(31 - l)) == 31 - l && simd_broadcast(l * 2, ushort(5)) == 10u);
    CHECK(simd_shuffle_up(l, ushort(1)) == (l >= 1 ? l - 1 : l) && simd_shuffle_down(l, ushort(2)) == (l + 2 < 32 ? l + 2 : l));
    CHECK(simd_shuffle_xor(l, ushort(1)) == (l ^ 1u) && simd_shuffle_rotate_up(l, ushort(1)) == (l + 31) % 32);
    CHECK(simd_shuffle_rotate_down(l, ushort(3)) == (l + 3) % 32);
    CHECK(simd_shuffle_and_fill_up(l, 100 + l, ushort(2)) == (l >= 2 ? l - 2 : 100 + l + 30));
    CHECK(simd_shuffle_and_fill_down(l, 100 + l, ushort(2)) == (l + 2 < 32 ? l + 2 : 100 + l - 30));
    CHECK(simd_shuffle_and_fill_up(l, 100 + l, ushort(1), ushort(4)) == (l % 4 >= 1 ? l - 1 : 100 + l + 3));
    CHECK((ulong)simd_ballot(l % 2 == 0) == 0x55555555ul && simd_all(true) && simd_any(l == 3) && !simd_any(false));
    CHECK(simd_is_first() == (l == 0) && simd_broadcast_first(l + 7) == 7u);
    CHECK(quad_sum(l) == 4 * (l & ~3u) + 6 && quad_shuffle_xor(l, ushort(1)) == (l ^ 1u) && quad_broadcast(l, ushort(3)) == (l | 3u));
    CHECK(quad_prefix_exclusive_sum(1u) == l % 4 && (ushort)quad_ballot(l % 4 == 1) == 2);
    CHECK(all(simd_shuffle(float4(float(l), 1, 2, 3), ushort(0)) == float4(0, 1, 2, 3)));
    CHECK(simd_sum(half(1.0f)) == half(32.0f));

    using pm_tg_t_0 = uint[NT];
    PM_TG_VAR(0, pm_tg_t_0, shared_);
    using pm_tg_t_1 = atomic_uint;
    PM_TG_VAR(1, pm_tg_t_1, counter);
    if (flat == 0) atomic_store_explicit(&counter, 0u, memory_order_relaxed);
    shared_[flat] = flat;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    CHECK(shared_[NT - 1 - flat] == NT - 1 - flat);
    atomic_fetch_add_explicit(&counter, 1u, memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    CHECK(atomic_load_explicit(&counter, memory_order_relaxed) == NT);
    simdgroup_barrier(mem_flags::mem_none);
    CHECK(::metal::detail::pm_cur == t);
    /* lanes 16..31 of the second SIMD group leave early; the rest still agree */
    if (flat >= 48) return;
    simdgroup_barrier(mem_flags::mem_none); /* lanes 48.. have finished when this returns */
    uint live_lanes = flat < 32 ? 32u : 16u;
    ulong mask = (ulong)simd_active_threads_mask(); /* read before anyone can finish */
    CHECK(simd_sum(1u) == live_lanes && mask == (live_lanes == 32 ? 0xFFFFFFFFul : 0xFFFFul));
}

static void entry(int i) {
    ::metal::detail::pm_cur = &threads[i];
    kernel((uint)i);
    done[i] = true;
    live[i / 32] &= ~(1u << (i % 32));
}

int main() {
    tg_static.base = tg_mem;
    tg_static.capacity = sizeof(tg_mem);
    for (unsigned s = 0; s < PM_MAX_TG_SITES; ++s) tg_static.site_offset[s] = 0xFFFFFFFFu;
    live[0] = live[1] = 0xFFFFFFFFu;
    for (int i = 0; i < NT; ++i) {
        pm_cpu_thread &t = threads[i];
        t.tid[0] = (unsigned)i; t.tid[1] = t.tid[2] = 0;
        t.group[0] = t.group[1] = t.group[2] = 0;
        t.tg_size[0] = NT; t.tg_size[1] = t.tg_size[2] = 1;
        t.flat = (unsigned)i;
        t.arena = nullptr;
        t.tg_static = &tg_static;
        t.simd_scratch = scratch[i / 32];
        t.simd_live = &live[i / 32];
        t.sched = nullptr;
        t.sync = sync_fn;
        getcontext(&fiber_ctx[i]);
        fiber_ctx[i].uc_stack.ss_sp = stacks[i];
        fiber_ctx[i].uc_stack.ss_size = STACK;
        fiber_ctx[i].uc_link = &sched_ctx;
        makecontext(&fiber_ctx[i], (void (*)())entry, 1, i);
    }
    /* round robin: every live fiber runs to its next sync (all reach the same syncs) */
    for (bool any = true; any;) {
        any = false;
        for (int i = 0; i < NT; ++i) {
            if (done[i]) continue;
            any = true;
            ::metal::detail::pm_cur = nullptr; /* the hooks must restore it */
            swapcontext(&sched_ctx, &fiber_ctx[i]);
        }
    }
    if (tg_static.overflow) { __builtin_printf("FAIL: tg overflow\n"); ++failures; }
    if (failures) __builtin_printf("%d failures\n", failures);
    else __builtin_printf("simd fibers: all checks passed\n");
    return failures ? 1 : 0;
}
