//! Navigation handles and `$expand`/`$select` on typed queries.
//!
//! Generated bindings declare one [`Navigation`] per navigation property next to the field
//! handles (`sales_order_header_v2::SALES_ORDER_LINES: Navigation<SalesOrderHeaderV2,
//! SalesOrderLine, Many>`). A handle names its source entity, its target entity and whether it
//! leads to one entity or to a collection, so [`Query::expand`] only accepts navigation properties
//! of the queried entity, and [`Query::expand_select`] only fields of the target. Expanding inside
//! an expansion is not offered: F&O accepts one level of `$expand`.

use std::fmt;
use std::marker::PhantomData;

use super::field::Field;
use super::typed::Query;
use crate::entity::Entity;

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

/// Properties of entity type `E` to put in `$select`: one field handle, or a tuple of up to 12.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of `{E}`'s field handles",
    note = "`$select` takes field handles of the queried entity: one, or a tuple of them"
)]
pub trait SelectFields<E> {
    /// Appends the property names.
    fn push_names(&self, out: &mut Vec<&'static str>);
}

impl<E, T> SelectFields<E> for Field<E, T> {
    fn push_names(&self, out: &mut Vec<&'static str>) {
        out.push(self.name());
    }
}

macro_rules! select_tuple {
    ($($name:ident),+) => {
        impl<E, $($name: SelectFields<E>),+> SelectFields<E> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn push_names(&self, out: &mut Vec<&'static str>) {
                let ($($name,)+) = self;
                $($name.push_names(out);)+
            }
        }
    };
}

select_tuple!(A);
select_tuple!(A, B);
select_tuple!(A, B, C);
select_tuple!(A, B, C, D);
select_tuple!(A, B, C, D, F);
select_tuple!(A, B, C, D, F, G);
select_tuple!(A, B, C, D, F, G, H);
select_tuple!(A, B, C, D, F, G, H, I);
select_tuple!(A, B, C, D, F, G, H, I, J);
select_tuple!(A, B, C, D, F, G, H, I, J, K);
select_tuple!(A, B, C, D, F, G, H, I, J, K, L);
select_tuple!(A, B, C, D, F, G, H, I, J, K, L, M);

fn names<E>(fields: &impl SelectFields<E>) -> Vec<&'static str> {
    let mut out = Vec::new();
    fields.push_names(&mut out);
    out
}

impl<E: Entity> Query<E> {
    /// Adds properties of `E` to `$select`: `.select((c::CUSTOMER_ACCOUNT, c::ORGANIZATION_NAME))`.
    /// Properties left out of `$select` decode as `None` (keys should stay selected).
    pub fn select(self, fields: impl SelectFields<E>) -> Self {
        self.map_raw(|raw| raw.select(names(&fields)))
    }

    /// Adds `$expand` of a navigation property of `E`; the related entities then decode into
    /// the read struct's navigation field.
    pub fn expand<T, C>(self, navigation: Navigation<E, T, C>) -> Self {
        self.map_raw(|raw| raw.expand(navigation.name))
    }

    /// Adds `$expand` of a navigation property of `E` with a `$select` over the target's
    /// fields: `SalesOrderLines($select=ItemNumber,LineAmount)`.
    pub fn expand_select<T, C>(
        self,
        navigation: Navigation<E, T, C>,
        fields: impl SelectFields<T>,
    ) -> Self {
        let item = format!("{}($select={})", navigation.name, names(&fields).join(","));
        self.map_raw(|raw| raw.expand(item))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::Client;
    use crate::entity::EntityKey;
    use crate::profile::Fno;

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

    #[test]
    fn select_and_expand_write_the_handles_names() {
        let client = Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap();
        let url = client
            .entity_set::<Header>()
            .select((NUMBER, STATUS))
            .expand(LINES)
            .expand_select(LINES, (ITEM, AMOUNT))
            .url()
            .unwrap();
        let query = url
            .query()
            .unwrap_or_default()
            .replace("%2C", ",")
            .replace("%3D", "=");
        assert_eq!(
            query,
            "$select=SalesOrderNumber,SalesOrderStatus\
             &$expand=SalesOrderLines,SalesOrderLines($select=ItemNumber,LineAmount)"
        );
    }
}
