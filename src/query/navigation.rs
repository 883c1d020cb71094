//! Navigation handles and `$expand`/`$select` on typed queries.
//!
//! Generated bindings declare one [`Navigation`] per navigation property next to the field
//! handles (`sales_order_header_v2::SALES_ORDER_LINES: Navigation<SalesOrderHeaderV2,
//! SalesOrderLine, Many>`). A handle names its source entity, its target entity and whether it
//! leads to one entity or to a collection, so [`Query::expand`](super::Query::expand) only accepts navigation properties
//! of the queried entity, and [`Navigation::select`] only fields of the target. Expanding inside
//! an expansion is not offered: F&O accepts one level of `$expand`.

use std::fmt;
use std::marker::PhantomData;

/// Cardinality marker: the navigation property leads to at most one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum One {}

/// Cardinality marker: the navigation property leads to a collection of entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Many {}

/// A navigation property of entity type `E` leading to entity type `T` (`C` is [`One`] or
/// [`Many`]).
pub struct Navigation<E, T, C = One> {
    name: &'static str,
    types: Marker<E, T, C>,
}

type Marker<E, T, C> = PhantomData<fn() -> (E, T, C)>;

impl<E, T, C> Navigation<E, T, C> {
    /// A handle for the navigation property `name` (as written in the service's metadata).
    pub const fn new(name: &'static str) -> Self {
        Navigation {
            name,
            types: PhantomData,
        }
    }

    /// The navigation property name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<E, T, C> Clone for Navigation<E, T, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, T, C> Copy for Navigation<E, T, C> {}

impl<E, T, C> fmt::Debug for Navigation<E, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Navigation").field(&self.name).finish()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::Client;
    use crate::entity::{Entity, EntityKey};
    use crate::profile::Fno;
    use crate::query::Field;

    struct NoKey;
    impl EntityKey for NoKey {
        fn write_predicate(&self, out: &mut String) {
            out.push_str("()");
        }
    }

    #[derive(Deserialize)]
    struct Header {}
    impl Entity for Header {
        const ENTITY_SET: &'static str = "SalesOrderHeadersV2";
        const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2";
        type Key = NoKey;
        type Profile = Fno;
    }

    #[derive(Deserialize)]
    struct Line {}
    impl Entity for Line {
        const ENTITY_SET: &'static str = "SalesOrderLines";
        const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderLine";
        type Key = NoKey;
        type Profile = Fno;
    }

    const NUMBER: Field<Header, String> = Field::new("SalesOrderNumber");
    const STATUS: Field<Header, String> = Field::new("SalesOrderStatus");
    const LINES: Navigation<Header, Line, Many> = Navigation::new("SalesOrderLines");
    const ITEM: Field<Line, String> = Field::new("ItemNumber");
    const AMOUNT: Field<Line, String> = Field::new("LineAmount");

    fn query_text(url: url::Url) -> String {
        url.query()
            .unwrap_or_default()
            .replace("%2C", ",")
            .replace("%3D", "=")
            .replace("%28", "(")
            .replace("%29", ")")
    }

    fn client() -> Client {
        Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap()
    }

    #[test]
    fn select_and_expand_write_the_handles_names() {
        let url = client()
            .entity_set::<Header>()
            .select((NUMBER, STATUS, LINES.select((ITEM, AMOUNT))))
            .url()
            .unwrap();
        assert_eq!(
            query_text(url),
            "$select=SalesOrderNumber,SalesOrderStatus\
             &$expand=SalesOrderLines($select=ItemNumber,LineAmount)"
        );
        let url = client().entity_set::<Header>().expand(LINES).url().unwrap();
        assert_eq!(query_text(url), "$expand=SalesOrderLines");
    }

    #[test]
    fn selecting_a_property_twice_is_a_config_error() {
        let e = client()
            .entity_set::<Header>()
            .select((NUMBER, STATUS, NUMBER.required()))
            .url()
            .unwrap_err();
        assert!(matches!(e, crate::Error::Config { .. }), "{e:?}");
        assert!(e.to_string().contains("`SalesOrderNumber`"), "{e}");
    }

    #[test]
    fn expand_before_select_is_a_config_error() {
        let e = client()
            .entity_set::<Header>()
            .expand(LINES)
            .select(NUMBER)
            .url()
            .unwrap_err();
        assert!(e.to_string().contains("expand"), "{e}");
    }
}
