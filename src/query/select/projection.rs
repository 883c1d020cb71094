//! Projections into the caller's own struct: [`Projection`], [`Projected`], and the check that
//! the struct's serde field names are exactly the selected properties.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use super::{SelectFields, Selection};

/// A caller's own struct as the row of a projection: its serde field names (after `rename`) are
/// the properties to select, listed once more as handles in [`fields`](Self::fields) so that
/// they are checked against `E` at compile time.
///
/// ```
/// use d365fo_odata::{Entity, EntityKey, Field, Projection, SelectFields};
/// # #[derive(serde::Deserialize)] struct CustomerV3 {}
/// # struct Key;
/// # impl EntityKey for Key { fn write_predicate(&self, _: &mut String) {} }
/// # impl Entity for CustomerV3 {
/// #     const ENTITY_SET: &'static str = "CustomersV3";
/// #     const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
/// #     type Key = Key; type Profile = d365fo_odata::profile::Fno;
/// # }
/// # const CUSTOMER_ACCOUNT: Field<CustomerV3, String> = Field::new("CustomerAccount");
/// # const ORGANIZATION_NAME: Field<CustomerV3, String> = Field::new("OrganizationName");
///
/// #[derive(serde::Deserialize)]
/// struct Customer {
///     #[serde(rename = "CustomerAccount")]
///     account: String,
///     #[serde(rename = "OrganizationName")]
///     name: Option<String>,
/// }
///
/// impl Projection<CustomerV3> for Customer {
///     fn fields() -> impl SelectFields<CustomerV3> {
///         (CUSTOMER_ACCOUNT, ORGANIZATION_NAME)
///     }
/// }
/// ```
///
/// A non-`Option` field turns a `null` into a decode error. Before the query is sent, the
/// struct's field names are compared with the selected properties: a struct field that is not
/// selected, or a selected property without a field, is an [`Error::Config`](crate::Error::Config)
/// (so no value is ever dropped or read as missing by mistake).
pub trait Projection<E>: DeserializeOwned + Send + 'static {
    /// The properties to select, as handles of `E`.
    fn fields() -> impl SelectFields<E>;
}

/// The selection of [`Query::select_into`](crate::Query::select_into): the properties of
/// projection `P`, rows decoded into `P`.
pub struct Projected<P> {
    projection: PhantomData<fn() -> P>,
}

impl<P> Projected<P> {
    pub(crate) fn new() -> Self {
        Projected {
            projection: PhantomData,
        }
    }
}

impl<P> Clone for Projected<P> {
    fn clone(&self) -> Self {
        Projected::new()
    }
}

impl<P> fmt::Debug for Projected<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Projected<")?;
        f.write_str(std::any::type_name::<P>())?;
        f.write_str(">")
    }
}

impl<E: 'static, P: Projection<E>> Selection<E> for Projected<P> {
    type Row = P;

    fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>) {
        P::fields().write_options(select, expand);
    }

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<P, D::Error> {
        P::deserialize(row)
    }
}

/// Checks that the serde field names of `P` are exactly `selected`; the problem otherwise.
pub(crate) fn check_projection<P: DeserializeOwned>(selected: &[&'static str]) -> Option<String> {
    let projection = std::any::type_name::<P>();
    let Some(fields) = struct_field_names::<P>() else {
        return Some(format!(
            "{projection} cannot be a projection: select_into needs a struct deriving \
             Deserialize with one field per selected property"
        ));
    };
    if let Some(field) = fields.iter().find(|f| !selected.contains(f)) {
        return Some(format!(
            "{projection} has a field for `{field}`, which its Projection::fields does not select"
        ));
    }
    if let Some(property) = selected.iter().find(|p| !fields.contains(p)) {
        return Some(format!(
            "{projection} selects `{property}` but has no field named `{property}` (check its \
             serde rename)"
        ));
    }
    None
}

/// The field names a derived `Deserialize` of `P` asks for, read without any input.
fn struct_field_names<P: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let seen = Cell::new(None);
    let _ = P::deserialize(FieldNames(&seen));
    seen.get()
}

/// A deserializer that only records the field list of `deserialize_struct`, then stops.
struct FieldNames<'a>(&'a Cell<Option<&'static [&'static str]>>);

#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field names read")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: fmt::Display>(_message: M) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.0.set(Some(fields));
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
