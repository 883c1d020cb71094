//! Generated enums are `#[non_exhaustive]`: a `match` in user code needs a `_` arm even when it
//! names every member, so a member the service adds later cannot break the build.
use d365fo_sandbox_bindings::CustVendorBlocked;

fn label(blocked: &CustVendorBlocked) -> &'static str {
    match blocked {
        CustVendorBlocked::No => "no",
        CustVendorBlocked::Invoice => "invoice",
        CustVendorBlocked::All => "all",
        CustVendorBlocked::Payment => "payment",
        CustVendorBlocked::Requisition => "requisition",
        CustVendorBlocked::Never => "never",
        CustVendorBlocked::PurchOrder => "purchase order",
        CustVendorBlocked::Unknown(_) => "unknown",
    }
}

fn main() {
    let _ = label(&CustVendorBlocked::No);
}
