package services

import (
	"context"

	"rectify/domain"
	"rectify/store"
)

// The notice centre: each user reads the notices of their scope
// (domain.User.NoticeScope): a department its department's, about the tickets
// it may see; supervisors and admins the supervisors'. Read marks are per user.
// The call center has no notices of its own. Admins also list the raw outbox,
// as operators (Outbox).

// NoticeQuery selects a page of the actor's notices.
type NoticeQuery struct {
	TicketNumber string // "" for every ticket
	UnreadOnly   bool
	Limit        int
	Cursor       int64 // the last id of the previous page; 0 for the first
}

// NoticePage is a page of the actor's notices.
type NoticePage struct {
	Channel string // whose notices these are: department or supervisors; "" for nobody's
	Notices []store.Notice
	Next    int64 // the cursor of the following page; 0 on the last
}

// List is a page of the actor's notices, newest first, with their read marks.
// Someone without notices gets an empty page (Channel "").
func (n *Notices) List(ctx context.Context, actor domain.User, q NoticeQuery) (NoticePage, error) {
	channel, recipient, ok := actor.NoticeScope()
	if !ok {
		return NoticePage{Notices: []store.Notice{}}, nil
	}
	ns, next, err := n.Store.ListNotices(ctx, store.NoticeFilter{Username: actor.Username, Channel: channel, Recipient: recipient,
		TicketNumber: q.TicketNumber, UnreadOnly: q.UnreadOnly, Limit: q.Limit, Cursor: q.Cursor})
	if ns == nil {
		ns = []store.Notice{}
	}
	return NoticePage{Channel: channel, Notices: ns, Next: next}, err
}

// Unread counts the actor's unread notices (0 for someone without notices).
func (n *Notices) Unread(ctx context.Context, actor domain.User) (int, error) {
	channel, recipient, ok := actor.NoticeScope()
	if !ok {
		return 0, nil
	}
	return n.Store.CountUnreadNotices(ctx, actor.Username, channel, recipient)
}

// Outbox is the admins' listing of outbound messages, every channel, newest
// first: citizens' phones masked (the store already redacts survey links).
func (n *Notices) Outbox(ctx context.Context, actor domain.User, ticketNumber string, limit int) ([]store.Notification, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.ErrForbidden
	}
	ns, err := n.Store.ListNotifications(ctx, ticketNumber, limit)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		if ns[i].Channel == "sms" {
			ns[i].Recipient = domain.MaskPhone(ns[i].Recipient)
		}
	}
	if ns == nil {
		ns = []store.Notification{}
	}
	return ns, nil
}

// MarkRead marks one of the actor's notices read. A notice the actor does not
// read is not found.
func (n *Notices) MarkRead(ctx context.Context, actor domain.User, id int64) error {
	channel, recipient, ok := actor.NoticeScope()
	if id < 1 || !ok {
		return domain.ErrNotFound
	}
	return n.Store.MarkNoticeRead(ctx, actor.Username, channel, recipient, id)
}

// MarkAllRead marks every notice of the actor read and says how many it marked.
func (n *Notices) MarkAllRead(ctx context.Context, actor domain.User) (int, error) {
	channel, recipient, ok := actor.NoticeScope()
	if !ok {
		return 0, nil
	}
	return n.Store.MarkAllNoticesRead(ctx, actor.Username, channel, recipient)
}
