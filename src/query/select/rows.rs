//! Decoding one row with a selection: the [`SelectItem`] impls of field and navigation handles,
//! tuples of up to 12 items, and the serde seeds they read values with.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor,
};

use super::{Expanded, Required, SelectFields, SelectItem, Selection};
use crate::paging::ListOf;
use crate::query::field::Field;
use crate::query::navigation::{Many, Navigation, One};

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
