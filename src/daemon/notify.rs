//! The systemd notify protocol (sd_notify): datagrams of `KEY=VALUE` lines sent to the socket in
//! `$NOTIFY_SOCKET`. Without that variable (not under systemd) every call does nothing.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

fn send(state: &str) -> bool {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return false;
    };
    let Ok(sock) = UnixDatagram::unbound() else {
        return false;
    };
    // Called from async tasks: a receiver that stops reading (its queue full) must cost one lost
    // datagram, never a blocked runtime worker (both workers blocked here stopped the scheduler
    // and SIGTERM handling).
    if sock.set_nonblocking(true).is_err() {
        return false;
    }
    let path = path.to_string_lossy().into_owned();
    let sent = if let Some(name) = path.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
            .and_then(|addr| sock.send_to_addr(state.as_bytes(), &addr))
    } else {
        sock.send_to(state.as_bytes(), &path)
    };
    match &sent {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            tracing::debug!("systemd's notify socket is full; message dropped")
        }
        Err(e) => tracing::warn!(error = %e, "cannot notify systemd"),
        Ok(_) => {}
    }
    sent.is_ok()
}

/// Microseconds of CLOCK_MONOTONIC, which `RELOADING=1` carries.
fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; CLOCK_MONOTONIC always exists on Linux.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}

pub fn ready(status: &str) {
    send(&format!("READY=1\nSTATUS={status}"));
}

pub fn reloading() {
    send(&format!("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
}

pub fn stopping() {
    send("STOPPING=1");
}

pub fn status(status: &str) {
    send(&format!("STATUS={status}"));
}

pub fn watchdog() {
    send("WATCHDOG=1");
}

/// Half the watchdog period systemd asked for (`$WATCHDOG_USEC`, for this process), if any.
pub fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Some(pid) = std::env::var("WATCHDOG_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
    {
        if pid != std::process::id() {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}
