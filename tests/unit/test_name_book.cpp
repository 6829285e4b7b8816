// NameBook: names bound to identity keys in memory, what it journals, and expiry.
#include <gtest/gtest.h>

#include <vector>

#include "name_book.hpp"

namespace {
using sala::server::IdentityKey;
using sala::server::NameBook;
using sala::server::NameChange;

IdentityKey key(std::uint8_t byte) {
    IdentityKey k{};
    k.fill(byte);
    return k;
}

TEST(NameBook, BindsTouchesAndReleasesThroughTheJournal) {
    std::vector<NameChange> journal;
    NameBook book([&](const NameChange& change) {
        journal.push_back(change);
        return true;
    });
    ASSERT_TRUE(book.bind("alice", key(1), 100));
    ASSERT_NE(book.find("alice"), nullptr);
    EXPECT_EQ(book.find("alice")->identity, key(1));
    book.touch("alice", 100);  // the same second: nothing to write
    book.touch("alice", 160);
    book.touch("bob", 170);  // not bound: nothing
    EXPECT_EQ(book.find("alice")->last_used, 160);
    EXPECT_TRUE(book.release("alice"));
    EXPECT_FALSE(book.release("alice"));
    ASSERT_EQ(journal.size(), 3u);
    EXPECT_EQ(journal[0].binding->last_used, 100);
    EXPECT_EQ(journal[1].binding->last_used, 160);
    EXPECT_FALSE(journal[2].binding);
    EXPECT_EQ(book.find("alice"), nullptr);
}

TEST(NameBook, ABindingTheJournalCannotTakeIsNotMade) {
    NameBook book([](const NameChange&) { return false; });
    EXPECT_FALSE(book.bind("alice", key(1), 100));
    EXPECT_EQ(book.find("alice"), nullptr);
    book.load("bob", {key(2), 50});  // loaded at start: not journaled
    EXPECT_EQ(book.size(), 1u);
}

TEST(NameBook, ExpiryFreesOnlyUnusedNamesNobodyHolds) {
    std::vector<NameChange> journal;
    NameBook book([&](const NameChange& change) {
        journal.push_back(change);
        return true;
    });
    book.load("old", {key(1), 10});
    book.load("online", {key(2), 10});
    book.load("recent", {key(3), 500});
    auto freed = book.expire(100, [](const std::string& name) { return name == "online"; });
    ASSERT_EQ(freed, std::vector<std::string>{"old"});
    EXPECT_EQ(book.find("old"), nullptr);
    EXPECT_NE(book.find("online"), nullptr);
    EXPECT_NE(book.find("recent"), nullptr);
    ASSERT_EQ(journal.size(), 1u);
    EXPECT_EQ(journal[0].key, "old");
    EXPECT_FALSE(journal[0].binding);
}

}  // namespace
