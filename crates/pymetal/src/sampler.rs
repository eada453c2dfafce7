//! Sampler states: `SamplerDescriptor` (MTLSamplerDescriptor) and `SamplerState`, the
//! `pm_sampler` kernels see at `[[sampler(i)]]` (docs/abi.md §4).

use std::sync::Arc;

use pymetal_hal as hal;

use crate::device::Device;
use crate::{Classify, ErrorKind};

/// MTLSamplerMinMagFilter.
pub mod min_mag_filter {
    pub const NEAREST: u32 = 0;
    pub const LINEAR: u32 = 1;
}
/// MTLSamplerMipFilter.
pub mod mip_filter {
    pub const NOT_MIPMAPPED: u32 = 0;
    pub const NEAREST: u32 = 1;
    pub const LINEAR: u32 = 2;
}
/// MTLSamplerAddressMode.
pub mod address_mode {
    pub const CLAMP_TO_EDGE: u32 = 0;
    pub const MIRROR_CLAMP_TO_EDGE: u32 = 1;
    pub const REPEAT: u32 = 2;
    pub const MIRROR_REPEAT: u32 = 3;
    pub const CLAMP_TO_ZERO: u32 = 4;
    pub const CLAMP_TO_BORDER_COLOR: u32 = 5;
}
/// MTLSamplerBorderColor.
pub mod border_color {
    pub const TRANSPARENT_BLACK: u32 = 0;
    pub const OPAQUE_BLACK: u32 = 1;
    pub const OPAQUE_WHITE: u32 = 2;
}

/// What a sampler should be (MTLSamplerDescriptor). Raw enum values are kept as given so
/// that `Device::new_sampler_state` can say what is wrong with them.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerDescriptor {
    pub min_filter: u32,
    pub mag_filter: u32,
    pub mip_filter: u32,
    pub s_address_mode: u32,
    pub t_address_mode: u32,
    pub r_address_mode: u32,
    pub max_anisotropy: u64,
    pub border_color: u32,
    pub normalized_coordinates: bool,
    pub lod_min_clamp: f32,
    pub lod_max_clamp: f32,
    /// MTLCompareFunction (0 never .. 7 always), used by `sample_compare`.
    pub compare_function: u32,
    pub label: String,
}

impl Default for SamplerDescriptor {
    /// Metal's defaults: nearest filters, not mipmapped, clamp to edge, normalised
    /// coordinates, LOD clamps [0, FLT_MAX], compare function never.
    fn default() -> Self {
        SamplerDescriptor {
            min_filter: min_mag_filter::NEAREST,
            mag_filter: min_mag_filter::NEAREST,
            mip_filter: mip_filter::NOT_MIPMAPPED,
            s_address_mode: address_mode::CLAMP_TO_EDGE,
            t_address_mode: address_mode::CLAMP_TO_EDGE,
            r_address_mode: address_mode::CLAMP_TO_EDGE,
            max_anisotropy: 1,
            border_color: border_color::TRANSPARENT_BLACK,
            normalized_coordinates: true,
            lod_min_clamp: 0.0,
            lod_max_clamp: f32::MAX,
            compare_function: 0,
            label: String::new(),
        }
    }
}

/// Why a sampler state could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewSamplerError {
    #[error("Device.new_sampler_state: {field} {value} is not a valid {kind} value")]
    BadEnum { field: &'static str, value: u32, kind: &'static str },
    #[error("Device.new_sampler_state: max_anisotropy {0} must be between 1 and 16")]
    Anisotropy(u64),
    #[error("Device.new_sampler_state: lod_min_clamp {min} and lod_max_clamp {max} must satisfy 0 <= min <= max")]
    LodClamp { min: f32, max: f32 },
}

impl Classify for NewSamplerError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// An immutable sampler of a device.
#[derive(Clone)]
pub struct SamplerState(Arc<SamplerInner>);

struct SamplerInner {
    device: Device,
    label: String,
    pm: hal::abi::PmSampler,
}

impl PartialEq for SamplerState {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for SamplerState {}

impl std::fmt::Debug for SamplerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SamplerState(label={:?}, {:?})", self.0.label, self.0.pm)
    }
}

impl SamplerState {
    pub(crate) fn new(device: &Device, d: &SamplerDescriptor) -> Result<SamplerState, NewSamplerError> {
        let check = |field: &'static str, value: u32, max: u32, kind: &'static str| {
            if value > max {
                Err(NewSamplerError::BadEnum { field, value, kind })
            } else {
                Ok(value)
            }
        };
        let pm = hal::abi::PmSampler {
            min_filter: check("min_filter", d.min_filter, 1, "SamplerMinMagFilter")?,
            mag_filter: check("mag_filter", d.mag_filter, 1, "SamplerMinMagFilter")?,
            mip_filter: check("mip_filter", d.mip_filter, 2, "SamplerMipFilter")?,
            address: [
                check("s_address_mode", d.s_address_mode, 5, "SamplerAddressMode")?,
                check("t_address_mode", d.t_address_mode, 5, "SamplerAddressMode")?,
                check("r_address_mode", d.r_address_mode, 5, "SamplerAddressMode")?,
            ],
            border_color: check("border_color", d.border_color, 2, "SamplerBorderColor")?,
            normalized_coordinates: d.normalized_coordinates as u32,
            compare_function: check("compare_function", d.compare_function, 7, "CompareFunction")?,
            max_anisotropy: match d.max_anisotropy {
                1..=16 => d.max_anisotropy as u32,
                n => return Err(NewSamplerError::Anisotropy(n)),
            },
            lod_min_clamp: d.lod_min_clamp,
            lod_max_clamp: d.lod_max_clamp,
        };
        // NaN fails every comparison, so it is refused too.
        if !(d.lod_min_clamp >= 0.0 && d.lod_max_clamp >= d.lod_min_clamp) {
            return Err(NewSamplerError::LodClamp { min: d.lod_min_clamp, max: d.lod_max_clamp });
        }
        Ok(SamplerState(Arc::new(SamplerInner { device: device.clone(), label: d.label.clone(), pm })))
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn label(&self) -> String {
        self.0.label.clone()
    }
    /// The sampler as kernels see it.
    pub fn pm(&self) -> hal::abi::PmSampler {
        self.0.pm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_values_reach_the_abi_sampler() {
        let dev = Device::noop();
        let d = SamplerDescriptor {
            min_filter: min_mag_filter::LINEAR,
            mip_filter: mip_filter::LINEAR,
            t_address_mode: address_mode::CLAMP_TO_BORDER_COLOR,
            border_color: border_color::OPAQUE_WHITE,
            normalized_coordinates: false,
            compare_function: 3,
            max_anisotropy: 4,
            lod_min_clamp: 0.5,
            lod_max_clamp: 2.0,
            label: "s".into(),
            ..Default::default()
        };
        let s = dev.new_sampler_state(&d).unwrap();
        let pm = s.pm();
        assert_eq!((pm.min_filter, pm.mag_filter, pm.mip_filter), (1, 0, 2));
        assert_eq!(pm.address, [0, 5, 0]);
        assert_eq!((pm.border_color, pm.normalized_coordinates, pm.compare_function), (2, 0, 3));
        assert_eq!((pm.max_anisotropy, pm.lod_min_clamp, pm.lod_max_clamp), (4, 0.5, 2.0));
        assert_eq!(s.label(), "s");
        assert_eq!(s.device(), &dev);
    }

    #[test]
    fn bad_values_are_validation_errors_naming_the_field() {
        let dev = Device::noop();
        type Case = (fn(&mut SamplerDescriptor), &'static str);
        let cases: [Case; 5] = [
            (|d| d.mag_filter = 2, "mag_filter 2 is not a valid SamplerMinMagFilter value"),
            (|d| d.r_address_mode = 9, "r_address_mode 9 is not a valid SamplerAddressMode value"),
            (|d| d.max_anisotropy = 0, "max_anisotropy 0 must be between 1 and 16"),
            (|d| d.lod_min_clamp = f32::NAN, "lod_min_clamp NaN"),
            (|d| d.lod_max_clamp = -1.0, "lod_max_clamp -1"),
        ];
        for (f, msg) in cases {
            let mut d = SamplerDescriptor::default();
            f(&mut d);
            let e = dev.new_sampler_state(&d).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation);
            assert!(e.to_string().contains(msg), "{e}");
        }
    }

    #[test]
    fn encoder_binding_checks() {
        let (dev, other) = (Device::noop(), Device::noop());
        let enc = dev.new_command_queue().unwrap().command_buffer().compute_command_encoder().unwrap();
        let tex = dev.new_texture(&crate::TextureDescriptor::default()).unwrap();
        let smp = dev.new_sampler_state(&SamplerDescriptor::default()).unwrap();
        let msg = |r: Result<(), crate::EncodeError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(enc.set_texture(&tex, 32)),
            "ComputeCommandEncoder.set_texture: texture index 32 exceeds maximum (31)"
        );
        assert_eq!(
            msg(enc.set_sampler_state(&smp, 17)),
            "ComputeCommandEncoder.set_sampler_state: sampler index 17 exceeds maximum (16)"
        );
        enc.set_texture(&tex, 31).unwrap();
        enc.set_sampler_state(&smp, 16).unwrap();
        let foreign = other.new_texture(&crate::TextureDescriptor::default()).unwrap();
        assert!(msg(enc.set_texture(&foreign, 0)).contains("belongs to another device"));
        let foreign = other.new_sampler_state(&SamplerDescriptor::default()).unwrap();
        assert!(msg(enc.set_sampler_state(&foreign, 0)).contains("belongs to another device"));
    }
}
