//! Point costs of requests, computed by generated code before sending.

/// The points of a call whose cost depends on the request:
/// `min(max, base + per * ceil(count / unit))`.
pub fn per_count(base: u32, per: u32, unit: u32, count: u64, max: u32) -> u32 {
    let units = count.div_ceil(u64::from(unit.max(1)));
    let total = u64::from(base).saturating_add(u64::from(per).saturating_mul(units));
    u32::try_from(total.min(u64::from(max))).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_rounds_up_and_caps() {
        assert_eq!(per_count(1, 1, 50, 0, 5), 1);
        assert_eq!(per_count(1, 1, 50, 51, 5), 3);
        assert_eq!(per_count(2, 1, 1, u64::MAX, 10), 10);
    }
}
