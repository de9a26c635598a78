//! Technical indicators (placeholder; filled in by the indicators work).
