// pm_abi.h: the kernel ABI between the wrappers that msl::emit generates and the
// backends that launch them (mirrored in Rust by pymetal-hal/src/abi.rs; keep both equal).
// Plain C layout, no standard headers: this file is compiled by g++/clang and by NVRTC.
#ifndef PM_ABI_H
#define PM_ABI_H

#define PM_MAX_BUFFERS 32     /* [[buffer(i)]], i <= 30 used (31 for set_bytes-style slots too) */
#define PM_MAX_TG_ARGS 32     /* [[threadgroup(i)]] */
#define PM_MAX_TG_SITES 128   /* `threadgroup T x;` declarations in one translation unit */
#define PM_SIMD_WIDTH 32
#define PM_SIMD_SLOT 64       /* bytes per lane in the CPU SIMD-group exchange area */

/* One dispatch, as the wrapper sees it. Passed by pointer on the CPU and by value
   (__grid_constant__) on CUDA. */
typedef struct pm_dispatch {
    void *buffers[PM_MAX_BUFFERS];            /* [[buffer(i)]] -> buffers[i], offset already applied */
    unsigned int threadgroups[3];             /* threadgroups_per_grid */
    unsigned int tg_size[3];                  /* threads_per_threadgroup as dispatched (full groups) */
    unsigned int threads[3];                  /* threads_per_grid: exact for dispatch_threads,
                                                 threadgroups*tg_size for dispatch_threadgroups */
    unsigned int tg_arg_offset[PM_MAX_TG_ARGS]; /* [[threadgroup(i)]] -> arena + offset (bytes) */
} pm_dispatch;

/* ---- CPU only ---------------------------------------------------------------------- */

/* Static `threadgroup` declarations of one threadgroup: a bump allocator whose offsets are
   fixed per declaration site by the first thread that reaches it (all threads of a group
   run on one OS thread, so no locking). The executor resets `used`, `overflow` and sets
   every site_offset to 0xFFFFFFFF before each group. */
typedef struct pm_cpu_tg_static {
    unsigned char *base;
    unsigned int capacity;
    unsigned int used;
    unsigned int overflow;                    /* set when a declaration did not fit */
    unsigned int site_offset[PM_MAX_TG_SITES];
} pm_cpu_tg_static;

struct pm_cpu_thread;
/* scope: 0 = threadgroup barrier, 1 = SIMD-group barrier. Suspends the calling fiber
   until every live thread of the scope has arrived; returns on the same OS thread. */
typedef void (*pm_cpu_sync_fn)(void *sched, struct pm_cpu_thread *self, unsigned int scope);

/* The state of one GPU thread on the CPU. The executor owns it; the wrapper reads it and
   the prelude's target_cpu.h keeps a thread_local pointer to the running one. */
typedef struct pm_cpu_thread {
    unsigned int tid[3];          /* thread_position_in_threadgroup */
    unsigned int group[3];        /* threadgroup_position_in_grid */
    unsigned int tg_size[3];      /* threads_per_threadgroup, clipped at the grid's edge */
    unsigned int flat;            /* thread_index_in_threadgroup (over the clipped size) */
    unsigned char *arena;         /* base of this group's [[threadgroup(i)]] memory */
    pm_cpu_tg_static *tg_static;  /* this group's static threadgroup declarations */
    unsigned char *simd_scratch;  /* PM_SIMD_WIDTH * PM_SIMD_SLOT bytes, shared by the SIMD group */
    const unsigned int *simd_live;/* bit l set: lane l of this SIMD group exists and has not returned */
    void *sched;                  /* opaque executor state, passed back to sync */
    pm_cpu_sync_fn sync;          /* null on the plain-loop path (no barrier reachable) */
} pm_cpu_thread;

#endif /* PM_ABI_H */
