//! Lifetimes of CPU buffers and queue threads (one test per binary section, run serially
//! because the counters are process-wide).
#![cfg(feature = "cpu")]

use pymetal_hal::cpu::{live_buffer_bytes, live_buffers, live_queue_threads, CpuDevice};
use pymetal_hal::{Command, StorageMode, Submission};
use std::sync::{mpsc, Arc};

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) * 4
}

#[test]
fn buffers_and_queues_are_released_exactly_once() {
    let dev = CpuDevice::shared();
    let (n0, b0) = (live_buffers(), live_buffer_bytes());

    // Buffers of every size class, including mapped ones.
    let sizes = [1usize, 100, 4096, 4097, 200_000, 300_000, 5 << 20];
    let bufs: Vec<_> = sizes.iter().map(|&s| dev.new_buffer(s, StorageMode::Shared).expect("buffer")).collect();
    assert_eq!(live_buffers(), n0 + sizes.len());
    assert_eq!(live_buffer_bytes(), b0 + sizes.iter().sum::<usize>());
    for b in &bufs {
        let p = b.contents().expect("shared");
        // SAFETY: the buffer is `length` bytes long; fresh buffers are zeroed.
        let s = unsafe { std::slice::from_raw_parts(p, b.length()) };
        assert!(s.iter().all(|&x| x == 0));
        assert_eq!(b.gpu_address() % 4096, 0);
    }
    drop(bufs);
    assert_eq!((live_buffers(), live_buffer_bytes()), (n0, b0));

    // RSS stays flat over many create/free cycles.
    let warm = rss_kib();
    for i in 0..100_000usize {
        let b = dev.new_buffer(64 + (i % 7) * 1000 + (i % 3) * 300_000, StorageMode::Shared).expect("buffer");
        std::hint::black_box(&b);
    }
    let after = rss_kib();
    println!("RSS before {warm} KiB, after 100k buffers {after} KiB");
    assert!(after < warm + 16 * 1024, "RSS grew from {warm} to {after} KiB");
    assert_eq!((live_buffers(), live_buffer_bytes()), (n0, b0));

    // Queues: a worker thread each, gone when the queue is dropped; commands are released
    // before the completion handler runs.
    let t0 = live_queue_threads();
    let queues: Vec<_> = (0..5).map(|_| dev.new_queue().expect("queue")).collect();
    assert_eq!(live_queue_threads(), t0 + 5);
    let buf = dev.new_buffer(1024, StorageMode::Shared).expect("buffer");
    let (tx, rx) = mpsc::channel();
    for q in &queues {
        for _ in 0..100 {
            let tx = tx.clone();
            let weak = Arc::downgrade(&buf);
            q.submit(Submission {
                commands: vec![Command::FillBuffer { buffer: buf.clone(), offset: 0, length: 1024, value: 7 }],
                on_scheduled: Box::new(|| {}),
                on_completed: Box::new(move |r| {
                    let _ = tx.send((r.is_ok(), weak.strong_count()));
                }),
            });
        }
    }
    drop(tx);
    let results: Vec<_> = rx.iter().collect();
    assert_eq!(results.len(), 500);
    assert!(results.iter().all(|(ok, _)| *ok));
    assert_eq!(Arc::strong_count(&buf), 1);
    drop(queues);
    assert_eq!(live_queue_threads(), t0);

    // A queue dropped from its own completion handler ends without deadlock.
    let q = dev.new_queue().expect("queue");
    let (tx, rx) = mpsc::channel();
    let holder = std::sync::Mutex::new(Some(q.clone()));
    let holder = Arc::new(holder);
    let h2 = holder.clone();
    q.submit(Submission {
        commands: vec![],
        on_scheduled: Box::new(|| {}),
        on_completed: Box::new(move |_| {
            let taken = h2.lock().ok().and_then(|mut g| g.take());
            drop(taken);
            let _ = tx.send(());
        }),
    });
    drop(q);
    rx.recv().expect("completed");
    for _ in 0..200 {
        if live_queue_threads() == t0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(live_queue_threads(), t0);
}
