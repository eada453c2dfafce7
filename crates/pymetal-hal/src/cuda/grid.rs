//! Launch geometry of a dispatch: blocks, edge groups and threadgroup-argument layout.

use crate::abi::MAX_TG_ARGS;
use crate::Grid;

/// Grid → (threadgroups, threads per group, threads per grid).
pub(crate) fn grid_dims(g: &Grid) -> ([u32; 3], [u32; 3], [u32; 3]) {
    match *g {
        Grid::Threadgroups { groups, threads_per_group: t } => {
            (groups, t, [groups[0] * t[0], groups[1] * t[1], groups[2] * t[2]])
        }
        Grid::Threads { threads, threads_per_group: t } => {
            let groups = [threads[0].div_ceil(t[0]), threads[1].div_ceil(t[1]), threads[2].div_ceil(t[2])];
            (groups, t, threads)
        }
    }
}

/// The launches that run a grid of `threads` in groups of `tg` without clipping in the
/// kernel (docs/abi.md §2): the whole groups, then per dimension the partial edge groups as
/// blocks of their clipped size, as Metal runs them. Each is (first group, groups, block).
pub(crate) fn launch_regions(tg: [u32; 3], threads: [u32; 3]) -> impl Iterator<Item = ([u32; 3], [u32; 3], [u32; 3])> {
    // Per dimension: (first group, groups, block size) of the whole part and of the edge.
    // Arrays, not vectors: this runs for every dispatch.
    let part = |k: usize| {
        let (t, n) = (tg[k].max(1), threads[k]);
        let (whole, rest) = (n / t, n % t);
        [(whole > 0).then_some((0, whole, t)), (rest > 0).then_some((whole, 1, rest))]
    };
    let (px, py, pz) = (part(0), part(1), part(2));
    px.into_iter().flatten().flat_map(move |x| {
        py.into_iter().flatten().flat_map(move |y| {
            pz.into_iter().flatten().map(move |z| ([x.0, y.0, z.0], [x.1, y.1, z.1], [x.2, y.2, z.2]))
        })
    })
}

/// Offsets of `[[threadgroup(i)]]` arguments (each rounded up to 16 bytes) and the total.
pub(crate) fn tg_layout(lengths: &[u32]) -> ([u32; MAX_TG_ARGS], u32) {
    let mut off = [0u32; MAX_TG_ARGS];
    let mut total = 0u32;
    for (i, &len) in lengths.iter().enumerate().take(MAX_TG_ARGS) {
        off[i] = total;
        total += len.next_multiple_of(16);
    }
    (off, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids() {
        let g = Grid::Threads { threads: [100, 3, 1], threads_per_group: [32, 2, 1] };
        assert_eq!(grid_dims(&g), ([4, 2, 1], [32, 2, 1], [100, 3, 1]));
        let g = Grid::Threadgroups { groups: [2, 1, 1], threads_per_group: [64, 1, 1] };
        assert_eq!(grid_dims(&g), ([2, 1, 1], [64, 1, 1], [128, 1, 1]));
    }

    #[test]
    fn edge_groups_launch_apart_with_their_clipped_size() {
        assert_eq!(
            launch_regions([256, 1, 1], [1024, 1, 1]).collect::<Vec<_>>(),
            vec![([0, 0, 0], [4, 1, 1], [256, 1, 1])]
        );
        assert_eq!(
            launch_regions([32, 2, 1], [100, 3, 1]).collect::<Vec<_>>(),
            vec![
                ([0, 0, 0], [3, 1, 1], [32, 2, 1]),
                ([0, 1, 0], [3, 1, 1], [32, 1, 1]),
                ([3, 0, 0], [1, 1, 1], [4, 2, 1]),
                ([3, 1, 0], [1, 1, 1], [4, 1, 1]),
            ]
        );
        assert_eq!(launch_regions([8, 8, 8], [5, 5, 5]).collect::<Vec<_>>(), vec![([0, 0, 0], [1, 1, 1], [5, 5, 5])]);
        assert_eq!(launch_regions([8, 1, 1], [0, 1, 1]).count(), 0);
    }

    #[test]
    fn threadgroup_offsets_round_to_16() {
        let (off, total) = tg_layout(&[4, 100, 16]);
        assert_eq!(&off[..3], &[0, 16, 128]);
        assert_eq!(total, 144);
    }
}
