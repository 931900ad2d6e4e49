// The Admin webhook requests: protocol <-> api/webhooks.
#include "api/dispatch/dispatcher.h"
#include "eventstore/codec/text.h"

namespace roster::api::dispatch {
namespace {

using eventstore::codec::Str;

void SetWebhookInfo(wire::WebhookInfo::Builder out, const webhooks::EndpointView& v) {
  const webhooks::Endpoint& e = v.endpoint;
  out.setId(e.id);
  out.setUrl(e.url);
  out.setOrg(e.org);
  auto types = out.initEventTypes(static_cast<unsigned>(e.event_types.size()));
  for (unsigned i = 0; i < types.size(); ++i) types.set(i, e.event_types[i]);
  out.setSecret(e.secret);
  out.setCreatedUs(e.created_us);
  out.setStartAfter(e.start_after);
  out.setCursor(v.cursor);
  out.setState(v.state);
  out.setPending(v.pending);
  out.setFailedAttempts(v.failed_attempts);
  out.setNextRetryUs(v.next_retry_us);
  out.setLastError(v.last_error);
}

}  // namespace

void Dispatcher::HandleWebhooks(wire::Admin::Reader admin, wire::Response::Builder response) {
  if (webhooks_ == nullptr) {
    SetError(response, "FAILED_PRECONDITION", "this server does not run webhooks");
    return;
  }
  switch (admin.which()) {
    case wire::Admin::REGISTER_WEBHOOK: {
      auto req = admin.getRegisterWebhook();
      webhooks::RegisterRequest r;
      r.url = Str(req.getUrl());
      r.org = Str(req.getOrg());
      for (auto type : req.getEventTypes()) r.event_types.push_back(Str(type));
      r.from_position = req.getFromPosition();
      auto registered = webhooks_->Register(r);
      if (!registered)
        return SetError(response, registered.error().code, registered.error().message);
      SetWebhookInfo(response.initWebhook(), *registered);
      return;
    }
    case wire::Admin::REMOVE_WEBHOOK: {
      auto removed = webhooks_->Remove(Str(admin.getRemoveWebhook()));
      if (!removed) return SetError(response, removed.error().code, removed.error().message);
      response.setDone();
      return;
    }
    case wire::Admin::LIST_WEBHOOKS: {
      auto all = webhooks_->List();
      auto list = response.initWebhooks(static_cast<unsigned>(all.size()));
      for (unsigned i = 0; i < list.size(); ++i) SetWebhookInfo(list[i], all[i]);
      return;
    }
    case wire::Admin::WEBHOOK_DELIVERIES: {
      auto found = webhooks_->Deliveries(Str(admin.getWebhookDeliveries()));
      if (!found) return SetError(response, found.error().code, found.error().message);
      auto out = response.initWebhookDeliveries();
      SetWebhookInfo(out.initWebhook(), found->endpoint);
      auto attempts = out.initAttempts(static_cast<unsigned>(found->attempts.size()));
      for (unsigned i = 0; i < attempts.size(); ++i) {
        const webhooks::Attempt& a = found->attempts[i];
        attempts[i].setPosition(a.position);
        attempts[i].setEventType(a.event_type);
        attempts[i].setOrg(a.org);
        attempts[i].setTimeUs(a.time_us);
        attempts[i].setStatus(a.status);
        attempts[i].setError(a.error);
        attempts[i].setAttempt(a.attempt);
        attempts[i].setDurationUs(a.duration_us);
        attempts[i].setDelivered(a.delivered);
      }
      return;
    }
    default:
      SetError(response, "UNSUPPORTED", "unknown webhook request");
  }
}

}  // namespace roster::api::dispatch
