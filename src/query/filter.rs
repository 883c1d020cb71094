//! [`Filter`]: a `$filter` expression over one entity type, built from field handles.
//!
//! The expression is rendered as it is built, keeping track of the precedence of its top
//! operator so that `and`/`or`/`not` add exactly the parentheses the result needs.

use std::fmt;
use std::marker::PhantomData;

/// How tightly an expression binds; lower binds looser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Precedence {
    Or,
    And,
    /// Comparisons, function calls, `not (...)`: never split by a surrounding operator.
    Atom,
}

/// A boolean `$filter` expression over entity type `E`.
///
/// Made by the comparison methods of [`Field`](crate::Field) and combined with [`Filter::and`],
/// [`Filter::or`] and [`Filter::not`]. A filter over one entity type cannot be used in a query
/// over another: the type parameter sees to that at compile time.
pub struct Filter<E> {
    text: String,
    precedence: Precedence,
    entity: PhantomData<fn() -> E>,
}

impl<E> Filter<E> {
    pub(crate) fn atom(text: String) -> Self {
        Filter {
            text,
            precedence: Precedence::Atom,
            entity: PhantomData,
        }
    }

    /// Both conditions.
    pub fn and(self, other: Filter<E>) -> Filter<E> {
        self.join(" and ", Precedence::And, other)
    }

    /// Either condition.
    pub fn or(self, other: Filter<E>) -> Filter<E> {
        self.join(" or ", Precedence::Or, other)
    }

    /// The negated condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter<E> {
        Filter::atom(format!("not ({})", self.text))
    }

    /// The expression as OData text (not yet percent-encoded).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The expression as OData text.
    pub fn into_string(self) -> String {
        self.text
    }

    fn join(self, op: &str, precedence: Precedence, other: Filter<E>) -> Filter<E> {
        let mut text = String::with_capacity(self.text.len() + op.len() + other.text.len() + 4);
        push_operand(&mut text, &self, precedence);
        text.push_str(op);
        push_operand(&mut text, &other, precedence);
        Filter {
            text,
            precedence,
            entity: PhantomData,
        }
    }
}

fn push_operand<E>(out: &mut String, operand: &Filter<E>, context: Precedence) {
    if operand.precedence < context {
        out.push('(');
        out.push_str(&operand.text);
        out.push(')');
    } else {
        out.push_str(&operand.text);
    }
}

impl<E> Clone for Filter<E> {
    fn clone(&self) -> Self {
        Filter {
            text: self.text.clone(),
            precedence: self.precedence,
            entity: PhantomData,
        }
    }
}

impl<E> fmt::Debug for Filter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Filter").field(&self.text).finish()
    }
}

impl<E> fmt::Display for Filter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(s: &str) -> Filter<()> {
        Filter::atom(s.to_owned())
    }

    #[test]
    fn or_inside_and_gets_parentheses() {
        let f = atom("a").or(atom("b")).and(atom("c"));
        assert_eq!(f.as_str(), "(a or b) and c");
    }

    #[test]
    fn and_inside_or_needs_none() {
        let f = atom("a").and(atom("b")).or(atom("c").and(atom("d")));
        assert_eq!(f.as_str(), "a and b or c and d");
    }

    #[test]
    fn chains_of_the_same_operator_stay_flat() {
        let f = atom("a").and(atom("b")).and(atom("c"));
        assert_eq!(f.as_str(), "a and b and c");
        let f = atom("a").or(atom("b").or(atom("c")));
        assert_eq!(f.as_str(), "a or b or c");
    }

    #[test]
    fn not_wraps_its_operand() {
        let f = atom("a").or(atom("b")).not().and(atom("c"));
        assert_eq!(f.as_str(), "not (a or b) and c");
    }
}
