//! The address a request comes from, for rate limits: the TCP peer, or, when the peer is
//! a proxy we were told to trust, the last address it appended to `X-Forwarded-For`.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::peer::Peer;

/// Put into every request's extensions by [`record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Addresses or networks (`10.0.0.0/8`) whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks.
    pub fn parse(list: &str) -> anyhow::Result<Self> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((addr, bits)) => (addr, Some(bits)),
                None => (item, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| anyhow::anyhow!("{item} is not an IP address or network"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits: u8 = match bits {
                Some(bits) => bits.parse().ok().filter(|b| *b <= max),
                None => Some(max),
            }
            .ok_or_else(|| anyhow::anyhow!("{item} has an invalid prefix length"))?;
            // `::ffff:10.0.0.1/128` is the IPv4 address 10.0.0.1/32; peers are compared
            // in that form too.
            let (addr, bits) = match addr {
                IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => {
                    let bits = bits.checked_sub(96).ok_or_else(|| {
                        anyhow::anyhow!("{item}: an IPv4-mapped network needs a prefix of at least 96")
                    })?;
                    (canonical(addr), bits)
                }
                _ => (addr, bits),
            };
            nets.push((addr, bits));
        }
        Ok(Self(nets))
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, bits)| in_network(ip, *net, *bits))
    }

    /// The client behind `peer`: walks `X-Forwarded-For` from the right past trusted hops.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let hops = forwarded_for.unwrap_or_default().split(',').rev().map(str::trim);
        let mut client = peer;
        for hop in hops {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Middleware: stores the request's [`ClientIp`]. Without connection info (a router
/// driven in-process) the address is the unspecified one.
pub async fn record(
    State(proxies): State<std::sync::Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(peer)| peer.addr.ip());
    // Every `X-Forwarded-For` line, in order: a proxy may add its own line rather than
    // extend the client's.
    let lines: Vec<&str> =
        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let forwarded = (!lines.is_empty()).then(|| lines.join(","));
    let client = ClientIp(proxies.client(peer, forwarded.as_deref()));
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
        let header = Some("6.6.6.6, 203.0.113.7, 10.1.2.3");
        assert_eq!(proxies.client(ip("192.168.1.5"), header), ip("203.0.113.7"));
        assert_eq!(proxies.client(ip("10.9.9.9"), header), ip("203.0.113.7"));
        assert_eq!(proxies.client(ip("198.51.100.1"), header), ip("198.51.100.1"), "an untrusted peer");
        assert_eq!(proxies.client(ip("10.9.9.9"), None), ip("10.9.9.9"));
        assert_eq!(proxies.client(ip("10.9.9.9"), Some("garbage, 10.0.0.2")), ip("10.0.0.2"));
        assert_eq!(proxies.client(ip("::ffff:192.168.1.5"), Some("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), header), ip("127.0.0.1"));
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("nginx").is_err());
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
        assert!(TrustedProxies::parse("::1/128, 0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        let mapped = TrustedProxies::parse("::ffff:10.0.0.1").unwrap();
        assert!(mapped.contains(ip("10.0.0.1")) && !mapped.contains(ip("10.0.0.2")) && !mapped.contains(ip("8.8.8.8")));
        assert!(TrustedProxies::parse("::ffff:10.0.0.0/104").unwrap().contains(ip("10.9.9.9")));
        assert!(TrustedProxies::parse("::ffff:10.0.0.0/64").is_err());
    }
}
