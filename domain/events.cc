#include "domain/events.h"

namespace roster::domain {

std::string_view ProjectRemovalReasonName(ProjectRemovalReason r) {
  switch (r) {
    case ProjectRemovalReason::kDirect:
      return "direct";
    case ProjectRemovalReason::kOrgRemoval:
      return "org_removal";
    case ProjectRemovalReason::kOrgLeft:
      return "org_left";
    case ProjectRemovalReason::kProjectDeleted:
      return "project_deleted";
  }
  return "direct";
}

}  // namespace roster::domain
