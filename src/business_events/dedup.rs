//! [`ControlNumberWindow`]: telling new business events from repeats by their `ControlNumber`.

use std::collections::BTreeSet;

use super::BusinessEvent;

/// What a [`ControlNumberWindow`] says about an event's control number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Higher than every control number seen so far: a new event, in order.
    New,
    /// Lower than the highest seen but not seen before: a new event that arrived after a later
    /// one (control numbers have gaps, so a missing number is not proof that an event is late;
    /// one that shows up afterwards is).
    OutOfOrder,
    /// Seen before: a redelivery (F&O retries delivery, queues deliver at least once).
    Duplicate,
    /// Lower than every control number the window still remembers: it may be a duplicate or a
    /// very late event; the window cannot tell (check a durable store if it matters).
    BeyondWindow,
}

impl Delivery {
    /// `true` for [`Delivery::New`] and [`Delivery::OutOfOrder`]: an event to process.
    pub fn is_first_delivery(self) -> bool {
        matches!(self, Delivery::New | Delivery::OutOfOrder)
    }
}

/// Remembers the most recent `capacity` control numbers to sort incoming business events into
/// new, out-of-order, duplicate, or too old to tell ([`Delivery`]).
///
/// F&O's `ControlNumber` increases with every event but is not sequential (it has gaps), so the
/// window keeps the numbers themselves rather than a counter. Memory is bounded: when more than
/// `capacity` numbers are held, the lowest is forgotten, and anything at or below it is
/// [`Delivery::BeyondWindow`] from then on.
///
/// ```
/// use d365fo_odata::business_events::{ControlNumberWindow, Delivery};
///
/// let mut window = ControlNumberWindow::new(1000);
/// assert_eq!(window.observe(5637611083), Delivery::New);
/// assert_eq!(window.observe(5637611090), Delivery::New);
/// assert_eq!(window.observe(5637611083), Delivery::Duplicate);
/// assert_eq!(window.observe(5637611086), Delivery::OutOfOrder);
/// ```
#[derive(Debug, Clone)]
pub struct ControlNumberWindow {
    seen: BTreeSet<i64>,
    capacity: usize,
    /// The highest control number forgotten to stay within `capacity`.
    forgotten_up_to: Option<i64>,
}

impl ControlNumberWindow {
    /// A window remembering up to `capacity` control numbers (at least one).
    pub fn new(capacity: usize) -> Self {
        ControlNumberWindow {
            seen: BTreeSet::new(),
            capacity: capacity.max(1),
            forgotten_up_to: None,
        }
    }

    /// Records `control_number` and says whether it is new, out of order, a duplicate, or older
    /// than the window remembers. Only new and out-of-order numbers are recorded.
    pub fn observe(&mut self, control_number: i64) -> Delivery {
        if self.seen.contains(&control_number) {
            return Delivery::Duplicate;
        }
        if self.forgotten_up_to.is_some_and(|f| control_number <= f) {
            return Delivery::BeyondWindow;
        }
        let delivery = match self.seen.last() {
            Some(&highest) if control_number < highest => Delivery::OutOfOrder,
            _ => Delivery::New,
        };
        self.seen.insert(control_number);
        if self.seen.len() > self.capacity
            && let Some(lowest) = self.seen.pop_first()
        {
            self.forgotten_up_to = Some(self.forgotten_up_to.map_or(lowest, |f| f.max(lowest)));
        }
        delivery
    }

    /// [`observe`](Self::observe) with the event's `ControlNumber`.
    pub fn observe_event<P>(&mut self, event: &BusinessEvent<P>) -> Delivery {
        self.observe(event.control_number)
    }

    /// The highest control number seen, if any.
    pub fn highest(&self) -> Option<i64> {
        self.seen.last().copied()
    }

    /// How many control numbers are remembered (never more than the capacity).
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no control number has been recorded.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increasing_numbers_with_gaps_are_new() {
        let mut w = ControlNumberWindow::new(10);
        for n in [5_637_611_083, 5_637_611_084, 5_637_611_090, 5_637_612_000] {
            assert_eq!(w.observe(n), Delivery::New, "{n}");
        }
        assert_eq!(w.highest(), Some(5_637_612_000));
    }

    #[test]
    fn repeats_are_duplicates_and_late_ones_out_of_order() {
        let mut w = ControlNumberWindow::new(10);
        assert_eq!(w.observe(100), Delivery::New);
        assert_eq!(w.observe(105), Delivery::New);
        assert_eq!(w.observe(100), Delivery::Duplicate);
        assert_eq!(w.observe(103), Delivery::OutOfOrder);
        assert_eq!(w.observe(103), Delivery::Duplicate);
        assert_eq!(w.observe(50), Delivery::OutOfOrder, "nothing forgotten yet");
        assert!(w.observe(106).is_first_delivery());
        assert!(!w.observe(106).is_first_delivery());
    }

    #[test]
    fn memory_is_bounded_and_forgotten_numbers_are_beyond_the_window() {
        let mut w = ControlNumberWindow::new(3);
        for n in 1..=10 {
            assert_eq!(w.observe(n * 10), Delivery::New);
            assert!(w.len() <= 3);
        }
        assert_eq!(w.len(), 3);
        // 80, 90, 100 are remembered; 70 and below were forgotten.
        assert_eq!(w.observe(90), Delivery::Duplicate);
        assert_eq!(w.observe(70), Delivery::BeyondWindow);
        assert_eq!(w.observe(10), Delivery::BeyondWindow);
        // A late number inside the remembered range is reported, then is the first forgotten.
        assert_eq!(w.observe(85), Delivery::OutOfOrder);
        assert_eq!(w.observe(85), Delivery::Duplicate);
        assert_eq!(w.observe(110), Delivery::New);
        assert_eq!(w.observe(85), Delivery::BeyondWindow);
        assert_eq!(w.observe(90), Delivery::Duplicate);
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn capacity_zero_still_remembers_the_latest() {
        let mut w = ControlNumberWindow::new(0);
        assert!(w.is_empty());
        assert_eq!(w.observe(1), Delivery::New);
        assert_eq!(w.observe(1), Delivery::Duplicate);
        assert_eq!(w.observe(2), Delivery::New);
        assert_eq!(w.observe(1), Delivery::BeyondWindow);
    }
}
