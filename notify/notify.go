// Package notify renders rectify's outbound messages (Chinese text, the survey link)
// and delivers the outbox through a pluggable Sender.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"rectify/domain"
	"rectify/store"
)

// Sender delivers one message. It must be safe to call twice with the same
// IdempotencyKey: delivery is at least once, and gateways dedupe on that key.
type Sender interface {
	Send(ctx context.Context, n store.Notification) error
}

// LogSender is the dev sender: messages stay in the outbox table, listed to admins
// by GET /api/v1/notifications with survey links redacted. It logs that one went
// out (never the phone); an SMS's text, survey link included, is logged too: in
// dev the log stands in for the citizen's phone, the only place the link is kept.
type LogSender struct{ Log *slog.Logger }

func (s LogSender) Send(ctx context.Context, n store.Notification) error {
	args := []any{"id", n.ID, "kind", n.Kind, "channel", n.Channel, "ticket", n.TicketNumber}
	if n.Channel == "sms" {
		args = append(args, "text", n.Body)
	}
	s.Log.Info("notification delivered (dev sender)", args...)
	return nil
}

// SurveySMS is the follow-up survey's text: the ticket number, then the link.
// Short, because an SMS of more than 70 characters is billed and delivered as
// two or more: with the 43-character token of a 256-bit link the link alone is
// about 70 characters, so the words around it are kept to the fewest that still
// say who writes and why (TestCitizenSMSLengths measures them).
const SurveySMS = "【政务服务好差评】工单%s已办理，请评价：%s"

// ExtensionSMS tells the citizen the department has longer: the ticket number
// and the new deadline, one SMS.
const ExtensionSMS = "【政务服务好差评】工单%s办理期限延至%s，感谢您的耐心。"

// Renderer turns a transition's notices into messages.
type Renderer struct {
	BaseURL string // public address of the survey pages, e.g. https://rectify.example.gov.cn
	Zone    *time.Location
}

// Render returns the messages for one notice; key makes each idempotent per event.
func (r Renderer) Render(kind, key string, tc store.TicketContext, surveyToken string) []store.Notification {
	dept := tc.DepartmentName
	if dept == "" {
		dept = tc.DepartmentCode
	}
	due := "—"
	if tc.DueAt != nil {
		due = tc.DueAt.In(r.Zone).Format("2006-01-02 15:04")
	}
	toDept := func(body string) store.Notification {
		return store.Notification{Kind: kind, Channel: "department", Recipient: tc.DepartmentCode, Body: body}
	}
	toSup := func(body string) store.Notification {
		return store.Notification{Kind: kind, Channel: "supervisors", Recipient: "supervisors", Body: body}
	}
	toCitizen := func(body string) store.Notification {
		return store.Notification{Kind: kind, Channel: "sms", Recipient: tc.CitizenPhone, Body: body}
	}
	var ns []store.Notification
	switch kind {
	case "dispatched":
		ns = append(ns, toDept(fmt.Sprintf("【12345】工单%s（第%d轮）已派发至%s，请于%s前签收。", tc.Number, tc.Round, dept, due)))
	case "reminder":
		ns = append(ns, toDept(fmt.Sprintf("【催办】工单%s将于%s到期，请及时办理。", tc.Number, due)))
	case "overdue":
		ns = append(ns, toDept(fmt.Sprintf("【超期】工单%s已超过办理期限，已上报督办。", tc.Number)),
			toSup(fmt.Sprintf("【督办】%s的工单%s已超期。", dept, tc.Number)))
	case "escalated":
		ns = append(ns, toSup(fmt.Sprintf("【通报】%s的工单%s超期仍未办理。", dept, tc.Number)),
			// The department must know it has been reported (issue 17 item 1).
			toDept(fmt.Sprintf("【通报】工单%s超期仍未办理，已通报督办部门，请立即办理。", tc.Number)))
	case "urged":
		ns = append(ns, toDept(fmt.Sprintf("【催办】督办人员催办工单%s，请尽快处理。", tc.Number)))
	case "returned":
		ns = append(ns, toSup(fmt.Sprintf("【退单】工单%s被退回，待重新派单。", tc.Number)))
	case "supervisor":
		ns = append(ns, toSup(fmt.Sprintf("【待决定】工单%s多轮整改后群众仍不满意，请督办人员处理。", tc.Number)))
	case "extension":
		if tc.CitizenPhone != "" {
			ns = append(ns, toCitizen(fmt.Sprintf(ExtensionSMS, tc.Number, due)))
		}
	case "survey":
		// Fixed text, the ticket number and the link only: nothing a department
		// writes goes out under the government's name (issue 15 item 8). The
		// citizen reads the report on the survey page, escaped.
		if tc.CitizenPhone != "" && surveyToken != "" {
			ns = append(ns, toCitizen(fmt.Sprintf(SurveySMS, tc.Number, r.BaseURL+"/s/"+surveyToken)))
		}
	}
	// The department's group robot gets a copy of what it must act on, last so
	// that the keys of the messages above stay as they were.
	if tc.Robot && tc.DepartmentCode != "" {
		if md := r.robotMarkdown(kind, tc, dept, due); md != "" {
			ns = append(ns, store.Notification{Kind: kind, Channel: "robot", Recipient: tc.DepartmentCode, Body: md})
		}
	}
	for i := range ns {
		ns[i].IdempotencyKey = fmt.Sprintf("%s:%s:%d", key, kind, i)
		ns[i].TicketNumber = tc.Number
	}
	return ns
}

// MaskedRecipient hides an SMS recipient's phone for listing to non-call-center roles.
func MaskedRecipient(n store.Notification) string {
	if n.Channel == "sms" {
		return domain.MaskPhone(n.Recipient)
	}
	return n.Recipient
}
