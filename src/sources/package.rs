//! Which npm package a script or source file belongs to: the one under the last
//! `node_modules/` of its path (`@scope/name` or `name`); none for the application's own code.

/// The package of `path`, a file path or URL (`webpack://app/node_modules/x/…` too).
pub fn package_of(path: &str) -> Option<&str> {
    let at = path
        .rfind("node_modules/")
        .or_else(|| path.rfind("node_modules\\"))?;
    let rest = &path[at + "node_modules/".len()..];
    let mut parts = rest.splitn(3, ['/', '\\']);
    let first = parts.next().filter(|p| !p.is_empty())?;
    let len = if first.starts_with('@') {
        let second = parts.next().filter(|p| !p.is_empty())?;
        first.len() + 1 + second.len()
    } else {
        first.len()
    };
    // A file right under node_modules (`node_modules/.vite/deps/x.js`) is no package.
    (len < rest.len() && !first.starts_with('.')).then(|| &rest[..len])
}

#[cfg(test)]
mod tests {
    use super::package_of;

    #[test]
    fn packages_are_named_by_their_folder() {
        assert_eq!(
            package_of("/srv/node_modules/ajv/dist/core.js"),
            Some("ajv")
        );
        assert_eq!(
            package_of("/srv/node_modules/a/node_modules/@x/y/lib/i.js"),
            Some("@x/y")
        );
        assert_eq!(
            package_of("webpack://shop/./node_modules/lodash/memoize.js"),
            Some("lodash")
        );
        assert_eq!(
            package_of("C:\\app\\node_modules\\rxjs\\a.js"),
            Some("rxjs")
        );
        assert_eq!(package_of("/srv/src/app.ts"), None);
        assert_eq!(package_of("/srv/node_modules/.vite/deps/x.js"), None);
        assert_eq!(package_of("/srv/node_modules/lonely"), None);
    }
}
