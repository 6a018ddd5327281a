//! Writing the book: atomic replacement, changed bytes only, never outside the output folder.
