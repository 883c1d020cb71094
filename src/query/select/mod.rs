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
//! - a navigation handle in the selection adds `$expand`: [`One`](crate::One) yields `Option<T>` (`None`: no
//!   related entity), [`Many`](crate::Many) yields `Vec<T>`; [`Navigation::select`] expands with a `$select`
//!   over the target and yields the target's projected rows.
//! - [`Query::select_into`](crate::Query::select_into) decodes into the caller's own struct (a
//!   [`Projection`]), whose serde field names must be exactly the selected properties: the query
//!   fails with [`Error::Config`](crate::Error::Config) before sending anything otherwise.
//!
//! Tuples were chosen over partial types (a generated struct per selection is impossible: the
//! selection is chosen by the caller) and over tri-state fields in the read struct (`Unselected`
//! / `Null` / `Value` would make every read of every field handle a case that is a programming
//! error, at run time rather than at compile time).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess};

use super::field::Field;
use super::navigation::Navigation;
use crate::entity::Entity;

mod projection;
mod rows;
#[cfg(test)]
mod tests;

pub use projection::{Projected, Projection};

pub(crate) use projection::check_projection;

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
    /// The row holds the target's projected rows (`Option<row>` for [`One`](crate::One), `Vec<row>` for
    /// [`Many`](crate::Many)).
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
