//! Writing files so that a crash never leaves a torn one: the text goes to a temporary
//! file in the same directory, is flushed to disk, and replaces the target by a rename,
//! after which the directory entry is flushed too.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` atomically: after a crash the file holds either the old
/// content or the new, never a mixture, and once this returns the new content is on disk.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(directory)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    // The rename itself is durable only once the directory is.
    std::fs::File::open(directory)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary_behind() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("ledger.json");
        write_atomically(&path, b"a much longer first version").unwrap();
        write_atomically(&path, b"short").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "short");
        assert_eq!(std::fs::read_dir(directory.path()).unwrap().count(), 1);
    }
}
