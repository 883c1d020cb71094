//! Projections: `$select` (and `$expand`) that change what a row is.
//!
//! # Why a projection is its own row type
//!
//! A property left out of `$select` is not sent by the service. If such a query still decoded
//! into the entity's read struct, the missing property would read as `None`, exactly like a
//! property the service sent as `null`: a caller could not tell "not asked for" from "empty", and
//! code that reads a field someone later drops from the `$select` keeps compiling and silently
//! sees `None`. So [`Query::select`](crate::Query::select) changes the row type to one built from
//! the handles that were selected, and nothing else:
//!
//! - a tuple of handles yields a tuple row, one element per handle in the same order:
//!   `.select((c::CUSTOMER_ACCOUNT.required(), c::ORGANIZATION_NAME))` yields
//!   `(String, Option<String>)`. A property that was not selected has no place in the row, so
//!   reading it does not compile.
//! - a [`Field`] handle yields `Option<T>`: handles do not say whether the property is nullable
//!   (F&O declares every non-key property nullable), so `null` reads as `None`.
//!   [`Field::required`] yields `T` and turns a `null` into a decode error naming the property,
//!   for keys and other properties the caller knows are never null. A selected property that is
//!   missing from a row (not `null`, absent) is a decode error too: it never becomes `None`.
//! - a navigation handle in the selection adds `$expand`: [`One`] yields `Option<T>` (`None`: no
//!   related entity), [`Many`] yields `Vec<T>`; [`Navigation::select`] expands with a `$select`
//!   over the target and yields the target's projected rows.
//! - [`Query::select_into`](crate::Query::select_into) decodes into the caller's own struct (a
//!   [`Projection`]), whose serde field names must be exactly the selected properties: the query
//!   fails with [`Error::Config`](crate::Error::Config) before sending anything otherwise.
//!
//! Tuples were chosen over partial types (a generated struct per selection is impossible: the
//! selection is chosen by the caller) and over tri-state fields in the read struct (`Unselected`
//! / `Null` / `Value` would make every read of every field handle a case that is a programming
//! error, at run time rather than at compile time).

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};

use super::field::Field;
use super::navigation::{Many, Navigation, One};
use crate::entity::Entity;

/// What a query selects, and so what each of its rows is.
///
/// Implemented by [`Whole`] (no `$select`: rows are the entity's read struct), by field and
/// navigation handles, by [`Required`] and expanded selections, by tuples of up to 12 of those,
/// and by [`Projected`] (a caller's [`Projection`] struct).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a selection over `{E}`",
    note = "`select` takes handles of the queried entity (fields, `field.required()`, navigations, \
            `navigation.select(...)`): one, or a tuple of up to 12"
)]
pub trait Selection<E>: Clone + Send + Sync + 'static {
    /// One row of the result.
    type Row: Send + 'static;

    /// Appends the `$select` property names and the `$expand` items this selection needs.
    fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>);

    /// Decodes one row (a JSON object of the response's `value` array).
    ///
    /// # Errors
    /// The decoder's error when a selected property is missing, a required one is `null`, or a
    /// value does not have the handle's type.
    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error>;
}

/// Selections of properties only (no navigation): what [`Navigation::select`] and
/// [`Projection::fields`] take. Implemented by [`Field`], [`Required`] and tuples of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of `{E}`'s field handles",
    note = "`$select` takes field handles of the queried entity: one, or a tuple of them"
)]
pub trait SelectFields<E>: Selection<E> {}

/// One element of a selection: a property or a navigation, with the value it yields in a row.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a field or navigation handle of `{E}`",
    note = "a selection holds handles of the queried entity only"
)]
pub trait SelectItem<E>: Clone + Send + Sync + 'static {
    /// What the row holds for this item.
    type Value: Send + 'static;
    /// The decoded wire value while a row is being read (`None`: not seen yet).
    type Slot: Default;

    /// The property name under which the value appears in a row.
    fn property(&self) -> &'static str;

    /// Appends this item's `$select` name or `$expand` item.
    fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>);

    /// Reads this item's value from `map` (positioned on its value) into `slot`.
    ///
    /// # Errors
    /// The decoder's error when the value has the wrong type or appears twice.
    fn read_value<'de, A: MapAccess<'de>>(
        &self,
        map: &mut A,
        slot: &mut Self::Slot,
    ) -> Result<(), A::Error>;

    /// The row's value once the whole object is read.
    ///
    /// # Errors
    /// When the property was not in the row, or a [`Required`] one was `null`.
    fn finish<Er: de::Error>(&self, slot: Self::Slot) -> Result<Self::Value, Er>;
}

/// No `$select`: rows decode into the entity's read struct `E`. The selection of a query
/// before [`select`](crate::Query::select) is called.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Whole;

impl<E: Entity> Selection<E> for Whole {
    type Row = E;

    fn write_options(&self, _select: &mut Vec<&'static str>, _expand: &mut Vec<String>) {}

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<E, D::Error> {
        E::deserialize(row)
    }
}

/// A selected property whose value must not be `null`: it reads as `T` instead of `Option<T>`.
/// Made by [`Field::required`].
pub struct Required<E, T> {
    field: Field<E, T>,
}

impl<E, T> Field<E, T> {
    /// Selects this property as never `null`: the row holds `T`, and a `null` fails the decode
    /// with an error naming the property. Meant for keys (which F&O declares non-nullable) and
    /// properties the caller knows are always set.
    pub const fn required(self) -> Required<E, T> {
        Required { field: self }
    }
}

impl<E, T> Clone for Required<E, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, T> Copy for Required<E, T> {}

impl<E, T> fmt::Debug for Required<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Required").field(&self.field.name()).finish()
    }
}

/// A navigation expanded with a `$select` over its target: `Lines($select=ItemNumber)`. Made by
/// [`Navigation::select`]; yields the target's projected rows.
pub struct Expanded<E, T, C, S> {
    navigation: Navigation<E, T, C>,
    fields: S,
}

impl<E, T, C> Navigation<E, T, C> {
    /// Expands this navigation with a `$select` over the target's fields, as an element of a
    /// selection: `.select((h::SALES_ORDER_NUMBER.required(), h::SALES_ORDER_LINES.select((l::ITEM_NUMBER,))))`.
    /// The row holds the target's projected rows (`Option<row>` for [`One`], `Vec<row>` for
    /// [`Many`]).
    pub fn select<S: SelectFields<T>>(self, fields: S) -> Expanded<E, T, C, S> {
        Expanded {
            navigation: self,
            fields,
        }
    }
}

impl<E, T, C, S: Clone> Clone for Expanded<E, T, C, S> {
    fn clone(&self) -> Self {
        Expanded {
            navigation: self.navigation,
            fields: self.fields.clone(),
        }
    }
}

impl<E, T, C, S> fmt::Debug for Expanded<E, T, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expanded")
            .field(&self.navigation.name())
            .finish_non_exhaustive()
    }
}

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

fn missing<Er: de::Error>(property: &str) -> Er {
    Er::custom(format_args!(
        "selected property `{property}` is missing from the row"
    ))
}

/// Reads one value with `seed` into `slot`; a second value for the same property is an error.
fn read_once<'de, A: MapAccess<'de>, X: DeserializeSeed<'de>>(
    map: &mut A,
    slot: &mut Option<X::Value>,
    property: &'static str,
    seed: X,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(property));
    }
    *slot = Some(map.next_value_seed(seed)?);
    Ok(())
}

/// A [`SelectItem`] whose row value is what was read, and whose absence is an error.
/// `|item, select, expand|` name the item and the option lists in the expressions that follow:
/// the property name, how the item writes its option, and the seed that reads its value.
macro_rules! select_item {
    (
        [$($generics:tt)*] $ty:ty where [$($bounds:tt)*] => $value:ty;
        |$item:ident, $select:ident, $expand:ident|
        name: $name:expr, write: $write:expr, seed: $seed:expr $(,)?
    ) => {
        impl<$($generics)*> SelectItem<E> for $ty
        where
            $($bounds)*
        {
            type Value = $value;
            type Slot = Option<$value>;

            fn property(&self) -> &'static str {
                let $item = self;
                $name
            }

            fn write_options(&self, $select: &mut Vec<&'static str>, $expand: &mut Vec<String>) {
                let $item = self;
                let _ = (&$select, &$expand);
                $write;
            }

            fn read_value<'de, A: MapAccess<'de>>(
                &self,
                map: &mut A,
                slot: &mut Self::Slot,
            ) -> Result<(), A::Error> {
                let $item = self;
                read_once(map, slot, $name, $seed)
            }

            fn finish<Er: de::Error>(&self, slot: Self::Slot) -> Result<Self::Value, Er> {
                let $item = self;
                slot.ok_or_else(|| missing($name))
            }
        }
    };
}

select_item!(
    [E: 'static, T] Field<E, T> where [T: DeserializeOwned + Send + 'static] => Option<T>;
    |item, select, expand|
    name: item.name(),
    write: select.push(item.name()),
    seed: PhantomData::<Option<T>>,
);

select_item!(
    [E: 'static, T] Navigation<E, T, One> where [T: DeserializeOwned + Send + 'static] => Option<T>;
    |item, select, expand|
    name: item.name(),
    write: expand.push(item.name().to_owned()),
    seed: PhantomData::<Option<T>>,
);

select_item!(
    [E: 'static, T] Navigation<E, T, Many> where [T: DeserializeOwned + Send + 'static] => Vec<T>;
    |item, select, expand|
    name: item.name(),
    write: expand.push(item.name().to_owned()),
    seed: PhantomData::<Vec<T>>,
);

select_item!(
    [E: 'static, T: 'static, S] Expanded<E, T, One, S> where [S: SelectFields<T>] => Option<S::Row>;
    |item, select, expand|
    name: item.navigation.name(),
    write: expand.push(item.expand_item()),
    seed: Nullable(RowOf::<T, S>::new(&item.fields)),
);

select_item!(
    [E: 'static, T: 'static, S] Expanded<E, T, Many, S> where [S: SelectFields<T>] => Vec<S::Row>;
    |item, select, expand|
    name: item.navigation.name(),
    write: expand.push(item.expand_item()),
    seed: ListOf(RowOf::<T, S>::new(&item.fields)),
);

impl<E: 'static, T: DeserializeOwned + Send + 'static> SelectItem<E> for Required<E, T> {
    type Value = T;
    type Slot = <Field<E, T> as SelectItem<E>>::Slot;

    fn property(&self) -> &'static str {
        self.field.name()
    }

    fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>) {
        SelectItem::write_options(&self.field, select, expand);
    }

    fn read_value<'de, A: MapAccess<'de>>(
        &self,
        map: &mut A,
        slot: &mut Self::Slot,
    ) -> Result<(), A::Error> {
        self.field.read_value(map, slot)
    }

    fn finish<Er: de::Error>(&self, slot: Self::Slot) -> Result<T, Er> {
        let name = self.field.name();
        match self.field.finish(slot)? {
            None => Err(Er::custom(format_args!(
                "property `{name}` is null, but it was selected with required() (select it \
                 without required() to read null as None)"
            ))),
            Some(value) => Ok(value),
        }
    }
}

impl<E, T, C, S: Selection<T>> Expanded<E, T, C, S> {
    /// `Navigation($select=a,b)`.
    fn expand_item(&self) -> String {
        let mut select = Vec::new();
        let mut nested = Vec::new();
        self.fields.write_options(&mut select, &mut nested);
        format!("{}($select={})", self.navigation.name(), select.join(","))
    }
}

/// Decodes one row of `T` with selection `S`.
struct RowOf<'a, T, S> {
    selection: &'a S,
    entity: PhantomData<fn() -> T>,
}

impl<'a, T, S> RowOf<'a, T, S> {
    fn new(selection: &'a S) -> Self {
        RowOf {
            selection,
            entity: PhantomData,
        }
    }
}

impl<T, S> Clone for RowOf<'_, T, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, S> Copy for RowOf<'_, T, S> {}

impl<'de, T, S: Selection<T>> DeserializeSeed<'de> for RowOf<'_, T, S> {
    type Value = S::Row;

    fn deserialize<D: Deserializer<'de>>(self, row: D) -> Result<S::Row, D::Error> {
        self.selection.decode_row(row)
    }
}

/// `null` or a value decoded with the inner seed.
struct Nullable<X>(X);

impl<'de, X: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<X> {
    type Value = Option<X::Value>;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<Self::Value, D::Error> {
        value.deserialize_option(self)
    }
}

impl<'de, X: DeserializeSeed<'de>> Visitor<'de> for Nullable<X> {
    type Value = Option<X::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an expanded entity or null")
    }

    fn visit_none<Er: de::Error>(self) -> Result<Self::Value, Er> {
        Ok(None)
    }

    fn visit_unit<Er: de::Error>(self) -> Result<Self::Value, Er> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, value: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(value).map(Some)
    }
}

/// An array whose elements are decoded with the inner seed.
pub(crate) struct ListOf<X>(pub(crate) X);

impl<'de, X: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for ListOf<X> {
    type Value = Vec<X::Value>;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<Self::Value, D::Error> {
        value.deserialize_seq(self)
    }
}

impl<'de, X: DeserializeSeed<'de> + Copy> Visitor<'de> for ListOf<X> {
    type Value = Vec<X::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of entities")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16_384));
        while let Some(row) = seq.next_element_seed(self.0)? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// Reads an object key as the index of the selected property it names (`None`: not selected).
struct KeyIndex<'a>(&'a [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, key: D) -> Result<Self::Value, D::Error> {
        key.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<Er: de::Error>(self, key: &str) -> Result<Self::Value, Er> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// Fills the slots of tuple selection `S` from one row object.
struct Fill<'a, E, S> {
    selection: &'a S,
    entity: PhantomData<fn() -> E>,
}

macro_rules! select_tuple {
    ($($item:ident $index:tt),+) => {
        impl<E: 'static, $($item: SelectItem<E>),+> Selection<E> for ($($item,)+) {
            type Row = ($($item::Value,)+);

            fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>) {
                $(self.$index.write_options(select, expand);)+
            }

            fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error> {
                row.deserialize_map(Fill { selection: self, entity: PhantomData::<fn() -> E> })
            }
        }

        impl<E: 'static, $($item: SelectItem<E> + SelectFields<E>),+> SelectFields<E>
            for ($($item,)+) {}

        impl<'de, E: 'static, $($item: SelectItem<E>),+> Visitor<'de>
            for Fill<'_, E, ($($item,)+)>
        {
            type Value = ($($item::Value,)+);

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an entity object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let names = [$(self.selection.$index.property(),)+];
                #[allow(clippy::default_trait_access)]
                let mut slots: ($($item::Slot,)+) = Default::default();
                while let Some(found) = map.next_key_seed(KeyIndex(&names))? {
                    match found {
                        $(Some($index) => self.selection.$index.read_value(&mut map, &mut slots.$index)?,)+
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(($(self.selection.$index.finish::<M::Error>(slots.$index)?,)+))
            }
        }
    };
}

select_tuple!(I0 0);
select_tuple!(I0 0, I1 1);
select_tuple!(I0 0, I1 1, I2 2);
select_tuple!(I0 0, I1 1, I2 2, I3 3);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6, I7 7);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6, I7 7, I8 8);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6, I7 7, I8 8, I9 9);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6, I7 7, I8 8, I9 9, I10 10);
select_tuple!(I0 0, I1 1, I2 2, I3 3, I4 4, I5 5, I6 6, I7 7, I8 8, I9 9, I10 10, I11 11);

/// A single item selected on its own: the row is the item's value.
macro_rules! single_item {
    ([$($generics:tt)*] $ty:ty) => {
        impl<$($generics)*> Selection<E> for $ty
        where
            $ty: SelectItem<E>,
        {
            type Row = <$ty as SelectItem<E>>::Value;

            fn write_options(&self, select: &mut Vec<&'static str>, expand: &mut Vec<String>) {
                SelectItem::write_options(self, select, expand);
            }

            fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error> {
                let (value,) = (self.clone(),).decode_row(row)?;
                Ok(value)
            }
        }
    };
}

single_item!([E: 'static, T] Field<E, T>);
single_item!([E: 'static, T] Required<E, T>);
single_item!([E: 'static, T, C] Navigation<E, T, C>);
single_item!([E: 'static, T, C, S] Expanded<E, T, C, S>);

impl<E: 'static, T: DeserializeOwned + Send + 'static> SelectFields<E> for Field<E, T> {}
impl<E: 'static, T: DeserializeOwned + Send + 'static> SelectFields<E> for Required<E, T> {}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    struct Header;
    struct Line;

    const NUMBER: Field<Header, String> = Field::new("SalesOrderNumber");
    const STATUS: Field<Header, String> = Field::new("SalesOrderStatus");
    const LINES: Navigation<Header, Line, Many> = Navigation::new("SalesOrderLines");
    const ITEM: Field<Line, String> = Field::new("ItemNumber");
    const QTY: Field<Line, i32> = Field::new("Quantity");

    fn decode<E, S: Selection<E>>(selection: &S, json: &str) -> serde_json::Result<S::Row> {
        selection.decode_row(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn tuple_rows_hold_only_the_selected_values_in_order() {
        let row = decode(
            &(STATUS, NUMBER.required()),
            r#"{"@odata.etag":"W/\"1\"","SalesOrderNumber":"SO-1","dataAreaId":"usmf","SalesOrderStatus":null}"#,
        )
        .unwrap();
        assert_eq!(row, (None, "SO-1".to_owned()));
    }

    #[test]
    fn a_selected_property_missing_from_the_row_is_an_error_not_none() {
        let e = decode(&(NUMBER, STATUS), r#"{"SalesOrderNumber":"SO-1"}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("selected property `SalesOrderStatus` is missing"),
            "{e}"
        );
    }

    #[test]
    fn required_null_names_the_property() {
        let e = decode(&NUMBER.required(), r#"{"SalesOrderNumber":null}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("property `SalesOrderNumber` is null"),
            "{e}"
        );
        assert_eq!(
            decode(&NUMBER, r#"{"SalesOrderNumber":null}"#).unwrap(),
            None
        );
    }

    #[test]
    fn wrong_value_type_and_duplicate_keys_fail() {
        assert!(decode(&(QTY,), r#"{"Quantity":"many"}"#).is_err());
        let e = decode(&QTY, r#"{"Quantity":1,"Quantity":2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `Quantity`"), "{e}");
    }

    #[test]
    fn expanded_selection_writes_nested_select_and_decodes_target_rows() {
        let selection = (NUMBER.required(), LINES.select((ITEM.required(), QTY)));
        let (mut select, mut expand) = (Vec::new(), Vec::new());
        selection.write_options(&mut select, &mut expand);
        assert_eq!(select, ["SalesOrderNumber"]);
        assert_eq!(expand, ["SalesOrderLines($select=ItemNumber,Quantity)"]);
        let row = decode(
            &selection,
            r#"{"SalesOrderNumber":"SO-1","SalesOrderLines":[{"ItemNumber":"A","Quantity":2},{"ItemNumber":"B","Quantity":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            row,
            (
                "SO-1".to_owned(),
                vec![("A".to_owned(), Some(2)), ("B".to_owned(), None)]
            )
        );
    }

    #[test]
    fn projection_field_names_must_match_the_selection() {
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct Order {
            #[serde(rename = "SalesOrderNumber")]
            number: String,
            #[serde(rename = "SalesOrderStatus")]
            status: Option<String>,
        }
        assert_eq!(
            check_projection::<Order>(&["SalesOrderNumber", "SalesOrderStatus"]),
            None
        );
        let extra = check_projection::<Order>(&["SalesOrderNumber"]).unwrap();
        assert!(extra.contains("field for `SalesOrderStatus`"), "{extra}");
        let unread =
            check_projection::<Order>(&["SalesOrderNumber", "SalesOrderStatus", "Other"]).unwrap();
        assert!(unread.contains("selects `Other`"), "{unread}");
        let not_struct = check_projection::<String>(&["X"]).unwrap();
        assert!(not_struct.contains("needs a struct"), "{not_struct}");
    }
}
