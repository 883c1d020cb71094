//! Business events: the payloads F&O sends to Service Bus, Event Grid, Event Hub, HTTPS and Power
//! Automate endpoints when something happens (an invoice posted, a batch job started).
//!
//! Every payload is one flat JSON object: the common envelope ([`BusinessEvent`]: which event,
//! which legal entity, `ControlNumber`, `EventId`, `EventTime`…) followed by the event's own
//! fields, decoded into a type of your choice. Dates in payloads use the WCF form
//! `"/Date(1672408275000)/"`, read by [`WcfDate`], which also maps F&O's empty date
//! (`/Date(-2208988800000)/`, 1900-01-01) to "no date".
//!
//! # Envelopes across F&O versions
//!
//! Only `BusinessEventId`, `ControlNumber`, `EventId`, `EventTime`, `MajorVersion` and
//! `MinorVersion` are sent by every version and are required. Older payloads and alert events
//! (`BusinessEventsAlertEvent`, 2019) lack `BusinessEventLegalEntity`, `ContextRecordSubject`,
//! `InitiatingUserAADObjectId`, `ParentContextRecordSubjects` and `EventTimeIso8601`: those read
//! as `None` (or an empty list), so an array mixing old and new shapes decodes every event. Event
//! fields may hold nested objects and arrays; the untyped payload keeps them as JSON values.
//!
//! # Empty dates
//!
//! X++'s empty date reaches you as `/Date(-2208988800000)/` in WCF form ([`WcfDate::EMPTY`]),
//! and as `1900-01-01T00:00:00Z` or `1900-01-01T12:00:00Z` in ISO form (`EventTimeIso8601`,
//! OData rows): [`DateTimeOffset::is_fno_empty_date`](crate::edm::DateTimeOffset::is_fno_empty_date)
//! recognises both, and [`BusinessEvent::event_time_precise`] skips an empty ISO time.
//!
//! Delivery is at least once, and not necessarily in order: [`ControlNumberWindow`] sorts
//! incoming events into new, out-of-order, duplicate, or too old to tell, by `ControlNumber`
//! (increasing, with gaps), in bounded memory.
//!
//! ```
//! use d365fo_odata::business_events::{parse_events, BusinessEvent, ControlNumberWindow};
//!
//! # let body = br#"[]"#;
//! let mut window = ControlNumberWindow::new(10_000);
//! let events: Vec<BusinessEvent> = parse_events(body, "https endpoint")?;
//! for event in events {
//!     if window.observe_event(&event).is_first_delivery() {
//!         // handle event.business_event_id, event.payload, ...
//!     }
//! }
//! # Ok::<(), d365fo_odata::Error>(())
//! ```

mod dedup;
mod envelope;
mod wcf_date;

pub use dedup::{ControlNumberWindow, Delivery};
pub use envelope::{BusinessEvent, parse_events};
pub use wcf_date::WcfDate;
