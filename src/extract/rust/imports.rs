//! Name resolution for one file: which crate item a path stands for, through `use` trees.
//!
//! Several crates export the same names (`ExponentialBackoff` is in tokio-retry, backoff,
//! retry-policies and user code), so every library call is attributed by the crate its
//! path resolves to, never by its last segment alone. Resolution is per file and ignores
//! module scoping: a `use` anywhere in the file counts everywhere in it. Crate renames in
//! `Cargo.toml` (`package = "..."`) are invisible to a per-file extractor.

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;

/// Crates whose paths are taken as absolute when a path starts with their name.
const KNOWN_CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "tokio",
    "tokio_retry",
    "tokio_retry2",
    "backon",
    "backoff",
    "reqwest",
    "reqwest_retry",
    "reqwest_middleware",
    "retry_policies",
    "tower",
    "async_std",
    "web_time",
];

/// Names a glob import (`use tokio_retry::strategy::*;`) is trusted to bring in: the ones
/// the extractor acts on. Anything else a glob might export stays unresolved.
const GLOB_NAMES: &[&str] = &[
    "Retry",
    "RetryIf",
    "ExponentialBackoff",
    "FixedInterval",
    "FibonacciBackoff",
    "jitter",
    "ExponentialBuilder",
    "ConstantBuilder",
    "FibonacciBuilder",
    "Retryable",
    "BlockingRetryable",
    "ExponentialBackoffBuilder",
    "retry",
    "retry_notify",
    "Jitter",
    "timeout",
    "Duration",
    "Client",
    "ClientBuilder",
    "Method",
    "ServiceBuilder",
];

#[derive(Debug, Default)]
pub struct Imports {
    /// Local name -> the full path it was imported as.
    names: HashMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
    /// Items defined in this file: they shadow globs and are never a library's.
    local: HashSet<String>,
}

impl Imports {
    pub fn collect(file: &syn::File) -> Imports {
        let mut imports = Imports::default();
        imports.visit_file(file);
        imports
    }

    /// The absolute path a path stands for. Paths into this crate start with `crate`,
    /// `self`, `super` or `Self`. `None` when a single name is not imported (a local
    /// variable, a prelude item, an item of this file).
    pub fn resolve(&self, path: &syn::Path) -> Option<Vec<String>> {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve_segments(&segs, path.leading_colon.is_some())
    }

    pub fn resolve_segments(&self, segs: &[String], absolute: bool) -> Option<Vec<String>> {
        let first = segs.first()?;
        if absolute || matches!(first.as_str(), "crate" | "self" | "super" | "Self") {
            return Some(segs.to_vec());
        }
        if let Some(full) = self.names.get(first) {
            // `use erp::push_order;` names this crate's module `erp` when the file declares it.
            let local = self.local.contains(&full[0]) && !KNOWN_CRATES.contains(&full[0].as_str());
            let prefix = local.then(|| "crate".to_string());
            return Some(prefix.into_iter().chain(full.iter().cloned()).chain(segs[1..].iter().cloned()).collect());
        }
        if self.local.contains(first) {
            return Some(std::iter::once("crate".to_string()).chain(segs.iter().cloned()).collect());
        }
        if segs.len() == 1 {
            if GLOB_NAMES.contains(&first.as_str()) {
                return self.globs.iter().find(|g| KNOWN_CRATES.contains(&g[0].as_str())).map(|g| {
                    let mut full = g.clone();
                    full.push(first.clone());
                    full
                });
            }
            return None;
        }
        Some(segs.to_vec())
    }

    /// Whether anything in this file is imported from `krate`.
    pub fn uses_crate(&self, krate: &str) -> bool {
        self.names.values().chain(&self.globs).any(|p| p.first().is_some_and(|c| c == krate))
    }

    fn add_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last() {
                        self.names.insert(last.clone(), prefix.clone());
                    }
                } else {
                    let mut full = prefix.clone();
                    full.push(name.clone());
                    self.names.insert(name, full);
                }
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                let ident = r.ident.to_string();
                if ident != "self" {
                    full.push(ident);
                }
                let rename = r.rename.to_string();
                // `use backon::Retryable as _;` names nothing but still says the crate is used.
                let key = if rename == "_" { format!("_{}", full.join("::")) } else { rename };
                self.names.insert(key, full);
            }
            syn::UseTree::Glob(_) => {
                if !prefix.is_empty() {
                    self.globs.push(prefix.clone());
                }
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.add_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Imports {
    fn visit_item_use(&mut self, node: &'ast syn::ItemUse) {
        self.add_tree(&mut Vec::new(), &node.tree);
    }

    fn visit_item_extern_crate(&mut self, node: &'ast syn::ItemExternCrate) {
        // `extern crate backoff as bo;` is a rename of a crate we know; renames of other
        // crates (`extern crate tokio_1 as tokio;`) keep the name the code uses.
        if let Some((_, rename)) = &node.rename {
            let original = node.ident.to_string();
            if KNOWN_CRATES.contains(&original.as_str()) {
                self.names.insert(rename.to_string(), vec![original]);
            }
        }
    }

    fn visit_item_struct(&mut self, node: &'ast syn::ItemStruct) {
        self.local.insert(node.ident.to_string());
    }

    fn visit_item_enum(&mut self, node: &'ast syn::ItemEnum) {
        self.local.insert(node.ident.to_string());
    }

    fn visit_item_union(&mut self, node: &'ast syn::ItemUnion) {
        self.local.insert(node.ident.to_string());
    }

    fn visit_item_type(&mut self, node: &'ast syn::ItemType) {
        self.local.insert(node.ident.to_string());
    }

    fn visit_item_trait(&mut self, node: &'ast syn::ItemTrait) {
        self.local.insert(node.ident.to_string());
        syn::visit::visit_item_trait(self, node);
    }

    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        self.local.insert(node.sig.ident.to_string());
        syn::visit::visit_item_fn(self, node);
    }

    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        self.local.insert(node.ident.to_string());
        syn::visit::visit_item_mod(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(src: &str, path: &str) -> Option<String> {
        let imports = Imports::collect(&syn::parse_file(src).unwrap());
        imports.resolve(&syn::parse_str(path).unwrap()).map(|p| p.join("::"))
    }

    #[test]
    fn renames_groups_and_globs_resolve_to_the_crate() {
        let src = "use tokio::time::timeout as deadline;\nuse tokio_retry::{Retry, strategy::{self, FixedInterval}};\nuse backon::*;";
        assert_eq!(resolve(src, "deadline").as_deref(), Some("tokio::time::timeout"));
        assert_eq!(resolve(src, "Retry::spawn").as_deref(), Some("tokio_retry::Retry::spawn"));
        assert_eq!(
            resolve(src, "strategy::ExponentialBackoff").as_deref(),
            Some("tokio_retry::strategy::ExponentialBackoff")
        );
        assert_eq!(resolve(src, "FixedInterval::new").as_deref(), Some("tokio_retry::strategy::FixedInterval::new"));
        assert_eq!(resolve(src, "ExponentialBuilder").as_deref(), Some("backon::ExponentialBuilder"));
        assert_eq!(resolve(src, "::tokio::time::timeout").as_deref(), Some("tokio::time::timeout"));
        assert_eq!(resolve(src, "push_order"), None);
    }

    #[test]
    fn a_local_struct_shadows_a_glob() {
        let src = "use backoff::*;\nstruct ExponentialBackoff;";
        assert_eq!(resolve(src, "ExponentialBackoff::default").as_deref(), Some("crate::ExponentialBackoff::default"));
    }
}
