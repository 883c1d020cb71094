//! Invoking OData actions and functions: unbound ([`Client::action`], [`Client::function`]) and
//! bound to an entity set. Operations bound to one entity start from
//! [`Client::entity`] ([`EntityRef::action`](crate::EntityRef::action),
//! [`EntityRef::function`](crate::EntityRef::function)).

use crate::client::Client;
use crate::entity::Entity;
use crate::operation::{ActionRequest, FunctionRequest, Target};

impl Client {
    /// An unbound action (an action import): `POST /ActionName`.
    pub fn action(&self, name: &str) -> ActionRequest {
        ActionRequest::new(Target::new(self, "action", String::new(), None, name))
    }

    /// An unbound function (a function import): `GET /FunctionName(...)`.
    pub fn function(&self, name: &str) -> FunctionRequest {
        FunctionRequest::new(Target::new(self, "function", String::new(), None, name))
    }

    /// An action bound to `E`'s entity set: `POST /Set/Namespace.Action`. `qualified_name`
    /// includes the namespace, e.g. `Microsoft.Dynamics.DataEntities.ExportToPackage`.
    pub fn collection_action<E: Entity>(&self, qualified_name: &str) -> ActionRequest {
        self.entity_set_action(E::ENTITY_SET, qualified_name)
    }

    /// An action bound to the entity set named `entity_set`, for sets without generated
    /// bindings: `POST /Set/Namespace.Action`, like [`collection_action`](Self::collection_action).
    pub fn entity_set_action(&self, entity_set: &str, qualified_name: &str) -> ActionRequest {
        ActionRequest::new(Target::new(
            self,
            "action",
            format!("{entity_set}/"),
            Some(entity_set),
            qualified_name,
        ))
    }

    /// A function bound to `E`'s entity set: `GET /Set/Namespace.Function(...)`.
    /// `qualified_name` includes the namespace.
    pub fn collection_function<E: Entity>(&self, qualified_name: &str) -> FunctionRequest {
        FunctionRequest::new(Target::new(
            self,
            "function",
            format!("{}/", E::ENTITY_SET),
            Some(E::ENTITY_SET),
            qualified_name,
        ))
    }
}
