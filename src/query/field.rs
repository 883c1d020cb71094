//! Field handles: a property of entity type `E` whose values have type `T`.
//!
//! Generated bindings declare one handle per property (`customer_v3::CREDIT_LIMIT:
//! Field<CustomerV3, Decimal>`). Because a handle carries both types, a comparison with a value of
//! the wrong type, or a filter over another entity's property, does not compile.

use std::fmt;
use std::marker::PhantomData;

use super::filter::Filter;
use crate::edm::ODataLiteral;
use crate::entity::Entity;
use crate::profile::{Profile, SupportsIn};

/// A value that can be compared with a property whose values have type `T`.
///
/// Implemented for `T` itself whenever `T` has an OData literal form, and for `&str` against
/// `String` properties.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be compared with a property whose values are `{T}`",
    label = "expected a `{T}` (or `&str` for a string property)"
)]
pub trait IntoLiteral<T: ?Sized> {
    /// Appends the OData literal of this value.
    fn write_into(&self, out: &mut String);
}

impl<T: ODataLiteral> IntoLiteral<T> for T {
    fn write_into(&self, out: &mut String) {
        ODataLiteral::write_literal(self, out);
    }
}

impl IntoLiteral<String> for &str {
    fn write_into(&self, out: &mut String) {
        ODataLiteral::write_literal(*self, out);
    }
}

impl IntoLiteral<String> for &String {
    fn write_into(&self, out: &mut String) {
        ODataLiteral::write_literal(self.as_str(), out);
    }
}

/// Value types with an order, so that `gt`/`ge`/`lt`/`le` apply under profile `P`.
///
/// Numbers, strings, decimals, dates and times are ordered under every profile. Generated enums
/// implement it only for profiles that compare enums by range (not F&O, which accepts `eq` and
/// `ne` only).
#[diagnostic::on_unimplemented(
    message = "`{Self}` values have no order under this service profile",
    note = "gt/ge/lt/le need an ordered value type; F&O compares enum values with eq/ne only"
)]
pub trait Ordered<P: Profile> {}

macro_rules! ordered_everywhere {
    ($($t:ty),* $(,)?) => { $(impl<P: Profile> Ordered<P> for $t {})* };
}

ordered_everywhere!(
    i8,
    i16,
    i32,
    i64,
    u8,
    f32,
    f64,
    String,
    crate::edm::Decimal,
    crate::edm::Date,
    crate::edm::DateTimeOffset,
    crate::edm::TimeOfDay,
    crate::edm::Duration,
);

/// A property of entity type `E` with values of type `T`.
pub struct Field<E, T> {
    name: &'static str,
    types: PhantomData<fn() -> (E, T)>,
}

impl<E, T> Field<E, T> {
    /// A handle for the property `name` (as written in the service's metadata).
    pub const fn new(name: &'static str) -> Self {
        Field {
            name,
            types: PhantomData,
        }
    }

    /// The property name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<E: Entity, T> Field<E, T> {
    fn compare(self, op: &str, value: &impl IntoLiteral<T>) -> Filter<E> {
        let mut text = String::with_capacity(self.name.len() + op.len() + 16);
        text.push_str(self.name);
        text.push(' ');
        text.push_str(op);
        text.push(' ');
        value.write_into(&mut text);
        Filter::atom(text)
    }

    /// `Property eq value`.
    pub fn eq(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("eq", &value)
    }

    /// `Property ne value`.
    pub fn ne(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("ne", &value)
    }

    /// `Property eq null`.
    pub fn is_null(self) -> Filter<E> {
        Filter::atom(format!("{} eq null", self.name))
    }

    /// `Property ne null`.
    pub fn is_not_null(self) -> Filter<E> {
        Filter::atom(format!("{} ne null", self.name))
    }

    /// Equal to any of `values`, written as `eq` comparisons joined by `or` (accepted by every
    /// service, F&O included). An empty list matches nothing (`false`).
    pub fn eq_any<V: IntoLiteral<T>>(self, values: impl IntoIterator<Item = V>) -> Filter<E> {
        let mut result: Option<Filter<E>> = None;
        for value in values {
            let one = self.compare("eq", &value);
            result = Some(match result {
                None => one,
                Some(acc) => acc.or(one),
            });
        }
        result.unwrap_or_else(|| Filter::atom("false".to_owned()))
    }

    /// `Property in (v1,v2,...)`: only for services whose profile supports `in`
    /// (use [`Field::eq_any`] for F&O). An empty list matches nothing.
    pub fn is_in<V: IntoLiteral<T>>(self, values: impl IntoIterator<Item = V>) -> Filter<E>
    where
        E::Profile: SupportsIn,
    {
        let mut text = format!("{} in (", self.name);
        let mut any = false;
        for value in values {
            if any {
                text.push(',');
            }
            value.write_into(&mut text);
            any = true;
        }
        if !any {
            return Filter::atom("false".to_owned());
        }
        text.push(')');
        Filter::atom(text)
    }

    /// Ascending order on this property, for `$orderby`.
    pub fn asc(self) -> OrderBy<E> {
        OrderBy::new(self.name.to_owned())
    }

    /// Descending order on this property, for `$orderby`.
    pub fn desc(self) -> OrderBy<E> {
        OrderBy::new(format!("{} desc", self.name))
    }
}

impl<E: Entity, T: Ordered<E::Profile>> Field<E, T> {
    /// `Property gt value`.
    pub fn gt(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("gt", &value)
    }

    /// `Property ge value`.
    pub fn ge(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("ge", &value)
    }

    /// `Property lt value`.
    pub fn lt(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("lt", &value)
    }

    /// `Property le value`.
    pub fn le(self, value: impl IntoLiteral<T>) -> Filter<E> {
        self.compare("le", &value)
    }
}

impl<E: Entity> Field<E, String> {
    fn string_match(self, function: &str, pattern: (&str, &str), value: &str) -> Filter<E> {
        if <E::Profile as Profile>::WILDCARD_STRING_MATCH {
            // F&O: `Name eq '*x*'`. A `*` inside the value is itself a wildcard there.
            let wildcard = format!("{}{value}{}", pattern.0, pattern.1);
            self.compare("eq", &wildcard.as_str())
        } else {
            let mut text = format!("{function}({},", self.name);
            ODataLiteral::write_literal(value, &mut text);
            text.push(')');
            Filter::atom(text)
        }
    }

    /// The value contains `part`: `contains(Property,'part')`, or `Property eq '*part*'` on F&O.
    pub fn contains(self, part: &str) -> Filter<E> {
        self.string_match("contains", ("*", "*"), part)
    }

    /// The value starts with `prefix`: `startswith(...)`, or `eq 'prefix*'` on F&O.
    pub fn starts_with(self, prefix: &str) -> Filter<E> {
        self.string_match("startswith", ("", "*"), prefix)
    }

    /// The value ends with `suffix`: `endswith(...)`, or `eq '*suffix'` on F&O.
    pub fn ends_with(self, suffix: &str) -> Filter<E> {
        self.string_match("endswith", ("*", ""), suffix)
    }
}

impl<E, T> Clone for Field<E, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, T> Copy for Field<E, T> {}

impl<E, T> fmt::Debug for Field<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Field").field(&self.name).finish()
    }
}

/// One `$orderby` item over entity type `E`; made by [`Field::asc`] and [`Field::desc`].
pub struct OrderBy<E> {
    text: String,
    entity: PhantomData<fn() -> E>,
}

impl<E> OrderBy<E> {
    fn new(text: String) -> Self {
        OrderBy {
            text,
            entity: PhantomData,
        }
    }

    /// The item as OData text, e.g. `OrganizationName desc`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<E> fmt::Debug for OrderBy<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OrderBy").field(&self.text).finish()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::edm::{DateTimeOffset, Decimal, EnumLiteral};
    use crate::entity::EntityKey;
    use crate::profile::{Fno, GenericOData};

    struct NoKey;
    impl EntityKey for NoKey {
        fn write_predicate(&self, out: &mut String) {
            out.push_str("()");
        }
    }

    #[derive(Deserialize)]
    struct FnoCustomer {}
    impl Entity for FnoCustomer {
        const ENTITY_SET: &'static str = "CustomersV3";
        const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
        type Key = NoKey;
        type Profile = Fno;
    }

    #[derive(Deserialize)]
    struct Person {}
    impl Entity for Person {
        const ENTITY_SET: &'static str = "People";
        const TYPE_NAME: &'static str = "Trippin.Person";
        type Key = NoKey;
        type Profile = GenericOData;
    }

    const NAME: Field<FnoCustomer, String> = Field::new("OrganizationName");
    const LIMIT: Field<FnoCustomer, Decimal> = Field::new("CreditLimit");
    const SINCE: Field<FnoCustomer, DateTimeOffset> = Field::new("CredManCustomerSince");
    const EMPLOYEES: Field<FnoCustomer, i32> = Field::new("OrganizationNumberOfEmployees");
    const USER_NAME: Field<Person, String> = Field::new("UserName");
    const AGE: Field<Person, i64> = Field::new("Age");

    #[test]
    fn comparisons_write_exact_literals() {
        let f = NAME
            .eq("O'Brien & Sons")
            .and(LIMIT.gt("12345678901234.123456".parse::<Decimal>().unwrap()))
            .and(
                SINCE.ge("2024-01-01T00:00:00+02:00"
                    .parse::<DateTimeOffset>()
                    .unwrap()),
            );
        assert_eq!(
            f.as_str(),
            "OrganizationName eq 'O''Brien & Sons' and CreditLimit gt 12345678901234.123456 \
             and CredManCustomerSince ge 2024-01-01T00:00:00+02:00"
        );
    }

    #[test]
    fn fno_profile_writes_string_matches_as_wildcards() {
        assert_eq!(
            NAME.contains("retail").as_str(),
            "OrganizationName eq '*retail*'"
        );
        assert_eq!(
            NAME.starts_with("O'B").as_str(),
            "OrganizationName eq 'O''B*'"
        );
        assert_eq!(NAME.ends_with("Ltd").as_str(), "OrganizationName eq '*Ltd'");
    }

    #[test]
    fn generic_profile_writes_string_functions_and_in() {
        assert_eq!(
            USER_NAME.contains("rus").as_str(),
            "contains(UserName,'rus')"
        );
        assert_eq!(
            USER_NAME.starts_with("O'").as_str(),
            "startswith(UserName,'O''')"
        );
        assert_eq!(AGE.is_in([30i64, 40]).as_str(), "Age in (30,40)");
        assert_eq!(AGE.is_in(Vec::<i64>::new()).as_str(), "false");
    }

    #[test]
    fn eq_any_is_an_or_chain_that_nests_under_and() {
        let f = EMPLOYEES.eq_any([1, 2, 3]).and(NAME.is_not_null());
        assert_eq!(
            f.as_str(),
            "(OrganizationNumberOfEmployees eq 1 or OrganizationNumberOfEmployees eq 2 or \
             OrganizationNumberOfEmployees eq 3) and OrganizationName ne null"
        );
        assert_eq!(EMPLOYEES.eq_any(Vec::<i32>::new()).as_str(), "false");
    }

    #[test]
    fn enum_literals_are_qualified() {
        struct NoYes(&'static str);
        impl ODataLiteral for NoYes {
            fn write_literal(&self, out: &mut String) {
                EnumLiteral::new("Microsoft.Dynamics.DataEntities.NoYes", self.0)
                    .write_literal(out);
            }
        }
        const ONE_TIME: Field<FnoCustomer, NoYes> = Field::new("IsOneTimeCustomer");
        assert_eq!(
            ONE_TIME.ne(NoYes("Yes")).as_str(),
            "IsOneTimeCustomer ne Microsoft.Dynamics.DataEntities.NoYes'Yes'"
        );
    }

    #[test]
    fn order_by_items() {
        assert_eq!(NAME.asc().as_str(), "OrganizationName");
        assert_eq!(LIMIT.desc().as_str(), "CreditLimit desc");
    }
}
