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
#define PM_MAX_TEXTURES 32    /* [[texture(i)]] */
#define PM_MAX_SAMPLERS 16    /* [[sampler(i)]] */
#define PM_MAX_MIP_LEVELS 16
#define PM_MAX_ATTRIBUTES 31  /* [[attribute(i)]] of a vertex function's [[stage_in]] */
#define PM_MAX_COLOR_ATTACHMENTS 8
#define PM_INLINE_SLOTS 8     /* CUDA: set_bytes data of [[buffer(i)]], i < 8, up to 16 bytes, */
#define PM_INLINE_WORDS 4     /*       also travels in the launch parameters (see pm_dispatch) */

/* A texture as shader code sees it. Memory is the linear layout of
   pymetal-hal/src/texture.rs: mip levels one after another; within a level one image per
   slice (array element, or cube face in +X -X +Y -Y +Z -Z order); within an image `depth`
   planes of `height` tight rows of `width * bytes_per_pixel` bytes. */
typedef struct pm_texture {
    unsigned char *data;          /* null: nothing bound at this index */
    unsigned int format;          /* MTLPixelFormat raw value (R8Unorm = 10, ..., see format.rs) */
    unsigned int type;            /* MTLTextureType raw value (1D = 0, 2D = 2, 2DArray = 3, Cube = 5, 3D = 7) */
    unsigned int width, height, depth;  /* of level 0 */
    unsigned int slices;          /* array length (times 6 for cubes) */
    unsigned int mip_levels;
    unsigned int bytes_per_pixel;
    unsigned long long level_offset[PM_MAX_MIP_LEVELS]; /* byte offset of (slice 0, level l) */
} pm_texture;

/* A sampler (SamplerDescriptor, or a `constexpr sampler` in MSL). Values are Metal's raw
   enum values: filters MTLSamplerMinMagFilter (0 nearest, 1 linear), mip_filter
   MTLSamplerMipFilter (0 not mipmapped, 1 nearest, 2 linear), address
   MTLSamplerAddressMode (0 clamp_to_edge, 1 mirror_clamp_to_edge, 2 repeat,
   3 mirrored_repeat, 4 clamp_to_zero, 5 clamp_to_border), border_color
   MTLSamplerBorderColor (0 transparent black, 1 opaque black, 2 opaque white),
   compare_function MTLCompareFunction (0 never .. 7 always). */
typedef struct pm_sampler {
    unsigned int min_filter, mag_filter, mip_filter;
    unsigned int address[3];      /* s, t, r */
    unsigned int border_color;
    unsigned int normalized_coordinates; /* 1: [0,1] coordinates; 0: pixel coordinates */
    unsigned int compare_function;
    unsigned int max_anisotropy;
    float lod_min_clamp, lod_max_clamp;
} pm_sampler;

/* Shader validation (docs/abi.md §6): the first out-of-bounds access of a dispatch through
   a checked buffer argument. Zeroed by the backend before the dispatch; `hit` is claimed
   atomically by the first faulting thread, which then fills in the rest. */
typedef struct pm_fault {
    unsigned int hit;                 /* 0: no fault */
    unsigned int buffer;              /* [[buffer(i)]] */
    unsigned int thread[3];           /* thread_position_in_grid of the faulting thread */
    unsigned int access_size;         /* bytes of the access */
    unsigned long long offset;        /* byte offset of the access from the binding's start
                                         (two's complement when before it) */
    unsigned long long length;        /* bytes bound at that index */
} pm_fault;

/* One dispatch, as the wrapper sees it. Passed by pointer on the CPU and by value
   (__grid_constant__) on CUDA. */
typedef struct pm_dispatch {
    void *buffers[PM_MAX_BUFFERS];            /* [[buffer(i)]] -> buffers[i], offset already applied */
    unsigned int threadgroups[3];             /* threadgroups_per_grid */
    unsigned int tg_size[3];                  /* threads_per_threadgroup as dispatched (full groups) */
    unsigned int threads[3];                  /* threads_per_grid: exact for dispatch_threads,
                                                 threadgroups*tg_size for dispatch_threadgroups */
    unsigned int tg_arg_offset[PM_MAX_TG_ARGS]; /* [[threadgroup(i)]] -> arena + offset (bytes) */
    const pm_texture *textures;               /* [PM_MAX_TEXTURES]: [[texture(i)]] -> textures[i] */
    const pm_sampler *samplers;               /* [PM_MAX_SAMPLERS]: [[sampler(i)]] -> samplers[i] */
    /* Shader validation only (null otherwise): bytes bound at each [[buffer(i)]] from its
       offset to the end of the buffer (0 when unbound), and where to report a fault. */
    const unsigned long long *buffer_len;     /* [PM_MAX_BUFFERS] */
    pm_fault *fault;
    /* CUDA: the threadgroup position of this launch's block (0,0,0). A dispatch whose grid
       has partial edge groups runs as up to 8 launches (whole groups, then the edges with
       blocks of the clipped size, as Metal runs them), so kernels never clip. CPU: 0. */
    unsigned int group_offset[3];
    /* CUDA: bit i set: inline_words[i] holds the set_bytes data bound at [[buffer(i)]] (at
       most 16 bytes), so that a small `constant T&` argument is read from the kernel
       parameters, as a by-value CUDA argument is, instead of from device memory. CPU: 0. */
    unsigned int inline_mask;
    unsigned int inline_words[PM_INLINE_SLOTS][PM_INLINE_WORDS];
} pm_dispatch;

/* ---- Render stages (CPU) ----------------------------------------------------------- */

/* One call of `pm_vertex_<k>` shades `count` vertices. Outputs are 32-bit words: the
   clip-space position (4), the point size (1; 1.0 when the function writes none), then the
   varyings in the order of EntryPoint::io.varyings (msl reflection), each component one word
   (floats as floats; half widened to float; integers as their bits). */
typedef struct pm_vertex_batch {
    unsigned int count;
    unsigned int base_vertex, base_instance;
    const unsigned int *vertex_id;    /* [count], base_vertex already added */
    const unsigned int *instance_id;  /* [count], base_instance already added */
    const unsigned int *attributes;   /* [count][attr_stride] words; [[attribute(a)]] at a*4:
                                         4 words converted from the vertex format (floats
                                         as float bits, integers as integer bits), missing
                                         components 0 and w = 1 */
    unsigned int attr_stride;
    float *out;                       /* [count][out_stride] */
    unsigned int out_stride;
} pm_vertex_batch;

/* One call of `pm_fragment_<k>` shades `count` fragments. */
typedef struct pm_fragment_batch {
    unsigned int count;
    const float *position;            /* [count][4]: window x, y (pixel centre), depth z, 1/w_clip */
    const float *varyings;            /* [count][in_stride] words, in the order of the fragment
                                         function's EntryPoint::io.varyings (already interpolated) */
    unsigned int in_stride;
    const unsigned int *front_facing; /* [count] 0/1 */
    const unsigned int *primitive_id; /* [count] */
    const float *point_coord;         /* [count][2] */
    unsigned int *color;              /* [count][PM_MAX_COLOR_ATTACHMENTS][4] words, written for
                                         every [[color(i)]] output (floats as float bits,
                                         integers as integer bits) */
    float *depth;                     /* [count], written when the function has a [[depth]] output */
    unsigned int *discarded;          /* [count], set to 1 by discard_fragment(), else 0 */
} pm_fragment_batch;

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
