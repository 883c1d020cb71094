//! Invoking OData actions and functions: the runtime calls generated operation bindings make.
//!
//! | binding | URL | made by |
//! |---|---|---|
//! | unbound action import | `POST /ActionName` with JSON parameters | [`Client::action`](crate::Client::action) |
//! | unbound function import | `GET /FunctionName(p=literal,…)` | [`Client::function`](crate::Client::function) |
//! | action bound to an entity set | `POST /Set/Namespace.Action` | [`Client::collection_action`](crate::Client::collection_action), or by set name [`Client::entity_set_action`](crate::Client::entity_set_action) |
//! | function bound to an entity set | `GET /Set/Namespace.Function(…)` | [`Client::collection_function`](crate::Client::collection_function) |
//! | action bound to an entity | `POST /Set(key)/Namespace.Action` | [`EntityRef::action`](crate::EntityRef::action) |
//! | function bound to an entity | `GET /Set(key)/Namespace.Function(…)` | [`EntityRef::function`](crate::EntityRef::function) |
//!
//! Action parameters travel as a JSON object (enum members as their name strings, decimals
//! exact); function parameters as OData URL literals
//! ([`ODataLiteral`](crate::edm::ODataLiteral)), percent-encoded. The result is read in the shape
//! the operation's return type has:
//!
//! | return type | response body | method |
//! |---|---|---|
//! | none | empty (204) | `send()` |
//! | primitive, enum, or a collection of anything | `{"value": …}` | `value::<T>()` |
//! | F&O data management (DMF) results | `{"value": …}` or `{"value": {"value": …}}` | `value_or_nested::<T>()` |
//! | complex type or entity | the object itself | `object::<T>()` |
//!
//! Inside a `$batch` ([`Batch::add`](crate::Batch::add) for functions,
//! [`ChangeSet::add`](crate::ChangeSet::add) for actions) the slot yields an
//! [`OperationResult`], read with the same three methods.

mod action;
mod function;
pub(crate) mod result;
mod target;

pub use action::ActionRequest;
pub use function::FunctionRequest;
pub use result::OperationResult;

pub(crate) use target::Target;
