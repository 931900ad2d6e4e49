// Readable descriptions of domain values, for test failure messages.
//
// GoogleTest finds PrintTo by argument-dependent lookup, so failed EXPECT_EQ on events,
// rejections and states print "member.role_changed{user=bob from=Editor to=Manager}" instead of
// raw bytes. Test-only code: not part of roster_domain.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "domain/error.h"
#include "domain/events.h"

namespace roster::domain {

std::string Describe(const Event& event);
std::string Describe(const std::vector<Event>& events);  // one per line
std::string Describe(const Rejection& rejection);

void PrintTo(const Event& event, std::ostream* os);
void PrintTo(const Rejection& rejection, std::ostream* os);

}  // namespace roster::domain
