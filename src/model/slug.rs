//! Slugs: lower-case `[a-z0-9-]` names for page paths, derived from names, never taken as paths.

/// `push_order` -> `push-order`, `Order Fulfilment!` -> `order-fulfilment`,
/// `../../etc/x` -> `etc-x`. An empty result becomes `node`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if slug.is_empty() { "node".to_string() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_safe_and_readable() {
        assert_eq!(slugify("push_order"), "push-order");
        assert_eq!(slugify("Order Fulfilment!"), "order-fulfilment");
        assert_eq!(slugify("../../etc/x"), "etc-x");
        assert_eq!(slugify("ÄÖ"), "node");
        assert_eq!(slugify("erp-api"), "erp-api");
    }
}
