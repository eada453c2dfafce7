//! Object model.
