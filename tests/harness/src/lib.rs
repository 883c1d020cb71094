//! Test support: starts the local F&O-shaped OData sandbox.
