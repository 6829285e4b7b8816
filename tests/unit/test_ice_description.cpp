#include "sala/ice_description.hpp"

#include <gtest/gtest.h>

namespace {
using namespace sala::protocol;
using Json = nlohmann::json;

TEST(IceDescription, ParsesAndRoundTrips) {
    Json value{{"ufrag", "F7gI"},
               {"pwd", "x9cml/YzichV2+XlhiMu8g"},
               {"candidates", {"candidate:1 1 UDP 2130706431 192.0.2.1 40000 typ host"}}};
    std::string problem;
    auto ice = parse_ice(value, &problem);
    ASSERT_TRUE(ice) << problem;
    EXPECT_EQ(ice->ufrag, "F7gI");
    EXPECT_EQ(ice->candidates.size(), 1u);
    EXPECT_EQ(to_json(*ice), value);
    auto bare = parse_ice(Json{{"ufrag", "F7gI"}, {"pwd", "x9cml/YzichV2+XlhiMu8g"}}, &problem);
    ASSERT_TRUE(bare) << problem;
    EXPECT_TRUE(bare->candidates.empty());
}

TEST(IceDescription, RefusesWhatIsNotOne) {
    const Json good{{"ufrag", "F7gI"}, {"pwd", "x9cml/YzichV2+XlhiMu8g"}, {"candidates", Json::array()}};
    for (Json bad : {Json(7), Json::array(), Json{{"ufrag", "F7gI"}}, Json{{"pwd", "x9cml/YzichV2+XlhiMu8g"}}}) {
        std::string problem;
        EXPECT_FALSE(parse_ice(bad, &problem)) << bad;
        EXPECT_FALSE(problem.empty());
    }
    auto with = [&](const char* field, Json value) {
        Json v = good;
        v[field] = std::move(value);
        std::string problem;
        return parse_ice(v, &problem).has_value();
    };
    EXPECT_FALSE(with("ufrag", "abc"));                                            // shorter than 4
    EXPECT_FALSE(with("ufrag", std::string(257, 'a')));                            // longer than 256
    EXPECT_FALSE(with("ufrag", "ab cd"));                                          // not an ICE character
    EXPECT_FALSE(with("pwd", "short"));                                            // shorter than 22
    EXPECT_FALSE(with("candidates", "candidate:1 1 udp 1 192.0.2.1 1 typ host"));  // not an array
    EXPECT_FALSE(with("candidates", Json::array({7})));
    EXPECT_FALSE(with("candidates",
                      Json(std::vector<std::string>(kMaxCandidates + 1, "candidate:1 1 udp 1 192.0.2.1 1 typ host"))));
    EXPECT_TRUE(
        with("candidates", Json(std::vector<std::string>(kMaxCandidates, "candidate:1 1 udp 1 192.0.2.1 1 typ host"))));
}

TEST(IceDescription, CandidateLines) {
    EXPECT_FALSE(candidate_problem("candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host"));
    EXPECT_FALSE(candidate_problem("candidate:2 1 tcp 1518280447 2001:db8::1 9 typ host tcptype active"));
    EXPECT_FALSE(
        candidate_problem("candidate:3 1 udp 16777215 203.0.113.9 50000 typ relay raddr 198.51.100.2 rport 1000"));
    EXPECT_TRUE(candidate_problem("1 1 udp 2130706431 192.0.2.1 40000 typ host"));        // no prefix
    EXPECT_TRUE(candidate_problem("candidate:1 1 udp 2130706431 192.0.2.1 40000 host"));  // no "typ"
    EXPECT_TRUE(candidate_problem("candidate:1 x udp 2130706431 192.0.2.1 40000 typ host"));
    EXPECT_TRUE(candidate_problem("candidate:1 1 udp 2130706431 192.0.2.1 70000 typ host"));
    EXPECT_TRUE(candidate_problem("candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host\n"));
    EXPECT_TRUE(candidate_problem("candidate:" + std::string(kMaxCandidateChars, '1')));
    EXPECT_EQ(candidate_address("candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host"), "192.0.2.1");
    EXPECT_EQ(candidate_address("candidate:2 1 udp 5 2001:db8::1 9 typ srflx raddr ::1 rport 9"), "2001:db8::1");
    EXPECT_FALSE(candidate_address("nonsense"));
}

}  // namespace
