#include "fetch/address.h"

#include <gtest/gtest.h>

namespace veille::fetch {
namespace {

TEST(AddressTest, ClassifiesEveryForbiddenIpv4Range) {
  const std::pair<const char*, AddressClass> cases[] = {
      {"0.0.0.0", AddressClass::kUnspecified},       {"0.1.2.3", AddressClass::kUnspecified},
      {"10.0.0.1", AddressClass::kPrivate},          {"10.255.255.255", AddressClass::kPrivate},
      {"100.64.0.1", AddressClass::kCgnat},          {"100.127.255.254", AddressClass::kCgnat},
      {"127.0.0.1", AddressClass::kLoopback},        {"127.0.0.2", AddressClass::kLoopback},
      {"169.254.169.254", AddressClass::kLinkLocal}, {"172.16.0.1", AddressClass::kPrivate},
      {"172.31.255.255", AddressClass::kPrivate},    {"192.168.1.1", AddressClass::kPrivate},
      {"192.0.0.8", AddressClass::kReserved},        {"192.0.2.1", AddressClass::kDocumentation},
      {"198.18.0.1", AddressClass::kReserved},       {"198.51.100.7", AddressClass::kDocumentation},
      {"203.0.113.9", AddressClass::kDocumentation}, {"224.0.0.1", AddressClass::kMulticast},
      {"239.255.255.250", AddressClass::kMulticast}, {"240.0.0.1", AddressClass::kReserved},
      {"255.255.255.255", AddressClass::kReserved},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(ClassifyAddressLiteral(text), expected) << text;
  }
}

TEST(AddressTest, PublicIpv4NeighboursOfForbiddenRangesArePublic) {
  for (const char* text : {"1.1.1.1", "8.8.8.8", "11.0.0.1", "100.63.255.255", "100.128.0.1",
                           "126.255.255.255", "128.0.0.1", "172.15.255.255", "172.32.0.1",
                           "169.253.0.1", "192.167.0.1", "192.169.0.1", "223.255.255.255"}) {
    EXPECT_EQ(ClassifyAddressLiteral(text), AddressClass::kPublic) << text;
  }
}

TEST(AddressTest, ClassifiesIpv6IncludingEveryIpv4Disguise) {
  const std::pair<const char*, AddressClass> cases[] = {
      {"::", AddressClass::kUnspecified},
      {"::1", AddressClass::kLoopback},
      {"[::1]", AddressClass::kLoopback},
      {"::ffff:127.0.0.1", AddressClass::kMappedIpv4},
      {"::ffff:7f00:1", AddressClass::kMappedIpv4},
      {"::ffff:8.8.8.8", AddressClass::kMappedIpv4},  // mapped is refused outright
      {"::127.0.0.1", AddressClass::kMappedIpv4},
      {"64:ff9b::a00:1", AddressClass::kPrivate},   // NAT64 of 10.0.0.1
      {"64:ff9b::808:808", AddressClass::kPublic},  // NAT64 of 8.8.8.8
      {"2002:7f00:1::", AddressClass::kLoopback},   // 6to4 of 127.0.0.1
      {"fc00::1", AddressClass::kUniqueLocal},
      {"fd12:3456::1", AddressClass::kUniqueLocal},
      {"fe80::1", AddressClass::kLinkLocal},
      {"febf::1", AddressClass::kLinkLocal},
      {"fec0::1", AddressClass::kUniqueLocal},
      {"ff02::1", AddressClass::kMulticast},
      {"2001:db8::1", AddressClass::kDocumentation},
      {"2001::1", AddressClass::kReserved},
      {"100::1", AddressClass::kReserved},
      {"2606:4700::1111", AddressClass::kPublic},
      {"2a00:1450:4007::200e", AddressClass::kPublic},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(ClassifyAddressLiteral(text), expected) << text;
  }
}

TEST(AddressTest, NonNumericTextIsNotAnAddress) {
  // Odd IPv4 spellings (0x7f.1, 2130706433) are resolved by libcurl into real addresses and
  // checked at connect time; as literals here they are simply not strict addresses.
  for (const char* text : {"", "localhost", "0x7f.1", "2130706433", "127.1", "1.2.3.4.5", "[::1"}) {
    EXPECT_FALSE(ClassifyAddressLiteral(text).has_value()) << text;
  }
}

TEST(AddressTest, NamesEveryClass) {
  EXPECT_EQ(AddressClassName(AddressClass::kLoopback), "loopback");
  EXPECT_EQ(AddressClassName(AddressClass::kCgnat), "cgnat");
  EXPECT_EQ(AddressClassName(AddressClass::kMappedIpv4), "ipv4-mapped");
  EXPECT_EQ(AddressClassName(AddressClass::kPublic), "public");
}

}  // namespace
}  // namespace veille::fetch
