//! Arguments of `BlitCommandEncoder.copy_from_texture`, which has Metal's three forms:
//! a box (9 arguments), whole slices and levels (8), or everything both textures have (2).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::PyResultExt;
use crate::texture::{origin_arg, size_arg, Texture};

const REGION: &[&str] = &[
    "source_texture",
    "source_slice",
    "source_level",
    "source_origin",
    "source_size",
    "destination_texture",
    "destination_slice",
    "destination_level",
    "destination_origin",
];
const LEVELS: &[&str] = &[
    "source_texture",
    "source_slice",
    "source_level",
    "destination_texture",
    "destination_slice",
    "destination_level",
    "slice_count",
    "level_count",
];
const WHOLE: &[&str] = &["source_texture", "destination_texture"];

const USAGE: &str = "copy_from_texture takes (source_texture, source_slice, source_level, source_origin, \
                     source_size, destination_texture, destination_slice, destination_level, destination_origin), \
                     (source_texture, source_slice, source_level, destination_texture, destination_slice, \
                     destination_level, slice_count, level_count) or (source_texture, destination_texture)";

/// The arguments of one form, by name.
struct Args<'py> {
    form: &'static [&'static str],
    values: Vec<Bound<'py, PyAny>>,
}

impl<'py> Args<'py> {
    fn get(&self, name: &str) -> &Bound<'py, PyAny> {
        // Every name looked up is one of `form`'s (the callers below use their form's names).
        let i = self.form.iter().position(|n| *n == name).unwrap_or(0);
        &self.values[i]
    }
    fn texture(&self, name: &str) -> PyResult<Bound<'py, Texture>> {
        self.get(name)
            .cast::<Texture>()
            .cloned()
            .map_err(|_| PyTypeError::new_err(format!("copy_from_texture: {name} must be a pymetal.Texture")))
    }
    fn int(&self, name: &str) -> PyResult<u64> {
        self.get(name)
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("copy_from_texture: {name} must be a non-negative int")))
    }
}

/// Picks the form by the number of arguments and matches positional and keyword ones.
fn parse<'py>(args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Args<'py>> {
    let nkw = kwargs.map_or(0, |k| k.len());
    let form = match args.len() + nkw {
        9 => REGION,
        8 => LEVELS,
        2 => WHOLE,
        n => return Err(PyTypeError::new_err(format!("{USAGE}; got {n} argument(s)"))),
    };
    if args.len() > form.len() {
        return Err(PyTypeError::new_err(USAGE));
    }
    for key in kwargs.into_iter().flat_map(|k| k.keys()) {
        let key: String = key.extract()?;
        if !form.contains(&key.as_str()) {
            return Err(PyTypeError::new_err(format!(
                "copy_from_texture: unexpected keyword argument {key} ({USAGE})"
            )));
        }
    }
    let mut values = Vec::with_capacity(form.len());
    for (i, name) in form.iter().enumerate() {
        if i < args.len() {
            if kwargs.is_some_and(|k| k.contains(name).unwrap_or(false)) {
                return Err(PyTypeError::new_err(format!("copy_from_texture: {name} given twice")));
            }
            values.push(args.get_item(i)?);
            continue;
        }
        let v = kwargs
            .and_then(|k| k.get_item(name).ok().flatten())
            .ok_or_else(|| PyTypeError::new_err(format!("copy_from_texture: missing argument {name} ({USAGE})")))?;
        values.push(v);
    }
    Ok(Args { form, values })
}

/// `BlitCommandEncoder.copy_from_texture(...)` in any of its three forms.
pub fn copy_from_texture(
    enc: &pymetal::BlitCommandEncoder,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<()> {
    let a = parse(args, kwargs)?;
    let src = a.texture("source_texture")?;
    let dst = a.texture("destination_texture")?;
    let (src, dst) = (&src.get().inner, &dst.get().inner);
    if a.form == WHOLE {
        return enc.copy_from_texture_all(src, dst).py();
    }
    let (ss, sl) = (a.int("source_slice")?, a.int("source_level")?);
    let (ds, dl) = (a.int("destination_slice")?, a.int("destination_level")?);
    if a.form == LEVELS {
        let (sc, lc) = (a.int("slice_count")?, a.int("level_count")?);
        return enc.copy_from_texture_levels(src, ss, sl, dst, ds, dl, sc, lc).py();
    }
    let origin = origin_arg(a.get("source_origin"))?;
    let size = size_arg(a.get("source_size"))?;
    let dorigin = origin_arg(a.get("destination_origin"))?;
    enc.copy_from_texture(src, ss, sl, origin, size, dst, ds, dl, dorigin).py()
}
