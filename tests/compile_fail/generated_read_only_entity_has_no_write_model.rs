//! `ExchangeRateView` is annotated `IsReadOnly`: F&O accepts no creates or updates of it, so
//! the bindings have no create or update model for it.
use d365fo_sandbox_bindings::write_rules::{ExchangeRateView, ExchangeRateViewKey};
use d365fo_sandbox_bindings::write_rules::{ExchangeRateViewPatch, NewExchangeRateView};

fn main() {
    let _key = ExchangeRateViewKey::new("EUR");
    let _read: Option<ExchangeRateView> = None;
}
