// sync.h: mem_flags, thread_scope, threadgroup_barrier and simdgroup_barrier (the target
// hooks do the work).
#ifndef PM_SYNC_H
#define PM_SYNC_H

namespace metal {

enum class mem_flags : uint {
    mem_none = 0,
    mem_device = 1,
    mem_threadgroup = 2,
    mem_texture = 4,
    mem_threadgroup_imageblock = 8,
    mem_object_data = 16,
};
PM_INLINE constexpr mem_flags operator|(mem_flags a, mem_flags b) { return mem_flags(uint(a) | uint(b)); }
PM_INLINE constexpr mem_flags operator&(mem_flags a, mem_flags b) { return mem_flags(uint(a) & uint(b)); }
PM_INLINE constexpr mem_flags operator^(mem_flags a, mem_flags b) { return mem_flags(uint(a) ^ uint(b)); }
PM_INLINE constexpr mem_flags operator~(mem_flags a) { return mem_flags(~uint(a)); }

enum thread_scope {
    thread_scope_thread = 0,
    thread_scope_simdgroup = 1,
    thread_scope_threadgroup = 2,
    thread_scope_device = 3,
};

PM_INLINE void threadgroup_barrier(mem_flags = mem_flags::mem_none) { detail::threadgroup_barrier_hook(); }
PM_INLINE void simdgroup_barrier(mem_flags = mem_flags::mem_none) { detail::simdgroup_barrier_hook(); }

} // namespace metal

#endif // PM_SYNC_H
