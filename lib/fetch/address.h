// Classification of IP addresses for the SSRF guard: which destinations a feed may never reach.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace veille::fetch {

enum class AddressClass {
  kPublic,         // globally routable: allowed
  kUnspecified,    // 0.0.0.0/8, ::
  kLoopback,       // 127.0.0.0/8, ::1
  kPrivate,        // RFC 1918: 10/8, 172.16/12, 192.168/16
  kLinkLocal,      // 169.254/16 (cloud metadata), fe80::/10
  kCgnat,          // 100.64.0.0/10 (RFC 6598)
  kUniqueLocal,    // fc00::/7, fec0::/10 (deprecated site-local)
  kMulticast,      // 224/4, ff00::/8
  kReserved,       // 240/4, 255.255.255.255, 192.0.0/24, 198.18/15, 100::/64, Teredo 2001::/32
  kDocumentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32
  kMappedIpv4,     // ::ffff:0:0/96 and the deprecated ::/96 IPv4-compatible form
};

// "public", "unspecified", "loopback", "private", "link-local", "cgnat", "unique-local",
// "multicast", "reserved", "documentation", "ipv4-mapped".
std::string_view AddressClassName(AddressClass c);

// `address` in host byte order (127.0.0.1 is 0x7f000001).
AddressClass ClassifyIpv4(std::uint32_t address);

// 16 bytes in network order. NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are classified by the
// IPv4 address they embed; IPv4-mapped addresses are always refused (kMappedIpv4).
AddressClass ClassifyIpv6(const std::array<std::uint8_t, 16>& address);

// Strict numeric literal ("10.0.0.1", "::1", "[::1]"); nullopt when `text` is not one.
std::optional<AddressClass> ClassifyAddressLiteral(std::string_view text);

// An AF_INET or AF_INET6 socket address. nullopt for any other family.
std::optional<AddressClass> ClassifySockaddr(const sockaddr* address);

// "10.0.0.1:80" or "[::1]:8080" for an AF_INET / AF_INET6 address; empty for other families.
std::string SockaddrToHostPort(const sockaddr* address);

}  // namespace veille::fetch
