#include "sala/key_offer.hpp"

#include <gtest/gtest.h>

namespace {
using sala::protocol::parse_key_offer;
using Json = nlohmann::json;

Json good() {
    return Json{{"suite", "AES_CM_128_HMAC_SHA1_80"},
                {"identity", std::string(64, 'a')},
                {"ephemeral", std::string(62, '0') + "Ff"},
                {"signature", std::string(128, '1')}};
}

TEST(KeyOffer, RoundTrips) {
    std::string problem;
    auto offer = parse_key_offer(good(), &problem);
    ASSERT_TRUE(offer) << problem;
    EXPECT_EQ(offer->ephemeral[31], 0xff);
    EXPECT_EQ(offer->identity[0], 0xaa);
    auto back = to_json(*offer);
    EXPECT_EQ(back["ephemeral"], std::string(62, '0') + "ff");
    EXPECT_EQ(parse_key_offer(back, &problem)->signature, offer->signature);
}

TEST(KeyOffer, RefusesWhatIsNotOne) {
    std::string problem;
    EXPECT_FALSE(parse_key_offer(Json::array(), &problem));
    for (const char* field : {"suite", "identity", "ephemeral", "signature"}) {
        Json missing = good();
        missing.erase(field);
        EXPECT_FALSE(parse_key_offer(missing, &problem)) << field;
        EXPECT_NE(problem.find(field), std::string::npos) << problem;
    }
    Json j = good();
    j["identity"] = std::string(62, 'a');
    EXPECT_FALSE(parse_key_offer(j, &problem));
    j = good();
    j["signature"] = std::string(127, '1') + "g";
    EXPECT_FALSE(parse_key_offer(j, &problem));
    j = good();
    j["suite"] = "aes cm";
    EXPECT_FALSE(parse_key_offer(j, &problem));
    j["suite"] = std::string(65, 'A');
    EXPECT_FALSE(parse_key_offer(j, &problem));
    j["suite"] = 3;
    EXPECT_FALSE(parse_key_offer(j, &problem));
}

}  // namespace
