// How each membership event reads in the compliance activity log: whom or what it is about
// (subject), the project if any, and the value before and after. Pure function.
#pragma once

#include <string>

#include "domain/events.h"

namespace roster::projections {

struct EventFacts {
  std::string subject;  // a user id, an email (invitations), a role, project, key or resource id
  std::string project;
  std::string before;
  std::string after;
  // A second user the action is about: ownership.transferred's previous owner (the subject is
  // the new one). Filtering the activity log by either user finds the entry.
  std::string also_subject;
};

// False for events that are not membership actions (logins and last-active marks).
bool DescribeEvent(const domain::Event& event, const std::string& org, EventFacts* facts);

// Just the subject of DescribeEvent, without building the rest (indexing needs only this):
// a view into `event` or `org`; empty for events that are not membership actions.
std::string_view SubjectOf(const domain::Event& event, const std::string& org);
// Just the also_subject of DescribeEvent; empty for most events.
std::string_view AlsoSubjectOf(const domain::Event& event);

}  // namespace roster::projections
