//! Business events: the common F&O event envelope, generic over the event-specific payload.
