//! (docs to come)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Modules, in the order a request goes through them; each imports only
// those above it.
#[cfg(feature = "actix")]
mod actix; //      actix-web's stack
mod answer; //     what an answer holds (data)
mod backend; //    the primitives a stack gives (sealed trait)
mod evaluator;
mod handle; //     a policy installed for every stack; the swap handle
mod http; //       the `http` crate's stack: request view, map, templates
mod policy; //     the policies a layer holds, prepared per stack
mod refusal; //    refusals for hooks and logs
mod respond; //    a decision turned into a preflight's answer or actual headers
mod vary; //       the `Vary` sets and merging (pure)
mod write; //      an answer written into a map //  the entry point: view → decide → respond

pub use evaluator::{DebugSwitch, Evaluator, RequestHead};
pub use handle::{Headers, PolicyHandle};
pub use policy::CorsPolicy;
pub use refusal::{CorsRefusal, RefusalEvent};
pub use respond::{ActualHeaders, Preflight, Respond};
