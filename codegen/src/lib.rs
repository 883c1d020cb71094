//! Code generator for `d365fo-odata`.
//!
//! Reads an OData v4 CSDL document (`$metadata`) and emits typed Rust bindings for the entity sets,
//! singletons and operations a user selects.
