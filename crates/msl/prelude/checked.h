// checked.h: shader validation (docs/abi.md §6), compiled only when msl::emit defines
// PM_SHADER_VALIDATION. A kernel buffer argument declared as a plain pointer gets the type
// pm_chk::ptr<T>: every access through it (p[i], *p, p->m, and through p + k, p++, ...)
// is checked against the bytes bound at that index. The first out-of-bounds access of a
// dispatch is reported in its pm_fault block; the access itself goes to a scratch area,
// so a bad index can neither fault the GPU nor overwrite another allocation.
// Passing the argument on as a raw pointer (to a helper taking `device T*`) is allowed and
// unchecked from there on.
#ifndef PM_CHECKED_H
#define PM_CHECKED_H
#if defined(PM_SHADER_VALIDATION)

namespace pm_chk {

/* Where a thread reports: the dispatch's fault block and the thread's grid position. */
struct ctx {
    pm_fault *fault;
    unsigned int pos[3];
};

/* Discarded accesses land here (racy junk by design; never read back). */
#if defined(PM_TARGET_CUDA)
__device__ unsigned long long scratch_area[8192];
#else
static unsigned long long scratch_area[8192];
#endif

PM_INLINE void *report(const ctx *c, unsigned int buffer, unsigned long long offset, unsigned int size,
                       unsigned long long length) {
    if (c && c->fault) {
        pm_fault *f = c->fault;
        unsigned int expected = 0u;
        if (::metal::detail::atomic_cas_raw(&f->hit, &expected, 1u)) {
            f->buffer = buffer;
            f->thread[0] = c->pos[0];
            f->thread[1] = c->pos[1];
            f->thread[2] = c->pos[2];
            f->access_size = size;
            f->offset = offset;
            f->length = length;
        }
    }
    return scratch_area;
}

/* A reference or value argument: the whole object must be bound. */
PM_INLINE unsigned char *whole(unsigned char *p, unsigned long long size, unsigned long long length,
                               unsigned int buffer, const ctx *c) {
    if (p && size <= length) return p;
    return (unsigned char *)report(c, buffer, 0ull, (unsigned int)size, length);
}

template <class T> struct ptr {
    T *p;                    /* what the kernel's pointer is now */
    T *base;                 /* start of the binding */
    unsigned long long len;  /* bytes bound from base */
    const ctx *c;
    unsigned int buffer;

    PM_INLINE ptr() : p(nullptr), base(nullptr), len(0), c(nullptr), buffer(0) {}
    /* From a raw pointer (assigning one to the argument): unchecked from then on. */
    PM_INLINE ptr(T *raw) : p(raw), base(nullptr), len(~0ull), c(nullptr), buffer(0) {}
    PM_INLINE ptr(T *b, unsigned long long n, unsigned int index, const ctx *cx)
        : p(b), base(b), len(n), c(cx), buffer(index) {}

    /* The address of element i, or the scratch area when it is not wholly bound. */
    PM_INLINE T *at(long long i) const {
        T *q = p + i;
        unsigned long long off = (unsigned long long)((const char *)q - (const char *)base);
        if (off < len && len - off >= sizeof(T)) return q;
        return (T *)report(c, buffer, off, (unsigned int)sizeof(T), len);
    }
    /* Templates over the index type: an exact match, so the built-in subscript through the
       conversion to T* is never an equally good candidate (NVRTC calls that ambiguous). */
    template <class I> PM_INLINE T &operator[](I i) const { return *at((long long)i); }
    PM_INLINE T &operator*() const { return *at(0); }
    PM_INLINE T *operator->() const { return at(0); }
    PM_INLINE operator T *() const { return p; }

    template <class I> PM_INLINE ptr operator+(I i) const { ptr r = *this; r.p += (long long)i; return r; }
    template <class I> PM_INLINE ptr operator-(I i) const { ptr r = *this; r.p -= (long long)i; return r; }
    PM_INLINE long long operator-(const ptr &o) const { return p - o.p; }
    template <class I> PM_INLINE ptr &operator+=(I i) { p += (long long)i; return *this; }
    template <class I> PM_INLINE ptr &operator-=(I i) { p -= (long long)i; return *this; }
    PM_INLINE ptr &operator++() { ++p; return *this; }
    PM_INLINE ptr &operator--() { --p; return *this; }
    PM_INLINE ptr operator++(int) { ptr r = *this; ++p; return r; }
    PM_INLINE ptr operator--(int) { ptr r = *this; --p; return r; }
};

} // namespace pm_chk

#endif // PM_SHADER_VALIDATION
#endif // PM_CHECKED_H
