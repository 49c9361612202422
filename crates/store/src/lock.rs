//! One scan of a target at a time, across processes: an OS file lock (`flock`) per target in
//! the state directory. Taking it is one atomic call, and the kernel releases it when its holder
//! exits however it exits, so a killed process or a reused pid never leaves a target locked.
//! Two opens of one file conflict even within one process, so a scan and the recovery of
//! interrupted scans in the same daemon see each other too.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// The lock files of one state directory (`<dir>/locks/`).
#[derive(Debug, Clone)]
pub struct ScanLocks {
    dir: PathBuf,
}

/// A held lock on one target's scans; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct ScanLock {
    _file: File,
}

impl ScanLocks {
    /// The locks of the state directory holding `db` (the database file).
    pub fn beside(db: &Path) -> ScanLocks {
        ScanLocks {
            dir: db.parent().unwrap_or_else(|| Path::new(".")).join("locks"),
        }
    }

    fn path(&self, target: &str) -> PathBuf {
        // Target names may hold any character: the file is named by a readable part and a
        // hash of the whole name.
        let readable: String = target
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        self.dir.join(format!(
            "scan-{readable}-{:016x}.lock",
            fnv1a(target.as_bytes())
        ))
    }

    /// Takes the target's lock if no one holds it; `None` if someone does.
    pub fn try_lock(&self, target: &str) -> io::Result<Option<ScanLock>> {
        std::fs::create_dir_all(&self.dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(self.path(target))?;
        // SAFETY: flock(2) on a descriptor this function owns; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            return Ok(Some(ScanLock { _file: file }));
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            Ok(None)
        } else {
            Err(e)
        }
    }

    /// Whether some process (this one included) holds the target's lock now.
    pub fn is_held(&self, target: &str) -> bool {
        match self.try_lock(target) {
            Ok(Some(_released_at_once)) => false,
            Ok(None) => true,
            // Cannot tell: say held, so that a scan is never recorded failed by mistake.
            Err(_) => true,
        }
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = std::env::temp_dir().join(format!("driftd-locks-{}", std::process::id()));
        let locks = ScanLocks::beside(&dir.join("driftd.db"));
        let held = locks.try_lock("prod eu/1").unwrap().expect("free at first");
        assert!(locks.try_lock("prod eu/1").unwrap().is_none());
        assert!(locks.is_held("prod eu/1"));
        // Another target is another lock.
        assert!(locks.try_lock("prod eu/2").unwrap().is_some());
        drop(held);
        assert!(!locks.is_held("prod eu/1"));
        assert!(locks.try_lock("prod eu/1").unwrap().is_some());
        let _ = std::fs::remove_dir_all(dir);
    }
}
