//! What [`Batch::add`](super::Batch::add) and [`ChangeSet::add`](super::ChangeSet::add) take:
//! the request builders of single calls, through sealed traits. Each builder lowers to the one
//! prepared request its single call sends and the decoder that call uses, so a batch carries
//! exactly what the single call would send and its slot yields the same value.

use crate::client::Client;
use crate::crud::{CreateRequest, DeleteRequest, GetRequest, UpdateRequest};
use crate::entity::ETag;
use crate::entity::Entity;
use crate::error::Result;
use crate::operation::{ActionRequest, FunctionRequest, OperationResult, result};
use crate::paging::{self, Page, Serde};
use crate::query::{Projected, Projection, Query, SelectionDecoder, Whole};
use crate::wire::{Answer, Decode, Prepared};

pub(crate) use sealed::Lowered;

mod sealed {
    use super::{Client, Decode, Prepared, Result};

    /// Only the crate's builders are batch requests.
    pub trait Sealed {}

    /// A builder lowered for a batch: the client it was made from, its request, its decoder.
    #[derive(Debug)]
    pub struct Lowered<T> {
        pub(crate) client: Client,
        pub(crate) prepared: Result<Prepared>,
        pub(crate) decode: Decode<T>,
    }
}

/// A request builder [`Batch::add`](super::Batch::add) takes: a typed query ([`Query`], whole
/// entities or a [`Projection`]), [`GetRequest`], [`FunctionRequest`], and every
/// [`ChangeSetRequest`]. Sealed: implemented by the crate's builders only.
pub trait BatchRequest: sealed::Sealed {
    /// What the slot yields: what the single call yields.
    type Output;

    /// The prepared request and its decoder.
    #[doc(hidden)]
    fn lower(self) -> Lowered<Self::Output>;
}

/// A write builder [`ChangeSet::add`](super::ChangeSet::add) takes: [`CreateRequest`],
/// [`UpdateRequest`], [`DeleteRequest`] and [`ActionRequest`] (OData change sets hold data
/// modifications and actions, never reads). Sealed.
pub trait ChangeSetRequest: BatchRequest {}

fn lowered<T>(parts: (Client, Result<Prepared>), decode: Decode<T>) -> Lowered<T> {
    let (client, prepared) = parts;
    Lowered {
        client,
        prepared,
        decode,
    }
}

impl<E: Entity> sealed::Sealed for Query<E, Whole> {}

impl<E: Entity> BatchRequest for Query<E, Whole> {
    type Output = Page<E>;

    fn lower(self) -> Lowered<Page<E>> {
        lowered(self.prepare(), |answer: &Answer<'_>| {
            paging::decode_page(&Serde::<E>::new(), answer)
        })
    }
}

impl<E: Entity, P: Projection<E>> sealed::Sealed for Query<E, Projected<P>> {}

impl<E: Entity, P: Projection<E>> BatchRequest for Query<E, Projected<P>> {
    type Output = Page<P>;

    fn lower(self) -> Lowered<Page<P>> {
        lowered(self.prepare(), |answer: &Answer<'_>| {
            let decoder = SelectionDecoder::<E, _>::new(Projected::<P>::new());
            paging::decode_page(&decoder, answer)
        })
    }
}

impl<E: Entity> sealed::Sealed for GetRequest<E> {}

impl<E: Entity> BatchRequest for GetRequest<E> {
    type Output = E;

    fn lower(self) -> Lowered<E> {
        lowered(self.prepare(), GetRequest::<E>::decode)
    }
}

impl sealed::Sealed for FunctionRequest {}

impl BatchRequest for FunctionRequest {
    type Output = OperationResult;

    fn lower(self) -> Lowered<OperationResult> {
        lowered(self.prepare(), result::keep)
    }
}

impl<E: Entity> sealed::Sealed for CreateRequest<E> {}

impl<E: Entity> BatchRequest for CreateRequest<E> {
    type Output = E;

    fn lower(self) -> Lowered<E> {
        lowered(self.prepare(), CreateRequest::<E>::decode)
    }
}

impl<E: Entity> ChangeSetRequest for CreateRequest<E> {}

impl<E: Entity> sealed::Sealed for UpdateRequest<E> {}

impl<E: Entity> BatchRequest for UpdateRequest<E> {
    type Output = Option<ETag>;

    fn lower(self) -> Lowered<Option<ETag>> {
        lowered(self.prepare(), UpdateRequest::<E>::decode)
    }
}

impl<E: Entity> ChangeSetRequest for UpdateRequest<E> {}

impl<E: Entity> sealed::Sealed for DeleteRequest<E> {}

impl<E: Entity> BatchRequest for DeleteRequest<E> {
    type Output = ();

    fn lower(self) -> Lowered<()> {
        lowered(self.prepare(), DeleteRequest::<E>::decode)
    }
}

impl<E: Entity> ChangeSetRequest for DeleteRequest<E> {}

impl sealed::Sealed for ActionRequest {}

impl BatchRequest for ActionRequest {
    type Output = OperationResult;

    fn lower(self) -> Lowered<OperationResult> {
        lowered(self.prepare(), result::keep)
    }
}

impl ChangeSetRequest for ActionRequest {}
