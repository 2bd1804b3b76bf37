//! Process limits a server with thousands of sockets needs.

/// Raises the soft limit on open files towards `wanted` (at most the hard limit) and
/// returns the limit now in force. Every WebSocket holds a descriptor, and the default
/// soft limit on many systems is 1024.
pub fn raise_fd_limit(wanted: u64) -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < wanted {
            let raised = libc::rlimit { rlim_cur: wanted.min(limit.rlim_max), rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    limit.rlim_cur
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_never_goes_down_and_reaches_what_the_hard_limit_allows() {
        let before = super::raise_fd_limit(0);
        let after = super::raise_fd_limit(before + 16);
        assert!(after >= before);
    }
}
