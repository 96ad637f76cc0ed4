//! The files of attachments on disk: an upload streams into a temporary file in
//! `Config::incoming_dir()` ([`Receiving`] → [`TempUpload`], its checksum computed on the way),
//! is checked there ([`CheckedFile`]), then moved under a generated name into
//! `Config::upload_dir()` ([`TempUpload::store`]). A refused or abandoned upload leaves nothing
//! behind: a [`TempUpload`] removes its file when dropped.
//!
//! Below the web layer and the use-case layer alike: the commands of [`crate::app::attachments`]
//! store and remove files, the adapters only receive them ([`crate::upload`]).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::attachments::{FileType, NotAccepted, sniff};

/// A file that passed every check: the name to show, its type by content and the content.
pub struct CheckedFile {
    pub name: String,
    pub file_type: FileType,
    pub content: TempUpload,
}

/// An upload's content in a temporary file in `Config::incoming_dir()`, written as it streamed
/// in; the file is removed when this is dropped, unless [`TempUpload::store`] moved it.
pub struct TempUpload {
    path: PathBuf,
    pub size: usize,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

impl TempUpload {
    /// A temporary upload already written at `path` (for tests and tools).
    pub fn at(path: PathBuf, size: usize, sha256: String) -> Self {
        Self { path, size, sha256 }
    }

    /// Moves the file to `dir/name`: a rename on the same disk, else a copy through a
    /// temporary name, so the final name only ever holds a complete file.
    pub async fn store(&self, dir: &Path, name: &str) -> std::io::Result<()> {
        tokio::fs::create_dir_all(dir).await?;
        let target = dir.join(name);
        if tokio::fs::rename(&self.path, &target).await.is_ok() {
            return Ok(());
        }
        let part = dir.join(format!(".{name}.part"));
        let copied = async {
            tokio::fs::copy(&self.path, &part).await?;
            tokio::fs::File::open(&part).await?.sync_all().await?;
            tokio::fs::rename(&part, &target).await
        }
        .await;
        if copied.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        copied
    }

    /// The content's type, read from the file ([`sniff`]); a file that cannot be read is not
    /// accepted.
    pub async fn sniff(&self) -> Result<FileType, NotAccepted> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(path).map_err(|_| NotAccepted::UnknownType)?;
            sniff(std::io::BufReader::new(file))
        })
        .await
        .unwrap_or(Err(NotAccepted::UnknownType))
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::error!(error = %err, path = %self.path.display(), "could not remove a temporary upload");
            }
        }
    }
}

/// Temporary uploads older than this are left over from a stopped server.
const STALE_INCOMING: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Removes temporary uploads a stopped server left behind in `dir` (older than a day, so the
/// uploads of another instance on the same data directory stay).
pub fn remove_stale_incoming(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > STALE_INCOMING);
        if stale && entry.file_name().to_string_lossy().ends_with(".part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Where a file being received is written, and what is known of it so far.
pub struct Receiving {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    hasher: Sha256,
    size: usize,
}

impl Receiving {
    pub async fn start(dir: &Path) -> std::io::Result<Self> {
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await?;
        Ok(Self {
            file: Some(file),
            path,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// The bytes received so far (also those beyond the limit).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Writes `chunk` while the file is within `max`; beyond, the file is dropped and only
    /// the size is still counted.
    pub async fn write(&mut self, chunk: &[u8], max: usize) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        self.size = self.size.saturating_add(chunk.len());
        if self.size > max {
            if self.file.take().is_some() {
                let _ = tokio::fs::remove_file(&self.path).await;
            }
            return Ok(());
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk).await?;
            self.hasher.update(chunk);
        }
        Ok(())
    }

    /// The received content, synced to disk; `None` when it went beyond the limit.
    pub async fn finish(self) -> std::io::Result<Option<TempUpload>> {
        use tokio::io::AsyncWriteExt;
        let Some(mut file) = self.file else {
            return Ok(None);
        };
        let upload = TempUpload {
            path: self.path,
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        };
        file.flush().await?;
        file.sync_all().await?;
        Ok(Some(upload))
    }
}

/// Where a stored file lives. Stored names are generated (hex), so anything else in the
/// database is refused rather than joined into a path.
pub fn stored_path(dir: &Path, stored_name: &str) -> anyhow::Result<PathBuf> {
    if stored_name.is_empty() || !stored_name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        anyhow::bail!("unexpected stored attachment name {stored_name:?}");
    }
    Ok(dir.join(stored_name))
}

/// A new generated name to store a file under.
pub fn new_stored_name() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Removes a stored file; a failure leaves an orphan file behind, which is logged.
pub async fn remove_file(dir: &Path, stored_name: &str) {
    let Ok(path) = stored_path(dir, stored_name) else {
        return;
    };
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            tracing::error!(error = %err, path = %path.display(), "could not remove an attachment file");
        }
    }
}

/// Reads stored file `stored_name` in `dir` and checks it against its checksum `sha256`.
pub async fn read_checked(dir: &Path, stored_name: &str, sha256: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    let path = stored_path(dir, stored_name)?;
    let data = tokio::fs::read(&path)
        .await
        .with_context(|| format!("no readable file {}", path.display()))?;
    if hex::encode(Sha256::digest(&data)) != sha256 {
        anyhow::bail!("{} does not match its checksum", path.display());
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_are_joined_into_a_path() {
        let dir = Path::new("/srv/uploads");
        assert!(stored_path(dir, "0123abcd").is_ok());
        assert!(stored_path(dir, "../geheim").is_err());
        assert!(stored_path(dir, "").is_err());
    }

    #[tokio::test]
    async fn a_stored_upload_is_moved_whole_under_its_new_name() {
        let incoming = tempfile::tempdir().unwrap();
        let uploads = tempfile::tempdir().unwrap();
        let data = b"%PDF-1.4 inhoud";
        let path = incoming.path().join("x.part");
        std::fs::write(&path, data).unwrap();
        let content = TempUpload::at(path, data.len(), hex::encode(Sha256::digest(data)));
        content.store(uploads.path(), "abc123").await.unwrap();
        drop(content);
        assert_eq!(std::fs::read(uploads.path().join("abc123")).unwrap(), data);
        assert_eq!(std::fs::read_dir(incoming.path()).unwrap().count(), 0);
    }
}
