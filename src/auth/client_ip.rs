//! The client's network address, for throttling and the audit log: the TCP peer, or, when that
//! peer is one of the operator's proxies (`TRUSTED_PROXIES`), the address the proxies forwarded.
//!
//! A proxy appends the address it saw to `X-Forwarded-For` (or `Forwarded`), after whatever the
//! client sent. So the chain is read from the right: every hop that is itself a trusted proxy is
//! skipped, and the first address that is not one is the client. Whatever a client writes into
//! the header lies to the left of that and is never read. Only the one header the proxy writes
//! (`TRUSTED_PROXY_HEADER`) is read: most proxies pass the other one on untouched, so a client
//! could choose its own address with it.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The addresses and ranges of the reverse proxies in front of the application. Empty (the
/// default): the TCP peer is the client and forwarding headers are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and CIDR ranges separated by commas or spaces:
    /// `10.0.0.0/8, 192.168.1.10, fd00::/8`. The message says which entry is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(|item| {
                let net = if item.contains('/') {
                    IpNet::from_str(item).ok().map(|net| net.trunc())
                } else {
                    IpAddr::from_str(item).ok().map(IpNet::from)
                };
                net.ok_or_else(|| {
                    format!("'{item}' is geen IP-adres of bereik zoals 10.0.0.0/8 of fd00::/8")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the proxies (an IPv4 address in IPv6 form counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The header the trusted proxies write the client's address into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1` (the default; nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for="[2001:db8::1]:4711"` (RFC 7239).
    Forwarded,
}

impl ProxyHeader {
    /// `X-Forwarded-For` or `Forwarded`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(Self::XForwardedFor),
            "forwarded" => Some(Self::Forwarded),
            _ => None,
        }
    }
}

/// The client's address for a request that arrived from `peer` with `headers`.
pub fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
    header: ProxyHeader,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let hops = match header {
        ProxyHeader::XForwardedFor => x_forwarded_for(headers),
        ProxyHeader::Forwarded => forwarded(headers),
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        // A hop that is not an address (`unknown`, garbage): the last address we know is as
        // close to the client as we can tell.
        let Some(ip) = hop else { break };
        client = ip.to_canonical();
        if !trusted.contains(client) {
            break;
        }
    }
    client
}

/// The hops of every `X-Forwarded-For` line, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(node).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` of every element of every `Forwarded` line, in order.
fn forwarded(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text
                .split(',')
                .map(|element| {
                    element
                        .split(';')
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                        .and_then(|(_, value)| node(value))
                })
                .collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, quoted or not.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = IpAddr::from_str(text) {
        return Some(ip);
    }
    if let Ok(address) = SocketAddr::from_str(text) {
        return Some(address.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| Ipv6Addr::from_str(inner).ok())
        .map(IpAddr::V6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn proxies(text: &str) -> TrustedProxies {
        TrustedProxies::parse(text).unwrap()
    }

    #[test]
    fn trusted_proxies_are_addresses_and_ranges_and_anything_else_is_refused() {
        let trusted = proxies("10.0.0.0/8, 192.168.1.10  fd00::/8,::1");
        assert!(trusted.contains(ip("10.1.2.3")));
        assert!(trusted.contains(ip("192.168.1.10")));
        assert!(!trusted.contains(ip("192.168.1.11")));
        assert!(trusted.contains(ip("fd12::1")));
        assert!(trusted.contains(ip("::1")));
        assert!(
            trusted.contains(ip("::ffff:10.0.0.1")),
            "IPv4 written as IPv6"
        );
        assert!(proxies("").is_empty());
        assert!(proxies(" , ").is_empty());
        for bad in [
            "proxy.example",
            "10.0.0.0/33",
            "10.0.0",
            "10.0.0.1/8/1",
            "*",
        ] {
            let message = TrustedProxies::parse(bad).unwrap_err();
            assert!(message.contains(bad), "{bad}: {message}");
        }
    }

    #[test]
    fn forwarding_headers_from_a_peer_that_is_not_a_trusted_proxy_are_ignored() {
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("forwarded", "for=203.0.113.7"),
        ]);
        for header in [ProxyHeader::XForwardedFor, ProxyHeader::Forwarded] {
            // No proxies configured (the default).
            assert_eq!(
                client_ip(
                    ip("198.51.100.1"),
                    &spoofed,
                    &TrustedProxies::default(),
                    header
                ),
                ip("198.51.100.1")
            );
            // Proxies configured, but this peer is not one of them.
            assert_eq!(
                client_ip(ip("198.51.100.1"), &spoofed, &proxies("10.0.0.0/8"), header),
                ip("198.51.100.1")
            );
        }
    }

    #[test]
    fn the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy() {
        let trusted = proxies("10.0.0.0/8");
        let xff = ProxyHeader::XForwardedFor;
        let cases: [(&[(&str, &str)], &str); 7] = [
            // What the client wrote itself is to the left of what the proxy saw.
            (
                &[("x-forwarded-for", "1.2.3.4, 203.0.113.7")],
                "203.0.113.7",
            ),
            // Two proxies: the inner one is skipped.
            (
                &[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.2")],
                "203.0.113.7",
            ),
            // The same over several header lines.
            (
                &[
                    ("x-forwarded-for", "1.2.3.4"),
                    ("x-forwarded-for", "203.0.113.7"),
                ],
                "203.0.113.7",
            ),
            // No header: the proxy itself (a health check).
            (&[], "10.0.0.1"),
            // Only proxies: the leftmost one.
            (&[("x-forwarded-for", "10.0.0.3, 10.0.0.2")], "10.0.0.3"),
            // Garbage where the client should be: the nearest known address.
            (&[("x-forwarded-for", "1.2.3.4, unknown")], "10.0.0.1"),
            // Ports and IPv6 written the usual ways.
            (&[("x-forwarded-for", "[2001:db8::7]:4711")], "2001:db8::7"),
        ];
        for (pairs, expected) in cases {
            let map = headers(pairs);
            assert_eq!(
                client_ip(ip("10.0.0.1"), &map, &trusted, xff),
                ip(expected),
                "{pairs:?}"
            );
        }
        // The other header is not read at all.
        let map = headers(&[("forwarded", "for=203.0.113.7")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &map, &trusted, xff),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_forwarded_header_is_read_with_quotes_ports_and_ipv6() {
        let trusted = proxies("10.0.0.0/8");
        let map = headers(&[
            ("forwarded", "for=1.2.3.4;proto=https"),
            (
                "forwarded",
                "For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1, for=10.0.0.9",
            ),
            ("x-forwarded-for", "192.0.2.99"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &map, &trusted, ProxyHeader::Forwarded),
            ip("2001:db8:cafe::17")
        );
        let map = headers(&[("forwarded", "for=\"198.51.100.5:80\"")]);
        assert_eq!(
            client_ip(
                ip("::ffff:10.0.0.1"),
                &map,
                &trusted,
                ProxyHeader::Forwarded
            ),
            ip("198.51.100.5"),
            "a proxy seen as an IPv4-mapped IPv6 peer is still trusted"
        );
        let map = headers(&[("forwarded", "for=_hidden, for=10.0.0.4")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &map, &trusted, ProxyHeader::Forwarded),
            ip("10.0.0.4"),
            "an obfuscated hop stops the walk"
        );
    }

    #[test]
    fn the_proxy_header_setting_names_one_of_two_headers() {
        assert_eq!(
            ProxyHeader::parse("X-Forwarded-For"),
            Some(ProxyHeader::XForwardedFor)
        );
        assert_eq!(
            ProxyHeader::parse("forwarded"),
            Some(ProxyHeader::Forwarded)
        );
        assert_eq!(ProxyHeader::parse("x-real-ip"), None);
    }
}
