//! Service capability profiles: what a service's `$filter`/`$expand` accept.
//!
//! Generated bindings name their profile in [`Entity::Profile`](crate::Entity::Profile). Capabilities
//! are marker traits, so an operator a service rejects does not compile: `in` needs
//! [`SupportsIn`], lambda operators need [`SupportsLambda`]. F&O supports neither (its documented
//! operators are comparisons, `and`/`or`/`not` and arithmetic; `has` and `in` are not supported),
//! takes one level of `$expand`, and writes "contains" as a wildcard `eq '*x*'`.

/// A service capability profile.
pub trait Profile: Send + Sync + 'static {
    /// Short name, for messages.
    const NAME: &'static str;
    /// `true` when string "contains"/"starts with"/"ends with" are written as `eq` with `*`
    /// wildcards (F&O) rather than the OData functions.
    const WILDCARD_STRING_MATCH: bool;
    /// Deepest `$expand` the service accepts (1 = no expand inside an expand).
    const MAX_EXPAND_DEPTH: u8;
}

/// The `in` operator is accepted.
#[diagnostic::on_unimplemented(
    message = "the `{Self}` service profile does not support the `in` operator",
    note = "use `Field::eq_any`, which writes the `or` chain every service accepts"
)]
pub trait SupportsIn: Profile {}

/// The lambda operators `any`/`all` are accepted.
#[diagnostic::on_unimplemented(
    message = "the `{Self}` service profile does not support the lambda operators any/all"
)]
pub trait SupportsLambda: Profile {}

/// Dynamics 365 Finance & Operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fno;

impl Profile for Fno {
    const NAME: &'static str = "Dynamics 365 Finance & Operations";
    const WILDCARD_STRING_MATCH: bool = true;
    const MAX_EXPAND_DEPTH: u8 = 1;
}

/// Any OData v4 service: the full operator set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenericOData;

impl Profile for GenericOData {
    const NAME: &'static str = "OData v4";
    const WILDCARD_STRING_MATCH: bool = false;
    const MAX_EXPAND_DEPTH: u8 = u8::MAX;
}

impl SupportsIn for GenericOData {}
impl SupportsLambda for GenericOData {}
