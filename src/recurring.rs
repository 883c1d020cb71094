//! Recurring integrations REST API (`/api/connector`): enqueue, dequeue, acknowledge, status.
