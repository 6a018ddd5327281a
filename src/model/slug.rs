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
    if slug.is_empty() {
        return "node".to_string();
    }
    if slug.len() <= MAX_SLUG {
        return slug;
    }
    // A page's file name must fit the file system (255 bytes): a long name, or a step deep
    // in nested scopes, keeps its readable start and a hash of the whole slug, so two long
    // names that share a start still get pages of their own.
    let keep = slug[..MAX_SLUG - 9].trim_end_matches('-');
    format!("{keep}-{:08x}", fnv1a(&slug))
}

/// The longest slug kept whole, in bytes (slugs are ASCII).
pub const MAX_SLUG: usize = 96;

/// 32-bit FNV-1a: stable across runs and platforms, so a long slug's page never moves.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
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

    #[test]
    fn long_names_are_cut_to_a_file_name_and_stay_apart() {
        let a = slugify(&format!("{} one", "x y ".repeat(200)));
        let b = slugify(&format!("{} two", "x y ".repeat(200)));
        assert!(a.len() <= super::MAX_SLUG && b.len() <= super::MAX_SLUG, "{a}");
        assert!(a.starts_with("x-y-x-y"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, slugify(&format!("{} one", "x y ".repeat(200))), "the same name, the same page");
        assert_eq!(slugify(&"a".repeat(96)), "a".repeat(96));
    }
}
