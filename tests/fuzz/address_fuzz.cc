// libFuzzer target: the SSRF address classifier and URL checks (lib/fetch/address.h,
// lib/fetch/url_check.h) on arbitrary bytes.
// Properties beyond "no crash": the literal parser agrees with inet_pton whenever both accept
// the text; an IPv4-mapped IPv6 address is always refused; a sockaddr is classified like its
// bytes; a header value with CR, LF or NUL is always refused; a file path never contains NUL.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fetch/address.h"
#include "fetch/url_check.h"

using veille::fetch::AddressClass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string z(text);  // NUL-terminated copy for inet_pton

  const auto literal = veille::fetch::ClassifyAddressLiteral(text);
  in_addr v4{};
  in6_addr v6{};
  if (z.size() == std::strlen(z.c_str())) {
    if (inet_pton(AF_INET, z.c_str(), &v4) == 1 && literal &&
        *literal != veille::fetch::ClassifyIpv4(ntohl(v4.s_addr))) {
      __builtin_trap();
    }
    if (inet_pton(AF_INET6, z.c_str(), &v6) == 1 && literal) {
      std::array<std::uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), v6.s6_addr, 16);
      if (*literal != veille::fetch::ClassifyIpv6(bytes)) __builtin_trap();
    }
  }

  if (size >= 16) {
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), data, 16);
    const AddressClass c6 = veille::fetch::ClassifyIpv6(bytes);
    (void)veille::fetch::AddressClassName(c6);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    std::memset(bytes.data(), 0, 10);
    if (veille::fetch::ClassifyIpv6(bytes) != AddressClass::kMappedIpv4) __builtin_trap();

    sockaddr_in6 sa6{};
    sa6.sin6_family = AF_INET6;
    std::memcpy(sa6.sin6_addr.s6_addr, data, 16);
    std::memcpy(bytes.data(), data, 16);
    const auto via_sockaddr = veille::fetch::ClassifySockaddr(reinterpret_cast<sockaddr*>(&sa6));
    if (!via_sockaddr || *via_sockaddr != veille::fetch::ClassifyIpv6(bytes)) __builtin_trap();
    (void)veille::fetch::SockaddrToHostPort(reinterpret_cast<sockaddr*>(&sa6));
  }
  if (size >= 4) {
    std::uint32_t host = 0;
    std::memcpy(&host, data, 4);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(host);
    const auto via_sockaddr = veille::fetch::ClassifySockaddr(reinterpret_cast<sockaddr*>(&sa));
    if (!via_sockaddr || *via_sockaddr != veille::fetch::ClassifyIpv4(host)) __builtin_trap();
    (void)veille::fetch::SockaddrToHostPort(reinterpret_cast<sockaddr*>(&sa));
  }

  (void)veille::fetch::SchemeOf(text);
  if (const auto path = veille::fetch::FilePathFromUrl(text)) {
    // A path given to open(2) never holds NUL, raw or escaped (a raw one was a fuzz finding).
    if (path->find('\0') != std::string::npos || text.find('\0') != std::string_view::npos) {
      __builtin_trap();
    }
  }
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  const std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  const bool bad_value =
      value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
  if (bad_value && !veille::fetch::HeaderProblem(name, value)) __builtin_trap();
  (void)veille::fetch::BodyFingerprint(text);
  return 0;
}
