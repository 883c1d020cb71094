//! Typed OData v4 client for Microsoft Dynamics 365 Finance & Operations.
