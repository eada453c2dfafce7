//! Fences (MTLFence): ordering between encoders that touch the same resources. Every backend
//! here runs a queue's commands one after another, so a fence orders nothing more; the
//! object exists so that Metal code that updates and waits on fences runs unchanged.

use std::sync::{Arc, Mutex};

use crate::device::Device;
use crate::lock;

/// A fence of a device. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct Fence(Arc<FenceInner>);

struct FenceInner {
    device: Device,
    label: Mutex<String>,
}

impl PartialEq for Fence {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Fence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fence(label={:?})", self.label())
    }
}

impl Fence {
    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }
}

impl Device {
    pub fn new_fence(&self) -> Fence {
        Fence(Arc::new(FenceInner { device: self.clone(), label: Mutex::new(String::new()) }))
    }
}
