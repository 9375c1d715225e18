//! Point costs of requests, computed by generated code before sending.

/// The points of a call whose cost depends on the request:
/// `min(max, base + per * ceil(count / unit))`. The provider's formula, from `sdkgen-policy`.
pub use sdkgen_policy::per_count;
