//! Static files copied into every book: the stylesheet and anything else under `site/`.

use rust_embed::RustEmbed;

use crate::render::Site;

#[derive(RustEmbed)]
#[folder = "site/"]
struct Assets;

/// Adds every file of `site/` at the same path under the book root (`site/style.css` ->
/// `style.css`). Pages never share a name with an asset, so nothing is overwritten.
pub fn add(site: &mut Site) {
    for name in Assets::iter() {
        if let Some(file) = Assets::get(&name) {
            site.files.insert(name.to_string(), file.data.into_owned());
        }
    }
}

/// The paths [`add`] writes.
pub fn names() -> std::collections::BTreeSet<String> {
    Assets::iter().map(|name| name.to_string()).collect()
}
