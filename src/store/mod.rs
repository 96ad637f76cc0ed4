//! Queries and changes against the database, grouped per area. Handlers call these functions and
//! never build SQL themselves; the functions return plain data for the pages and the domain.

pub mod applications;
pub mod attachments;
pub mod calls;
pub mod drafts;
pub mod municipalities;
pub mod reference;
pub mod rules;
