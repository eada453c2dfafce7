//! Backend interface.
