#include "fetch/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace veille::fetch {
namespace {

bool InPrefix4(std::uint32_t address, std::uint32_t network, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (address & mask) == (network & mask);
}

std::uint32_t Embedded4(const std::array<std::uint8_t, 16>& a, int offset) {
  return (std::uint32_t{a[offset]} << 24) | (std::uint32_t{a[offset + 1]} << 16) |
         (std::uint32_t{a[offset + 2]} << 8) | std::uint32_t{a[offset + 3]};
}

bool AllZero(const std::array<std::uint8_t, 16>& a, int from, int to) {
  for (int i = from; i < to; ++i) {
    if (a[i] != 0) return false;
  }
  return true;
}

}  // namespace

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kCgnat:
      return "cgnat";
    case AddressClass::kUniqueLocal:
      return "unique-local";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      return "reserved";
    case AddressClass::kDocumentation:
      return "documentation";
    case AddressClass::kMappedIpv4:
      return "ipv4-mapped";
  }
  return "reserved";
}

AddressClass ClassifyIpv4(std::uint32_t a) {
  struct Range {
    std::uint32_t network;
    int bits;
    AddressClass cls;
  };
  static constexpr Range kRanges[] = {
      {0x00000000, 8, AddressClass::kUnspecified},     // 0.0.0.0/8 ("this network")
      {0x0a000000, 8, AddressClass::kPrivate},         // 10/8
      {0x64400000, 10, AddressClass::kCgnat},          // 100.64/10
      {0x7f000000, 8, AddressClass::kLoopback},        // 127/8
      {0xa9fe0000, 16, AddressClass::kLinkLocal},      // 169.254/16
      {0xac100000, 12, AddressClass::kPrivate},        // 172.16/12
      {0xc0000000, 24, AddressClass::kReserved},       // 192.0.0/24 (IETF protocol assignments)
      {0xc0000200, 24, AddressClass::kDocumentation},  // 192.0.2/24
      {0xc0586300, 24, AddressClass::kReserved},       // 192.88.99/24 (6to4 relay anycast)
      {0xc0a80000, 16, AddressClass::kPrivate},        // 192.168/16
      {0xc6120000, 15, AddressClass::kReserved},       // 198.18/15 (benchmarking)
      {0xc6336400, 24, AddressClass::kDocumentation},  // 198.51.100/24
      {0xcb007100, 24, AddressClass::kDocumentation},  // 203.0.113/24
      {0xe0000000, 4, AddressClass::kMulticast},       // 224/4
      {0xf0000000, 4, AddressClass::kReserved},        // 240/4 and 255.255.255.255
  };
  for (const Range& r : kRanges) {
    if (InPrefix4(a, r.network, r.bits)) return r.cls;
  }
  return AddressClass::kPublic;
}

AddressClass ClassifyIpv6(const std::array<std::uint8_t, 16>& a) {
  if (AllZero(a, 0, 10) && a[10] == 0xff && a[11] == 0xff) return AddressClass::kMappedIpv4;
  if (AllZero(a, 0, 12)) {
    if (AllZero(a, 12, 16)) return AddressClass::kUnspecified;
    if (AllZero(a, 12, 15) && a[15] == 1) return AddressClass::kLoopback;
    return AddressClass::kMappedIpv4;  // ::a.b.c.d, the deprecated IPv4-compatible form
  }
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local-use NAT64).
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) {
    if (AllZero(a, 4, 12)) return ClassifyIpv4(Embedded4(a, 12));
    if (a[4] == 0x00 && a[5] == 0x01) return AddressClass::kReserved;
  }
  if (a[0] == 0x20 && a[1] == 0x02) return ClassifyIpv4(Embedded4(a, 2));  // 6to4
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) {
    return AddressClass::kDocumentation;  // 2001:db8::/32
  }
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x00) {
    return AddressClass::kReserved;  // Teredo 2001::/32 tunnels to an embedded IPv4
  }
  if (a[0] == 0x01 && a[1] == 0x00 && AllZero(a, 2, 8)) return AddressClass::kReserved;  // 100::/64
  if ((a[0] & 0xfe) == 0xfc) return AddressClass::kUniqueLocal;                          // fc00::/7
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return AddressClass::kLinkLocal;    // fe80::/10
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return AddressClass::kUniqueLocal;  // fec0::/10
  if (a[0] == 0xff) return AddressClass::kMulticast;                             // ff00::/8
  return AddressClass::kPublic;
}

std::optional<AddressClass> ClassifyAddressLiteral(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string s(text);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return ClassifyIpv4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &v6, 16);
    return ClassifyIpv6(bytes);
  }
  return std::nullopt;
}

std::optional<AddressClass> ClassifySockaddr(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    return ClassifyIpv4(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return ClassifyIpv6(bytes);
  }
  return std::nullopt;
}

std::string SockaddrToHostPort(const sockaddr* address) {
  if (address == nullptr) return {};
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in.sin_port));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    // Appended piece by piece: gcc 12 at -O3 warns (-Wrestrict) on "[" + std::string(...).
    std::string out = "[";
    out.append(text);
    out.append("]:");
    out.append(std::to_string(ntohs(in6.sin6_port)));
    return out;
  }
  return {};
}

}  // namespace veille::fetch
