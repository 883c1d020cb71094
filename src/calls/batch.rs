//! Sending many requests in one: [`Client::batch`].

use crate::batch::Batch;
use crate::client::Client;

impl Client {
    /// A new, empty `$batch` for this client: add the same builders a single call takes
    /// ([`Batch::add`], [`ChangeSet::add`](crate::ChangeSet::add)), then
    /// [`send`](Batch::send) it.
    pub fn batch(&self) -> Batch {
        Batch::new(self)
    }
}
